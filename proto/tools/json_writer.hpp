// json_writer: the few JSON lines the command-line tools print, written straight to a FILE with
// its own buffer. Strings must be valid UTF-8 (the parser guarantees it for what it hands out);
// control characters, quotes and backslashes are escaped.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace sse::tools {

class json_writer {
public:
    explicit json_writer(std::FILE* out) : out_(out) {}
    json_writer(const json_writer&) = delete;
    json_writer& operator=(const json_writer&) = delete;
    ~json_writer() { flush(); }

    void begin_object() {
        buf_.push_back('{');
        first_ = true;
    }
    /// Ends the object and the line.
    void end_object() {
        buf_.append("}\n");
        if (buf_.size() >= flush_at) flush();
    }
    void field(std::string_view key, std::string_view value) {
        key_(key);
        string_(value);
    }
    void field(std::string_view key, std::uint64_t value) {
        key_(key);
        buf_.append(std::to_string(value));
    }
    void flush() {
        if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), out_);
        buf_.clear();
        std::fflush(out_);
    }

private:
    static constexpr std::size_t flush_at = 1 << 16;

    void key_(std::string_view key) {
        if (!first_) buf_.push_back(',');
        first_ = false;
        string_(key);
        buf_.push_back(':');
    }
    void string_(std::string_view s) {
        static constexpr char hex[] = "0123456789abcdef";
        buf_.push_back('"');
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            switch (c) {
            case '"': buf_.append("\\\""); break;
            case '\\': buf_.append("\\\\"); break;
            case '\n': buf_.append("\\n"); break;
            case '\r': buf_.append("\\r"); break;
            case '\t': buf_.append("\\t"); break;
            default:
                if (u < 0x20 || u == 0x7f) {
                    buf_.append("\\u00");
                    buf_.push_back(hex[u >> 4]);
                    buf_.push_back(hex[u & 0xf]);
                } else {
                    buf_.push_back(c);
                }
            }
        }
        buf_.push_back('"');
    }

    std::FILE* out_;
    std::string buf_;
    bool first_ = true;
};

}  // namespace sse::tools
