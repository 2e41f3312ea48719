// connection_slot: keeps the open-connections gauge right while a socket changes owner (the HTTP
// session hands an /events connection over to a stream session).
#pragma once

#include "sse/server/metrics.hpp"

namespace sse::server::detail {

/// Move-only token for one open connection: counts it on creation, uncounts it when the last
/// owner is destroyed.
class connection_slot {
public:
    explicit connection_slot(metrics& m) : metrics_(&m) {
        metrics::add(m.connections_open);
        metrics::add(m.connections_total);
    }
    connection_slot(connection_slot&& o) noexcept : metrics_(o.metrics_) { o.metrics_ = nullptr; }
    connection_slot& operator=(connection_slot&&) = delete;
    connection_slot(const connection_slot&) = delete;
    ~connection_slot() {
        if (metrics_) metrics::sub(metrics_->connections_open);
    }

private:
    metrics* metrics_;
};

}  // namespace sse::server::detail
