// sse::server::redis_options: where the Redis backplane is and how the node uses it (--redis...).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sse::server {

/// The Redis backplane (server/README.md, "Several nodes: the Redis backplane"). With neither
/// `host` nor `sentinels` set (the default) the server is one process with no backplane.
struct redis_options {
    std::string host;          ///< from --redis redis://HOST:PORT[/DB]; empty: no direct address
    std::uint16_t port = 6379;
    int db = 0;
    std::string password;                ///< --redis-password-file (first line); empty: no AUTH
    std::vector<std::string> sentinels;  ///< --redis-sentinel HOST:PORT, asked in turn
    std::string master = "mymaster";     ///< --redis-master: the name Sentinel knows the primary by
    /// Prefix of the three keys used: PREFIX:stream, PREFIX:counter, PREFIX:epoch (and
    /// PREFIX:replid). Nodes sharing a hub share it.
    std::string key_prefix = "sse";
    /// Entries the stream keeps (XADD MAXLEN ~): how far a node can lag or be down and still catch
    /// up without a loss; also where a new node starts reading.
    std::size_t backlog = 100000;
    /// Connecting, AUTH and SELECT must finish within this.
    std::chrono::milliseconds connect_timeout{2000};
    /// Reconnection delay: from `reconnect_min` doubling up to `reconnect_max`, with jitter.
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{5000};
    /// A resume from an id this node has not ingested yet waits this long for it to arrive.
    std::chrono::milliseconds resume_wait{2000};

    /// True when a backplane is configured.
    bool enabled() const noexcept { return !host.empty() || !sentinels.empty(); }
};

/// Parses `redis://HOST[:PORT][/DB]` into `out` (host, port, db). Returns false, changing
/// nothing, for another scheme, an empty host, a bad port or database number, or a user or
/// password in the URL (use a password file: a URL ends up in process lists and logs).
bool parse_redis_url(std::string_view url, redis_options& out);

/// Splits `HOST:PORT` (a Sentinel address). Returns false if malformed.
bool parse_host_port(std::string_view text, std::string& host, std::uint16_t& port);

}  // namespace sse::server
