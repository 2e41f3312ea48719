#include "sse/server/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace sse::server {
namespace {

// RFC 3339 UTC with milliseconds: sortable, and what log tools parse without configuration.
std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char buf[96];  // room for any int the format could print, so no truncation is possible
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(ms));
    return buf;
}

// logfmt: a value with a space, `=`, `"`, a control character, or none at all is quoted, with
// `"`, `\` and control characters escaped, so every line splits back into its pairs.
void append_logfmt_value(std::string& out, std::string_view v) {
    bool quote = v.empty();
    for (const char c : v)
        quote = quote || c == ' ' || c == '=' || c == '"' || static_cast<unsigned char>(c) < 0x20 ||
                c == 0x7f;
    if (!quote) {
        out += v;
        return;
    }
    out += '"';
    for (const char c : v) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    char esc[8];
                    std::snprintf(esc, sizeof esc, "\\x%02x", static_cast<unsigned char>(c));
                    out += esc;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

}  // namespace

std::optional<log_level> parse_log_level(std::string_view name) noexcept {
    if (name == "debug") return log_level::debug;
    if (name == "info") return log_level::info;
    if (name == "warn") return log_level::warn;
    if (name == "error") return log_level::error;
    if (name == "off") return log_level::off;
    return std::nullopt;
}

std::optional<log_format> parse_log_format(std::string_view name) noexcept {
    if (name == "text") return log_format::text;
    if (name == "json") return log_format::json;
    return std::nullopt;
}

std::string_view to_string(log_level level) noexcept {
    switch (level) {
        case log_level::debug: return "debug";
        case log_level::info: return "info";
        case log_level::warn: return "warn";
        case log_level::error: return "error";
        case log_level::off: return "off";
    }
    return "off";
}

logger::logger(log_level minimum, log_format format, sink out)
    : minimum_(minimum), format_(format), out_(std::move(out)) {}

void logger::write(log_level level, std::string_view msg,
                   std::initializer_list<log_field> fields) const {
    if (!enabled(level)) return;
    try {
        const std::string line = format_ == log_format::json ? format_json(level, msg, fields)
                                                             : format_text(level, msg, fields);
        std::lock_guard lock(mutex_);
        if (out_) {
            out_(line);
        } else {
            std::fwrite(line.data(), 1, line.size(), stderr);
            std::fflush(stderr);
        }
    } catch (...) {
        // Out of memory while logging: losing the line is better than losing the server.
    }
}

std::string logger::format_text(log_level level, std::string_view msg,
                                std::initializer_list<log_field> fields) const {
    std::string out = "time=" + timestamp() + " level=" + std::string(to_string(level)) + " msg=";
    append_logfmt_value(out, msg);
    for (const log_field& f : fields) {
        out += ' ';
        out += f.key;
        out += '=';
        if (f.is_number) out += std::to_string(f.number);
        else append_logfmt_value(out, f.text);
    }
    out += '\n';
    return out;
}

std::string logger::format_json(log_level level, std::string_view msg,
                                std::initializer_list<log_field> fields) const {
    nlohmann::ordered_json j;
    j["time"] = timestamp();
    j["level"] = std::string(to_string(level));
    j["msg"] = std::string(msg);
    for (const log_field& f : fields) {
        if (f.is_number) j[std::string(f.key)] = f.number;
        else j[std::string(f.key)] = std::string(f.text);
    }
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace sse::server
