// session_registry: the HTTP sessions alive right now, so shutdown can close idle keep-alive
// connections instead of waiting for their read timeout.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace sse::server::detail {

class http_session;

/// Thread-safe set of weak references to HTTP sessions.
class session_registry {
public:
    /// Adds `s` (called by the session when it starts).
    void add(const std::shared_ptr<http_session>& s) {
        std::lock_guard lock(mutex_);
        sessions_.emplace(s.get(), s);
    }
    /// Removes the session at `key` (called from its destructor). Idempotent.
    void remove(const http_session* key) {
        std::lock_guard lock(mutex_);
        sessions_.erase(key);
    }
    /// The sessions still alive, as strong references the caller may act on.
    std::vector<std::shared_ptr<http_session>> alive() const {
        std::lock_guard lock(mutex_);
        std::vector<std::shared_ptr<http_session>> out;
        for (const auto& [key, weak] : sessions_)
            if (auto s = weak.lock()) out.push_back(std::move(s));
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<const http_session*, std::weak_ptr<http_session>> sessions_;
};

}  // namespace sse::server::detail
