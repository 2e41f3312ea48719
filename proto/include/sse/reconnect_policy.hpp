// How long sse::reconnector waits before reconnecting, and when it gives up.
#pragma once

#include <chrono>
#include <cstdint>

namespace sse {

/// Options for sse::reconnector. The defaults are exactly a browser's EventSource: a 3000 ms
/// reconnection time, no backoff, no jitter, reconnect forever. Everything else is opt-in.
///
/// The spec allows the extras and no more: after "Wait a delay equal to the reconnection time of
/// the event source", a user agent may "Optionally, wait some more. In particular, if the previous
/// attempt failed, then user agents might introduce an exponential backoff delay" (WHATWG HTML
/// 9.2.3). So backoff and jitter only ever lengthen a wait; no option makes the reconnector wait
/// less than the reconnection time the server asked for with `retry`.
///
/// Out-of-range values are clamped by the reconnector's constructor: negative durations to 0, a
/// multiplier below 1 (or NaN) to 1, jitter to [0, 1].
struct reconnect_policy {
    /// The reconnection time before the stream sets one with `retry`. 9.2.2: "This must initially
    /// be an implementation-defined value, probably in the region of a few seconds." Chromium,
    /// WebKit and Firefox all use 3000 ms.
    std::chrono::milliseconds initial_reconnection_time{3000};

    /// Exponential backoff: after k consecutive failed connection attempts (k >= 1) the wait is
    /// reconnection_time * backoff_multiplier^k, capped at max_delay. 1.0 turns backoff off.
    /// An attempt fails when the connection is lost before the response opened the stream; a
    /// successful open resets k to 0, so the wait after an open stream ends is never backed off.
    double backoff_multiplier = 1.0;

    /// Upper bound for the backed-off wait, before jitter. Never shortens the reconnection time
    /// itself: the cap in effect is max(reconnection time, max_delay). Unused when
    /// backoff_multiplier is 1.0.
    std::chrono::milliseconds max_delay{30000};

    /// Random extra wait, as a fraction of the (backed-off) wait: every wait d becomes
    /// d + r with r uniform in [0, floor(d * jitter)]. Spreads out clients that all lost their
    /// connection at once (a server restart). 0.0 turns jitter off. With jitter the wait can
    /// exceed max_delay by up to that fraction.
    double jitter = 0.0;

    /// Seed of the jitter generator (splitmix64; one draw per wait, only when jitter > 0). Equal
    /// seeds give equal waits for equal inputs: no global RNG, no clock. Give every client its
    /// own seed (from a real entropy source, outside proto/) or they all jitter alike.
    std::uint64_t seed = 0;

    /// Give up after this many consecutive failed connection attempts: the failure that brings
    /// the count to max_attempts fails the connection (readyState CLOSED) instead of waiting.
    /// Counts the first connection too; a successful open resets the count. 0 means never give
    /// up, as browsers do.
    std::uint32_t max_attempts = 0;
};

}  // namespace sse
