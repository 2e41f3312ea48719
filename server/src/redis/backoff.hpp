// backoff: the delay before the next reconnection attempt: capped exponential with full jitter.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace sse::server::detail {

/// Delays for successive failed attempts: attempt k waits a uniformly random time in
/// [first/2, min(first * 2^k, cap)] (jitter, so nodes that lost Redis together do not all come
/// back in the same millisecond). reset() after a success. Not thread-safe.
class backoff {
public:
    backoff(std::chrono::milliseconds first, std::chrono::milliseconds cap, std::uint64_t seed)
        : first_(std::max<std::int64_t>(first.count(), 1)), cap_(std::max(cap.count(), first_)),
          random_(seed) {}

    /// The delay before the next attempt; each call counts one more failure.
    std::chrono::milliseconds next() {
        std::int64_t ceiling = first_;
        for (unsigned k = 0; k < attempts_ && ceiling < cap_; ++k) ceiling *= 2;
        ceiling = std::min(ceiling, cap_);
        if (attempts_ < 64) ++attempts_;
        std::uniform_int_distribution<std::int64_t> pick(std::max<std::int64_t>(first_ / 2, 1),
                                                         ceiling);
        return std::chrono::milliseconds(pick(random_));
    }

    /// Back to the first delay (a connection succeeded).
    void reset() noexcept { attempts_ = 0; }

    /// Failures since the last reset().
    unsigned attempts() const noexcept { return attempts_; }

private:
    std::int64_t first_;
    std::int64_t cap_;
    unsigned attempts_ = 0;
    std::mt19937_64 random_;
};

}  // namespace sse::server::detail
