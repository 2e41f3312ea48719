#include "sse/server/config.hpp"

#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string_view>

#include "parse_number.hpp"

namespace sse::server {
namespace {

using detail::parse_number;

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

std::optional<bool> parse_bool(std::string_view v) {
    if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
    if (v == "false" || v == "no" || v == "off" || v == "0") return false;
    return std::nullopt;
}

using apply_fn = std::function<bool(std::string_view value, config& c)>;

struct flag {
    std::string_view name;  // without the leading "--"; also the config file key
    apply_fn apply;         // false: bad value
    bool boolean = false;   // takes no value on the command line (a file gives true/false)
    bool repeatable = false;
};

template <typename T>
apply_fn number(T config::*member) {
    return [member](std::string_view v, config& c) { return parse_number(v, c.*member); };
}

apply_fn millis(std::chrono::milliseconds config::*member) {
    return [member](std::string_view v, config& c) {
        std::int64_t ms = 0;
        if (!parse_number(v, ms) || ms < 0) return false;
        c.*member = std::chrono::milliseconds(ms);
        return true;
    };
}

apply_fn token_file(std::string config::*member) {
    return [member](std::string_view v, config& c) {
        return read_token_file(std::string(v), c.*member) && !(c.*member).empty();
    };
}

apply_fn conformance(bool on_when_true) {
    return [on_when_true](std::string_view v, config& c) {
        const auto b = parse_bool(v);
        if (!b) return false;
        c.conformance_routes = *b == on_when_true;
        return true;
    };
}

const std::vector<flag>& flags() {
    static const std::vector<flag> all = {
        {"address", [](std::string_view v, config& c) { c.address = v; return !v.empty(); }},
        {"port", number(&config::port)},
        {"tls-cert", [](std::string_view v, config& c) { c.tls_cert_file = v; return !v.empty(); }},
        {"tls-key", [](std::string_view v, config& c) { c.tls_key_file = v; return !v.empty(); }},
        {"tls-port",
         [](std::string_view v, config& c) {
             std::uint16_t port = 0;
             if (!parse_number(v, port)) return false;
             c.tls_port = port;
             return true;
         }},
        {"http2",
         [](std::string_view v, config& c) {
             const auto b = parse_bool(v);
             if (b) c.http2 = *b;
             return b.has_value();
         },
         true},
        {"no-http2",
         [](std::string_view v, config& c) {
             const auto b = parse_bool(v);
             if (b) c.http2 = !*b;
             return b.has_value();
         },
         true},
        {"h2c",
         [](std::string_view v, config& c) {
             const auto b = parse_bool(v);
             if (b) c.h2c = *b;
             return b.has_value();
         },
         true},
        {"h2-max-streams",
         [](std::string_view v, config& c) {
             return parse_number(v, c.h2_max_streams) && c.h2_max_streams >= 1 &&
                    c.h2_max_streams <= 0x7fffffffu;
         }},
        {"threads", number(&config::threads)},
        {"heartbeat", millis(&config::heartbeat)},
        {"retry",
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
        {"publish-token", [](std::string_view v, config& c) { c.publish_token = v; return true; }},
        {"publish-token-file", token_file(&config::publish_token)},
        {"subscribe-token", [](std::string_view v, config& c) { c.subscribe_token = v; return true; }},
        {"subscribe-token-file", token_file(&config::subscribe_token)},
        {"cors-origin",
         [](std::string_view v, config& c) {
             c.cors_origins.emplace_back(v);
             return !v.empty();
         },
         false, true},
        {"static-dir",
         [](std::string_view v, config& c) {
             c.static_dir = v;
             std::error_code ec;
             return v.empty() || std::filesystem::is_directory(c.static_dir, ec);
         }},
        {"conformance-routes", conformance(true), true},
        {"no-conformance-routes", conformance(false), true},
        {"redis", [](std::string_view v, config& c) { return parse_redis_url(v, c.redis); }},
        {"redis-password-file",
         [](std::string_view v, config& c) {
             return read_token_file(std::string(v), c.redis.password) && !c.redis.password.empty();
         }},
        {"redis-sentinel",
         [](std::string_view v, config& c) {
             std::string host;
             std::uint16_t port = 0;
             if (!parse_host_port(v, host, port)) return false;
             c.redis.sentinels.emplace_back(v);
             return true;
         },
         false, true},
        {"redis-master", [](std::string_view v, config& c) { c.redis.master = v; return !v.empty(); }},
        {"redis-key-prefix",
         [](std::string_view v, config& c) { c.redis.key_prefix = v; return !v.empty(); }},
        {"redis-backlog",
         [](std::string_view v, config& c) {
             return parse_number(v, c.redis.backlog) && c.redis.backlog > 0;
         }},
        {"history-size", number(&config::history_size)},
        {"history-age", millis(&config::history_age)},
        {"history-bytes", number(&config::history_bytes)},
        {"queue-budget", number(&config::queue_budget)},
        {"fanout-backlog",
         [](std::string_view v, config& c) {
             return parse_number(v, c.fanout_backlog) && c.fanout_backlog > 0;
         }},
        {"slow-client",
         [](std::string_view v, config& c) {
             if (v == "disconnect") c.slow_client = slow_client_policy::disconnect;
             else if (v == "resync") c.slow_client = slow_client_policy::resync;
             else return false;
             return true;
         }},
        {"write-timeout", millis(&config::write_timeout)},
        {"flush-interval", millis(&config::flush_interval)},
        {"max-header-size", number(&config::max_header_size)},
        {"max-target-size", number(&config::max_target_size)},
        {"max-body-size", number(&config::max_body_size)},
        {"request-timeout", millis(&config::request_timeout)},
        {"shutdown-timeout", millis(&config::shutdown_timeout)},
        {"log-level",
         [](std::string_view v, config& c) {
             const auto l = parse_log_level(v);
             if (l) c.logging.level = *l;
             return l.has_value();
         }},
        {"log-format",
         [](std::string_view v, config& c) {
             const auto f = parse_log_format(v);
             if (f) c.logging.format = *f;
             return f.has_value();
         }},
    };
    return all;
}

const flag* find_flag(std::string_view name) {
    for (const flag& f : flags())
        if (f.name == name) return &f;
    return nullptr;
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

// Splits `--name=value` / `--name value`; returns false with cl.error set on bad usage.
struct parsed_arg {
    const flag* match = nullptr;
    std::string_view value;
};

bool next_arg(int argc, const char* const* argv, int& i, parsed_arg& out, std::string& error) {
    const std::string_view arg = argv[i];
    std::string_view name = arg;
    std::optional<std::string_view> value;
    if (const auto eq = arg.find('='); eq != std::string_view::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
    }
    const flag* match = name.substr(0, 2) == "--" ? find_flag(name.substr(2)) : nullptr;
    if (!match) {
        error = "unknown option '" + std::string(arg) + "'";
        return false;
    }
    if (!value && match->boolean) value = "true";
    if (!value) {
        if (i + 1 >= argc) {
            error = "option '" + std::string(name) + "' needs a value";
            return false;
        }
        value = argv[++i];
    }
    out = {match, *value};
    return true;
}

bool load_config_file(const std::string& path, command_line& cl) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        cl.error = "cannot read config file '" + path + "': " + std::strerror(errno);
        return false;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return apply_config_text(text, path, cl);
}

// Settings that are each fine alone but not together; empty when they agree.
std::string check_combination(const config& c) {
    if (c.tls_cert_file.empty() != c.tls_key_file.empty())
        return c.tls_cert_file.empty()
                   ? "--tls-key needs --tls-cert (the certificate it belongs to)"
                   : "--tls-cert needs --tls-key (the certificate's private key)";
    if (c.h2c && !c.http2) return "--h2c needs HTTP/2 (leave out --no-http2)";
    if (c.tls_port && c.tls_cert_file.empty())
        return "--tls-port needs --tls-cert and --tls-key";
    if (c.tls_port && *c.tls_port != 0 && *c.tls_port == c.port)
        return "--tls-port must differ from --port (leave --tls-port out to serve HTTPS on --port)";
    return {};
}

}  // namespace

std::string_view default_web_root() noexcept {
#ifdef SSE_DEFAULT_WEB_ROOT
    return SSE_DEFAULT_WEB_ROOT;
#else
    return {};
#endif
}

bool apply_config_text(std::string_view text, std::string_view file_name, command_line& cl) {
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t nl = text.find('\n');
        const std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty() || line.front() == '#') continue;
        const std::string where = std::string(file_name) + ":" + std::to_string(line_no) + ": ";
        const std::size_t eq = line.find('=');
        const std::string_view key = trim(line.substr(0, eq));
        const flag* match = find_flag(key);
        if (!match) {
            cl.error = where + (key == "config" ? "config files do not nest ('config' key)"
                                                : "unknown key '" + std::string(key) + "'");
            return false;
        }
        std::string_view value = eq == std::string_view::npos ? std::string_view{}
                                                               : trim(line.substr(eq + 1));
        if (eq == std::string_view::npos) {
            if (!match->boolean) {
                cl.error = where + "key '" + std::string(key) + "' needs a value: " +
                           std::string(key) + " = VALUE";
                return false;
            }
            value = "true";
        } else if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        if (!match->apply(value, cl.settings)) {
            cl.error = where + "bad value '" + std::string(value) + "' for key '" +
                       std::string(key) + "'";
            return false;
        }
        if (key == "static-dir") cl.static_dir_given = true;
    }
    return true;
}

command_line parse_command_line(int argc, const char* const* argv) {
    command_line out;
    // The demo pages by default, when the tree they are built in is there.
    if (const std::string root(default_web_root()); !root.empty()) {
        std::error_code ec;
        if (std::filesystem::is_directory(root, ec)) out.settings.static_dir = root;
    }
    // The config file first, so the command line overrides it.
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::optional<std::string> path;
        if (arg == "--config") {
            if (i + 1 >= argc) {
                out.error = "option '--config' needs a value";
                return out;
            }
            path = argv[++i];
        } else if (arg.substr(0, 9) == "--config=") {
            path = std::string(arg.substr(9));
        }
        if (path && !load_config_file(*path, out)) return out;
    }
    std::vector<std::string_view> repeated_here;  // repeatable flags the command line restarted
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            out.show_help = true;
            continue;
        }
        if (arg == "--version") {
            out.show_version = true;
            continue;
        }
        if (arg == "--config") {
            ++i;
            continue;
        }
        if (arg.substr(0, 9) == "--config=") continue;
        parsed_arg p;
        if (!next_arg(argc, argv, i, p, out.error)) return out;
        if (p.match->repeatable &&
            std::find(repeated_here.begin(), repeated_here.end(), p.match->name) == repeated_here.end()) {
            repeated_here.push_back(p.match->name);
            if (p.match->name == "cors-origin") out.settings.cors_origins.clear();
            if (p.match->name == "redis-sentinel") out.settings.redis.sentinels.clear();
        }
        if (!p.match->apply(p.value, out.settings)) {
            out.error = "bad value '" + std::string(p.value) + "' for --" + std::string(p.match->name);
            return out;
        }
        if (p.match->name == "static-dir") out.static_dir_given = true;
    }
    out.error = check_combination(out.settings);
    return out;
}

std::string usage() {
    const config d;
    std::ostringstream s;
    s << "usage: sse-server [options]\n\n"
         "A Server-Sent Events pub/sub hub. Subscribe with GET /events?topic=NAME (repeat topic for\n"
         "several; resume with Last-Event-ID or ?lastEventId=ID), publish with POST /publish\n"
         "(form or JSON: topic, data, optional type, optional id=auto|none). Also GET /healthz,\n"
         "GET /metrics, scripted test streams under /conformance/, and static files, over http\n"
         "or https (--tls-cert, --tls-key; TLS 1.2 and 1.3).\n\n"
         "  sse-server --tls-cert fullchain.pem --tls-key privkey.pem --port 8443\n"
         "      serves https://127.0.0.1:8443/ (kill -HUP PID after renewing the files)\n\n"
         "options (durations in milliseconds, sizes in bytes):\n"
      << "  --config FILE             read 'key = value' lines (keys: these flags without --, #\n"
         "                            comments); flags given here override the file\n"
      << "  --address ADDR            listen address (default " << d.address << ")\n"
      << "  --port N                  listen port, 0 for any free one (default " << d.port << ")\n"
      << "  --tls-cert FILE           serve HTTPS with this PEM certificate (the server's first,\n"
         "                            then its intermediates) and --tls-key; SIGHUP reloads both\n"
         "                            without dropping open streams (default: none, plain HTTP)\n"
      << "  --tls-key FILE            the certificate's PEM private key (EC or RSA, unencrypted)\n"
      << "  --tls-port N              HTTPS on this port as well, --port staying plain HTTP\n"
         "                            (default: HTTPS on --port alone)\n"
      << "  --no-http2                HTTP/1.1 only: no h2 in ALPN, no --h2c (default: HTTP/2 is\n"
         "                            offered by ALPN on HTTPS, falling back to http/1.1;\n"
         "                            --http2 turns it back on)\n"
      << "  --h2c                     prior-knowledge HTTP/2 on the plain HTTP port: a connection\n"
         "                            that opens with the HTTP/2 preface speaks h2, others HTTP/1.1\n"
         "                            (default: off)\n"
      << "  --h2-max-streams N        SETTINGS_MAX_CONCURRENT_STREAMS per HTTP/2 connection,\n"
         "                            1 to 2147483647 (default " << d.h2_max_streams << ")\n"
      << "  --threads N               I/O threads, 0 = one per core (default " << d.threads << ")\n"
      << "  --heartbeat MS            comment sent to every stream this often, 0 = never (default "
      << d.heartbeat.count() << ")\n"
      << "  --retry MS|none           retry: sent on connect (default " << *d.retry_ms << ")\n"
      << "  --publish-token TOKEN     require 'Authorization: Bearer TOKEN' on POST /publish\n"
         "                            (default: none, publishing is open)\n"
      << "  --publish-token-file F    read that token from the first line of file F\n"
      << "  --subscribe-token TOKEN   require it on GET /events, as 'Authorization: Bearer TOKEN'\n"
         "                            or ?token=TOKEN (default: none, subscribing is open)\n"
      << "  --subscribe-token-file F  read that token from the first line of file F\n"
      << "  --cors-origin ORIGIN      allow cross-origin use from ORIGIN (repeatable; * for any;\n"
         "                            default: none)\n"
      << "  --static-dir DIR          serve the files under DIR at other GET paths; '' for none\n"
         "                            (default: the demo pages, "
      << (default_web_root().empty() ? std::string_view("none compiled in") : default_web_root())
      << ", if it exists)\n"
      << "  --no-conformance-routes   turn off the scripted streams under /conformance/ (default:\n"
         "                            on; --conformance-routes turns them back on)\n"
      << "  --history-size N          events kept per topic for resume (default " << d.history_size
      << ")\n"
      << "  --history-age MS          and none older than this, 0 = no limit (default "
      << d.history_age.count() << ")\n"
      << "  --history-bytes BYTES     and at most this much over all topics, oldest evicted first,\n"
         "                            0 = keep nothing (default "
      << d.history_bytes << ")\n"
      << "  --queue-budget BYTES      unsent bytes per subscriber before --slow-client applies\n"
         "                            (default "
      << d.queue_budget << ")\n"
      << "  --fanout-backlog BYTES    events published but not yet fanned out by every I/O\n"
         "                            thread; while over it, publishing answers 503 (default "
      << d.fanout_backlog << ")\n"
      << "  --slow-client POLICY      disconnect: close the stream (the client resumes from history);\n"
         "                            resync: drop its queued events and send an\n"
         "                            sse-history-truncated event, then live ones (default disconnect)\n"
      << "  --write-timeout MS        close a stream whose write makes no progress (default "
      << d.write_timeout.count() << ")\n"
      << "  --flush-interval MS       wait up to this long before writing to an idle stream, so\n"
         "                            events published meanwhile share one write: fewer system\n"
         "                            calls under fan-out, at most this much added latency,\n"
         "                            0 = write at once (default "
      << d.flush_interval.count() << ")\n"
      << "  --max-header-size BYTES   request line + headers, else 431 (default "
      << d.max_header_size << ")\n"
      << "  --max-target-size BYTES   request target, else 414 (default " << d.max_target_size
      << ")\n"
      << "  --max-body-size BYTES     request body, else 413 (default " << d.max_body_size << ")\n"
      << "  --request-timeout MS      time to send a request (each HTTP/2 stream's: then 408) /\n"
         "                            keep-alive idle limit; also bounds a TLS handshake (default "
      << d.request_timeout.count() << ")\n"
      << "  --shutdown-timeout MS     on SIGINT/SIGTERM, wait this long for streams to close (default "
      << d.shutdown_timeout.count() << ")\n"
      << "  --redis URL               share one hub with other nodes through Redis:\n"
         "                            redis://HOST[:PORT][/DB] (default: none, one process)\n"
      << "  --redis-password-file F   AUTH with the password on the first line of file F\n"
      << "  --redis-sentinel H:P      ask this Sentinel where the primary is (repeatable; used\n"
         "                            instead of --redis), again after every disconnection\n"
      << "  --redis-master NAME       the primary's name in Sentinel (default " << d.redis.master
      << ")\n"
      << "  --redis-key-prefix P      keys P:stream, P:counter, P:epoch, P:replid (default "
      << d.redis.key_prefix << ")\n"
      << "  --redis-backlog N         entries the Redis stream keeps for catching up (default "
      << d.redis.backlog << ")\n"
      << "  --log-level LEVEL         error, warn, info, debug or off (default info)\n"
      << "  --log-format FORMAT       text (logfmt key=value) or json, one line per event on stderr\n"
         "                            (default text)\n"
      << "  -h, --help                show this help\n"
      << "  --version                 print the version\n";
    return s.str();
}

}  // namespace sse::server
