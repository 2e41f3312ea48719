// sse::reconnector: the EventSource connection state machine (WHATWG HTML 9.2.2-9.2.4), sans-I/O.
//
// Inputs are what happened (a response arrived, the stream ended, a timer fired), outputs are
// what to do next (connect, announce open, wait until T, fail). It never sleeps, never reads a
// clock and never draws from a global RNG: the caller passes the time in and owns every socket
// and timer, so the same code drives Asio, a wasm page and a simulated clock in tests.
//
// Time: every `now` and every `when` is a std::chrono::milliseconds count since an epoch the
// caller chooses. Use a monotonic clock (steady_clock::now().time_since_epoch(), performance.now()
// in JS); the reconnector only compares and adds these values.
//
// Usage: the caller's event loop is one switch. Call act(rc.start(now())) once, then
// act(rc.on_response(now(), status, content_type)), act(rc.on_end_of_stream(now())),
// act(rc.on_network_error(now())) or act(rc.on_timer(now())) as things happen; after each
// parser.feed(body_bytes), rc.update_from(parser). To stop: rc.close(), then abort the request
// and cancel the timer yourself.
//
//     void act(const sse::reconnect_action& a) {
//         if (a.fire_error) fire("error");           // readyState is already CONNECTING/CLOSED
//         switch (a.kind) {
//         case sse::action_kind::connect: parser.reset(rc.last_event_id());
//             http_get(url, a.send_last_event_id ? a.last_event_id : ""); break;
//         case sse::action_kind::open: fire("open"); break;
//         case sse::action_kind::wait: timer.arm_at(a.when); break;
//         case sse::action_kind::fail: abort_request(); break;  // final: never reconnects
//         case sse::action_kind::none: break;
//         }
//     }
//
// Redirects: the spec fetches with the default redirect mode, so 301/302/303/307/308 are followed
// by the caller's HTTP layer before it calls on_response() with the final response. A 3xx given
// to on_response() is "not 200" and fails the connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "sse/reconnect_policy.hpp"

namespace sse {

class parser;

/// EventSource's readyState (9.2.2), with the same numeric values.
enum class ready_state : unsigned char {
    /// "The connection has not yet been established, or it was closed and the user agent is
    /// reconnecting."
    connecting = 0,
    /// "The user agent has an open connection and is dispatching events as it receives them."
    open = 1,
    /// "The connection is not open, and the user agent is not trying to reconnect."
    closed = 2,
};

/// What the caller does next.
enum class action_kind : unsigned char {
    none,     ///< nothing (the input changed nothing, or was late: e.g. a timer after close())
    connect,  ///< reset the parser and send the request now, with Last-Event-ID if asked
    open,     ///< the response is a valid event stream: fire `open`, feed its body to the parser
    wait,     ///< arm a timer for `when`, then call on_timer(); nothing is connected meanwhile
    fail,     ///< readyState is CLOSED for good: abort the request if any; no more actions
};

/// Why an action_kind::fail happened.
enum class fail_reason : unsigned char {
    none,                ///< not a failure
    bad_status,          ///< the status was not 200 (204 is how a server says "stop")
    not_event_stream,    ///< 200, but the Content-Type essence is not text/event-stream
    aborted,             ///< the caller reported a user abort (on_abort)
    attempts_exhausted,  ///< reconnect_policy::max_attempts consecutive attempts failed
};

/// A short English description of `r`, for logs; static storage.
std::string_view to_string(fail_reason r) noexcept;

/// One output of the reconnector.
struct reconnect_action {
    action_kind kind = action_kind::none;

    /// For wait: the deadline (same epoch as `now`). For connect, open and fail: the `now`
    /// passed in. For none: 0.
    std::chrono::milliseconds when{0};

    /// True when the caller should fire an `error` event: on every wait that follows a lost
    /// connection ("Set the readyState attribute to CONNECTING. Fire an event named error") and
    /// on every fail. False on a re-armed wait (on_timer() called before the deadline).
    bool fire_error = false;

    /// For connect: whether to send a `Last-Event-ID` request header, and its value (UTF-8).
    /// True exactly when the last event ID string is non-empty. `last_event_id` is valid until
    /// the next call of a non-const member function of the reconnector that produced it.
    bool send_last_event_id = false;
    std::string_view last_event_id;

    /// For fail: why. fail_reason::none otherwise.
    fail_reason reason = fail_reason::none;
};

/// The state machine of one EventSource: readyState, reconnection time, last event ID string.
///
/// Not thread-safe; no exceptions; allocates only to store the last event ID string. Input
/// functions that do not apply in the current state (a response while nothing is requested, a
/// timer that is no longer armed, anything after close or fail) change nothing and return
/// action_kind::none, so a caller never has to track the state itself.
class reconnector {
public:
    /// A reconnector in readyState CONNECTING with nothing requested yet: call start().
    /// Out-of-range policy values are clamped (see reconnect_policy).
    explicit reconnector(reconnect_policy policy = {}) noexcept;

    /// The first connection (the EventSource constructor's fetch). Returns connect, with
    /// Last-Event-ID only if on_last_event_id() set one before (a browser never has one; a
    /// client resuming a saved position may). Returns none if already started or closed.
    [[nodiscard]] reconnect_action start(std::chrono::milliseconds now);

    /// The response's status line and `Content-Type` header value arrived (after redirects).
    /// Pass an empty `content_type` when the header is missing; it is only read during the call.
    /// Returns open for 200 with a text/event-stream essence (see is_event_stream()), otherwise
    /// fail (bad_status or not_event_stream): no reconnect. Returns none unless a connect is
    /// outstanding.
    [[nodiscard]] reconnect_action on_response(std::chrono::milliseconds now, int status,
                                               std::string_view content_type);

    /// The response body ended cleanly (EOF). Returns wait (fire_error set) for the reconnection
    /// time, plus the policy's backoff and jitter; fail (attempts_exhausted) if the policy's
    /// attempt limit is reached. Before any response this counts as a failed attempt, like
    /// on_network_error(). Returns none when no connection is outstanding or open.
    [[nodiscard]] reconnect_action on_end_of_stream(std::chrono::milliseconds now);

    /// The connection failed or broke (DNS, refused, reset, timeout), before or after open.
    /// Same results as on_end_of_stream(); a failure before open counts as a failed attempt.
    [[nodiscard]] reconnect_action on_network_error(std::chrono::milliseconds now);

    /// The timer armed for the last wait fired. Returns connect (with Last-Event-ID when the last
    /// event ID string is non-empty) once `now` has reached the deadline; wait with the same
    /// deadline and fire_error false if called early; none if no wait is pending (e.g. a late
    /// timer after close()).
    [[nodiscard]] reconnect_action on_timer(std::chrono::milliseconds now);

    /// The fetch was aborted by the user agent or user (not by close()): returns fail (aborted)
    /// in any state but CLOSED, none when already closed.
    [[nodiscard]] reconnect_action on_abort(std::chrono::milliseconds now);

    /// EventSource.close(): readyState becomes CLOSED silently (no `error` event) and every later
    /// input returns none. The caller aborts its own request and timer.
    void close() noexcept;

    /// Sets the last event ID string (as the parser's dispatch does). Copied. Returns
    /// errc::id_has_nul or errc::id_has_line_break, and keeps the previous value, for an id a
    /// parser can never produce and a header cannot carry (U+0000, CR, LF). Accepted in any state.
    std::error_code on_last_event_id(std::string_view id);

    /// Sets the reconnection time (9.2.6 `retry`), in milliseconds; kept across reconnections and
    /// used by every later wait. Values above INT64_MAX saturate. Accepted in any state.
    void on_retry(std::uint64_t milliseconds) noexcept;

    /// Takes what `p` changed since the previous call: its last event ID string and the
    /// reconnection time its stream set. Call it after each parser::feed(). Prefer this to
    /// forwarding handler::on_event(): an event with an `id` but no `data` updates the last event
    /// ID string without firing an event. Only changes are taken, so an id or retry set directly
    /// (a saved position, a caller's own retry) is not overwritten by a parser that has not seen
    /// a new one; on connect, seed the parser with parser::reset(rc.last_event_id()).
    void update_from(const parser& p);

    /// readyState. Before start() it is already CONNECTING, as for a new EventSource.
    ready_state state() const noexcept;
    /// True after close(), and after a fail: nothing will ever be returned but none.
    bool is_closed() const noexcept { return state() == ready_state::closed; }

    /// The last event ID string; the view is valid until the next non-const call.
    std::string_view last_event_id() const noexcept { return last_event_id_; }

    /// The reconnection time: the policy's initial value until the stream sets `retry`.
    std::chrono::milliseconds reconnection_time() const noexcept { return reconnection_time_; }

    /// The deadline of the pending wait, if one is pending.
    std::optional<std::chrono::milliseconds> deadline() const noexcept;

    /// Consecutive connection attempts that failed since the last successful open.
    std::uint32_t failed_attempts() const noexcept { return failed_attempts_; }

    /// The policy in use, after clamping.
    const reconnect_policy& policy() const noexcept { return policy_; }

private:
    enum class phase : unsigned char { idle, requesting, open, waiting, closed };

    reconnect_action connect(std::chrono::milliseconds now) noexcept;
    reconnect_action fail(std::chrono::milliseconds now, fail_reason why) noexcept;
    reconnect_action lost(std::chrono::milliseconds now) noexcept;
    std::chrono::milliseconds next_delay() noexcept;

    reconnect_policy policy_;
    phase phase_ = phase::idle;
    std::string last_event_id_;
    std::chrono::milliseconds reconnection_time_;
    std::chrono::milliseconds deadline_{0};
    std::uint32_t failed_attempts_ = 0;
    double backoff_factor_ = 1.0;  // backoff_multiplier ^ failed_attempts_, bounded
    std::uint64_t rng_state_;      // splitmix64
    // What update_from() last saw in a parser, so it applies only what changed.
    std::string seen_last_event_id_;
    std::optional<std::uint64_t> seen_retry_;
};

}  // namespace sse
