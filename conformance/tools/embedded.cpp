#include "embedded.hpp"

#include <sse/server/server.hpp>

#include "server_session.hpp"

namespace sse::conformance {

std::unique_ptr<session> open_embedded_session(run_options& options, std::string& error) {
    sse::server::config cfg;
    cfg.address = "127.0.0.1";
    cfg.port = 0;
    cfg.threads = 2;
    cfg.heartbeat = std::chrono::milliseconds(1000);
    // server/large-event/1 publishes a 1 MiB event: the publish body and one subscriber's queue
    // must hold it (sse-server's defaults, 64 KiB and 1 MiB, refuse it and disconnect for it).
    cfg.max_body_size = std::size_t{4} << 20;
    cfg.queue_budget = std::size_t{4} << 20;
    cfg.logging.level = sse::server::log_level::error;  // the report speaks; the server stays quiet
    auto server = std::make_shared<sse::server::server>(cfg);
    if (auto ec = server->start()) {
        error = "cannot start the embedded sse-server on 127.0.0.1: " + ec.message();
        return nullptr;
    }
    const std::string origin = "http://127.0.0.1:" + std::to_string(server->port());
    options.url = origin + "/events?topic=conformance";
    options.publish_url = origin + "/publish?topic=conformance&data={data}&type={type}";
    auto s = open_server_session(options, error);
    if (!s) return nullptr;
    s->label = "sse-server (embedded) at " + options.url;
    s->resources = server;  // stopped (gracefully) when the session goes
    return s;
}

}  // namespace sse::conformance
