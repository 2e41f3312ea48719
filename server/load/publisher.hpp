// sse-load's publisher: POSTs timestamped events at a fixed rate over a few keep-alive
// connections, on its own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "histogram.hpp"
#include "load_options.hpp"

namespace sse::load {

class publisher {
public:
    /// Prepares (does not start) publishing as `opts` says; opts must outlive the publisher.
    explicit publisher(const load_options& opts);
    ~publisher();

    /// Starts the publishing thread. Connection errors are counted, never fatal: a connection
    /// that fails is reopened on the next tick.
    void start();
    /// Stops publishing and joins the thread after the requests in flight were answered (at most
    /// 5 s; later answers are not counted).
    void stop();

    std::uint64_t published() const noexcept { return published_; }      ///< 2xx answers
    std::uint64_t errors() const noexcept { return errors_; }            ///< non-2xx or I/O errors
    std::uint64_t skipped() const noexcept { return skipped_; }          ///< behind by > 1 s: dropped
    double seconds() const noexcept { return seconds_; }                 ///< time spent publishing
    /// Publish-to-answer times in microseconds: from just before a request is written to its
    /// response read, for every answered request (any status). Read it after stop().
    const histogram& answer_latency() const noexcept { return answers_; }

    struct state;

private:
    const load_options& opts_;
    std::unique_ptr<state> state_;
    std::thread thread_;
    std::atomic<std::uint64_t> published_{0}, errors_{0}, skipped_{0};
    std::atomic<double> seconds_{0};
    histogram answers_;  // publisher thread only, until stop() joined it
    bool p_seconds_frozen_ = false;  // publisher thread only: the window ends at stop()
};

}  // namespace sse::load
