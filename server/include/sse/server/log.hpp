// sse::server::logger: one structured line per notable event, to stderr or a sink.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace sse::server {

/// Severity, lowest first; `off` as a minimum silences everything.
enum class log_level : std::uint8_t { debug, info, warn, error, off };

/// Line format: `text` is logfmt (`time=... level=info msg=listening port=8080`), `json` one JSON
/// object per line.
enum class log_format : std::uint8_t { text, json };

/// "debug", "info", "warn", "error", "off" to a level; std::nullopt for anything else.
std::optional<log_level> parse_log_level(std::string_view name) noexcept;
/// "text" or "json" to a format; std::nullopt for anything else.
std::optional<log_format> parse_log_format(std::string_view name) noexcept;
/// The level's name as parse_log_level() spells it.
std::string_view to_string(log_level level) noexcept;

/// One key=value of a line: text or an unsigned number (written without quotes in JSON). The views
/// are read only during the logger::write() call.
struct log_field {
    log_field(std::string_view k, std::string_view v) noexcept : key(k), text(v) {}
    log_field(std::string_view k, const char* v) noexcept : key(k), text(v) {}
    log_field(std::string_view k, const std::string& v) noexcept : key(k), text(v) {}
    template <typename T, typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>>
    log_field(std::string_view k, T v) noexcept
        : key(k), number(static_cast<std::uint64_t>(v)), is_number(true) {}

    std::string_view key;
    std::string_view text;
    std::uint64_t number = 0;
    bool is_number = false;
};

/// Thread-safe structured logger. Each line is formatted in full and handed to the sink in one
/// call under a mutex, so lines from several threads never interleave. Filtering is one compare:
/// callers that build field values guard with enabled() so a filtered-out line costs nothing.
class logger {
public:
    /// Receives one whole line, newline included. Called under the logger's mutex.
    using sink = std::function<void(std::string_view line)>;

    /// `out` empty: lines go to stderr.
    explicit logger(log_level minimum = log_level::info, log_format format = log_format::text,
                    sink out = {});

    /// True iff a line at `level` would be written.
    bool enabled(log_level level) const noexcept {
        return minimum_ != log_level::off && level != log_level::off && level >= minimum_;
    }

    /// Writes `time`, `level`, `msg` and then `fields` in order, if enabled(level). Never throws;
    /// text values are quoted and escaped as needed (JSON: invalid UTF-8 becomes U+FFFD).
    void write(log_level level, std::string_view msg,
               std::initializer_list<log_field> fields = {}) const;

private:
    std::string format_text(log_level level, std::string_view msg,
                            std::initializer_list<log_field> fields) const;
    std::string format_json(log_level level, std::string_view msg,
                            std::initializer_list<log_field> fields) const;

    log_level minimum_;
    log_format format_;
    sink out_;
    mutable std::mutex mutex_;
};

}  // namespace sse::server
