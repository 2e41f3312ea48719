#include "sse/server/config.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <sstream>
#include <string_view>

namespace sse::server {
namespace {

template <typename T>
bool parse_number(std::string_view text, T& out) {
    const char* const end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, out);
    return !text.empty() && r.ec == std::errc{} && r.ptr == end;
}

// A token file holds the token on its first line; surrounding whitespace is not part of it, so
// `echo secret > file` works.
bool read_token_file(const std::string& path, std::string& token) {
    std::ifstream in(path);
    if (!in) return false;
    std::getline(in, token);
    const auto not_space = token.find_last_not_of(" \t\r\n");
    token.erase(not_space == std::string::npos ? 0 : not_space + 1);
    return true;
}

struct flag {
    std::string_view name;
    std::function<bool(std::string_view value, config& c)> apply;  // false: bad value
};

template <typename T>
std::function<bool(std::string_view, config&)> number(T config::*member) {
    return [member](std::string_view v, config& c) { return parse_number(v, c.*member); };
}

std::function<bool(std::string_view, config&)> millis(std::chrono::milliseconds config::*member) {
    return [member](std::string_view v, config& c) {
        std::int64_t ms = 0;
        if (!parse_number(v, ms) || ms < 0) return false;
        c.*member = std::chrono::milliseconds(ms);
        return true;
    };
}

const std::vector<flag>& flags() {
    static const std::vector<flag> all = {
        {"--address", [](std::string_view v, config& c) { c.address = v; return !v.empty(); }},
        {"--port", number(&config::port)},
        {"--threads", number(&config::threads)},
        {"--heartbeat", millis(&config::heartbeat)},
        {"--retry",
         [](std::string_view v, config& c) {
             if (v == "none") {
                 c.retry_ms.reset();
                 return true;
             }
             std::uint64_t ms = 0;
             if (!parse_number(v, ms)) return false;
             c.retry_ms = ms;
             return true;
         }},
        {"--publish-token", [](std::string_view v, config& c) { c.publish_token = v; return true; }},
        {"--publish-token-file",
         [](std::string_view v, config& c) {
             return read_token_file(std::string(v), c.publish_token) && !c.publish_token.empty();
         }},
        {"--cors-origin",
         [](std::string_view v, config& c) {
             c.cors_origins.emplace_back(v);
             return !v.empty();
         }},
        {"--static-dir",
         [](std::string_view v, config& c) {
             c.static_dir = v;
             std::error_code ec;
             return std::filesystem::is_directory(c.static_dir, ec);
         }},
        {"--history-size", number(&config::history_size)},
        {"--history-age", millis(&config::history_age)},
        {"--queue-budget", number(&config::queue_budget)},
        {"--write-timeout", millis(&config::write_timeout)},
        {"--max-header-size", number(&config::max_header_size)},
        {"--max-target-size", number(&config::max_target_size)},
        {"--max-body-size", number(&config::max_body_size)},
        {"--request-timeout", millis(&config::request_timeout)},
        {"--shutdown-timeout", millis(&config::shutdown_timeout)},
    };
    return all;
}

}  // namespace

command_line parse_command_line(int argc, const char* const* argv) {
    command_line out;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            out.show_help = true;
            continue;
        }
        if (arg == "--version") {
            out.show_version = true;
            continue;
        }
        // Both `--flag value` and `--flag=value`.
        std::string_view name = arg;
        std::optional<std::string_view> value;
        if (const auto eq = arg.find('='); eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        }
        const flag* match = nullptr;
        for (const flag& f : flags())
            if (f.name == name) match = &f;
        if (!match) {
            out.error = "unknown option '" + std::string(arg) + "'";
            return out;
        }
        if (!value) {
            if (i + 1 >= argc) {
                out.error = "option '" + std::string(name) + "' needs a value";
                return out;
            }
            value = argv[++i];
        }
        if (!match->apply(*value, out.settings)) {
            out.error = "bad value '" + std::string(*value) + "' for " + std::string(name);
            return out;
        }
    }
    return out;
}

std::string usage() {
    const config d;
    std::ostringstream s;
    s << "usage: sse-server [options]\n\n"
         "A Server-Sent Events pub/sub hub. Subscribe with GET /events?topic=NAME (repeat topic for\n"
         "several; resume with Last-Event-ID or ?lastEventId=ID), publish with POST /publish\n"
         "(form or JSON: topic, data, optional type). Also GET /healthz and GET /metrics.\n\n"
         "options (durations in milliseconds, sizes in bytes):\n"
      << "  --address ADDR            listen address (default " << d.address << ")\n"
      << "  --port N                  listen port, 0 for any free one (default " << d.port << ")\n"
      << "  --threads N               I/O threads, 0 = one per core (default " << d.threads << ")\n"
      << "  --heartbeat MS            comment sent to every stream this often, 0 = never (default "
      << d.heartbeat.count() << ")\n"
      << "  --retry MS|none           retry: sent on connect (default " << *d.retry_ms << ")\n"
      << "  --publish-token TOKEN     require 'Authorization: Bearer TOKEN' on POST /publish\n"
         "                            (default: none, publishing is open)\n"
      << "  --publish-token-file F    read that token from the first line of file F\n"
      << "  --cors-origin ORIGIN       allow cross-origin use from ORIGIN (repeatable; * for any;\n"
         "                            default: none)\n"
      << "  --static-dir DIR          serve the files under DIR at other GET paths (default: none)\n"
      << "  --history-size N          events kept per topic for resume (default " << d.history_size
      << ")\n"
      << "  --history-age MS          and none older than this, 0 = no limit (default "
      << d.history_age.count() << ")\n"
      << "  --queue-budget BYTES      unsent bytes per subscriber before it is disconnected (default "
      << d.queue_budget << ")\n"
      << "  --write-timeout MS        close a stream whose write makes no progress (default "
      << d.write_timeout.count() << ")\n"
      << "  --max-header-size BYTES   request line + headers, else 431 (default "
      << d.max_header_size << ")\n"
      << "  --max-target-size BYTES   request target, else 414 (default " << d.max_target_size
      << ")\n"
      << "  --max-body-size BYTES     request body, else 413 (default " << d.max_body_size << ")\n"
      << "  --request-timeout MS      time to send a request / keep-alive idle limit (default "
      << d.request_timeout.count() << ")\n"
      << "  --shutdown-timeout MS     on SIGINT/SIGTERM, wait this long for streams to close (default "
      << d.shutdown_timeout.count() << ")\n"
      << "  -h, --help                show this help\n"
      << "  --version                 print the version\n";
    return s.str();
}

}  // namespace sse::server
