// Helpers for cases that publish: a nonce per run, and a sync point so a subscriber is known to
// be registered before the events under test are published.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "publisher.hpp"
#include "stream_capture.hpp"

namespace sse::conformance {

/// Publishes sync markers (data `sse-conformance sync NONCE/k`) until every reader has seen the
/// last one published, bounded by the readers' timeout. After it returns true, every event
/// published next reaches every reader (on a server that delivers in order). False: `error` says
/// why (publish failed, or a reader saw no marker in time).
bool sync_readers(const publisher& pub, std::vector<stream_reader*> readers, const std::string& nonce,
                  std::chrono::milliseconds timeout, std::string& error);

/// The events a reader saw after the last sync marker of `nonce`.
std::vector<seen_event> after_sync(const capture& c, const std::string& nonce);

/// A fresh nonce for this case (from its seed).
std::string make_nonce(std::uint64_t seed);

}  // namespace sse::conformance
