// An incremental decoder for HTTP/1.1 chunked transfer coding (RFC 9112 7.1), for sse-load's
// lightweight connections: a few bytes of state, no buffer, output as spans of the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sse::load {

class chunk_decoder {
public:
    enum class result { more, done, error };

    /// Decodes `in`, calling `out(std::string_view)` for each run of payload bytes. Returns done
    /// after the last chunk and its trailer section, error on malformed framing (sticky).
    template <class F>
    result feed(std::string_view in, F&& out) {
        std::size_t i = 0;
        while (i < in.size()) {
            const char c = in[i];
            switch (state_) {
            case st::size: {
                const int d = hex(c);
                if (d >= 0) {
                    if (remaining_ >> 58) return fail();
                    remaining_ = remaining_ * 16 + static_cast<unsigned>(d);
                    digits_ = true;
                } else if (!digits_) {
                    return fail();
                } else if (c == '\r') {
                    state_ = st::size_lf;
                } else if (c == ';' || c == ' ' || c == '\t') {
                    state_ = st::ext;
                } else {
                    return fail();
                }
                ++i;
                break;
            }
            case st::ext:
                if (c == '\r') state_ = st::size_lf;
                ++i;
                break;
            case st::size_lf:
                if (c != '\n') return fail();
                ++i;
                state_ = remaining_ == 0 ? st::trailer_start : st::data;
                break;
            case st::data: {
                const std::size_t n = std::min<std::uint64_t>(remaining_, in.size() - i);
                out(in.substr(i, n));
                i += n;
                remaining_ -= n;
                if (remaining_ == 0) state_ = st::data_cr;
                break;
            }
            case st::data_cr:
                if (c != '\r') return fail();
                state_ = st::data_lf;
                ++i;
                break;
            case st::data_lf:
                if (c != '\n') return fail();
                state_ = st::size;
                digits_ = false;
                ++i;
                break;
            case st::trailer_start:
                state_ = c == '\r' ? st::final_lf : st::trailer_line;
                ++i;
                break;
            case st::trailer_line:
                if (c == '\n') state_ = st::trailer_start;
                ++i;
                break;
            case st::final_lf:
                if (c != '\n') return fail();
                state_ = st::done;
                return result::done;
            case st::done: return result::done;
            case st::error: return result::error;
            }
        }
        if (state_ == st::done) return result::done;
        return state_ == st::error ? result::error : result::more;
    }

private:
    enum class st : unsigned char {
        size, ext, size_lf, data, data_cr, data_lf, trailer_start, trailer_line, final_lf, done, error
    };
    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
    result fail() {
        state_ = st::error;
        return result::error;
    }

    std::uint64_t remaining_ = 0;
    st state_ = st::size;
    bool digits_ = false;
};

}  // namespace sse::load
