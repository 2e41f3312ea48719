// session_registry: the sessions of one kind alive right now, so shutdown can reach them (close
// idle keep-alive connections instead of waiting for their read timeout, end scripted streams) and
// the heartbeat can reach scripted streams that hold.
#pragma once

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace sse::server::detail {

/// Thread-safe set of weak references to sessions of type T.
template <typename T>
class session_registry {
public:
    /// Adds `s` (called by the session when it starts).
    void add(const std::shared_ptr<T>& s) {
        std::lock_guard lock(mutex_);
        sessions_.emplace(s.get(), s);
    }
    /// Removes the session at `key` (called from its destructor). Idempotent.
    void remove(const T* key) {
        std::lock_guard lock(mutex_);
        sessions_.erase(key);
    }
    /// The sessions still alive, as strong references the caller may act on.
    std::vector<std::shared_ptr<T>> alive() const {
        std::lock_guard lock(mutex_);
        std::vector<std::shared_ptr<T>> out;
        for (const auto& [key, weak] : sessions_)
            if (auto s = weak.lock()) out.push_back(std::move(s));
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<const T*, std::weak_ptr<T>> sessions_;
};

}  // namespace sse::server::detail
