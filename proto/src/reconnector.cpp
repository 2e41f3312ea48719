#include "sse/reconnector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "sse/content_type.hpp"
#include "sse/detail/field.hpp"
#include "sse/error.hpp"
#include "sse/parser.hpp"

namespace sse {
namespace {

using std::chrono::milliseconds;
using rep = milliseconds::rep;
constexpr rep rep_max = std::numeric_limits<rep>::max();

// Deadlines saturate instead of wrapping, so `retry: 99999999999999999999` means "wait for
// ever", never "reconnect in the past".
milliseconds saturating_add(milliseconds t, milliseconds d) noexcept {
    if (d.count() > 0 && t.count() > rep_max - d.count()) return milliseconds::max();
    return t + d;
}

// splitmix64 (Steele, Lea, Flood 2014): tiny, seedable with any value, good enough for jitter.
std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Largest double below 2^63, so converting anything <= it to int64 is defined.
constexpr double rep_max_as_double = 9223372036854774784.0;

rep floor_to_rep(double x) noexcept {
    if (!(x > 0.0)) return 0;
    if (x >= rep_max_as_double) return rep_max;
    return static_cast<rep>(x);
}

reconnect_policy clamped(reconnect_policy p) noexcept {
    p.initial_reconnection_time = std::max(p.initial_reconnection_time, milliseconds{0});
    p.max_delay = std::max(p.max_delay, milliseconds{0});
    if (!(p.backoff_multiplier >= 1.0)) p.backoff_multiplier = 1.0;  // also NaN
    if (!(p.jitter >= 0.0)) p.jitter = 0.0;
    if (p.jitter > 1.0) p.jitter = 1.0;
    if (std::isinf(p.backoff_multiplier)) p.backoff_multiplier = 1e18;
    return p;
}

// The backoff factor is clamped here so it never overflows to infinity; any realistic cap is
// reached long before.
constexpr double max_backoff_factor = 1e18;

}  // namespace

std::string_view to_string(fail_reason r) noexcept {
    switch (r) {
    case fail_reason::none: return "no failure";
    case fail_reason::bad_status: return "the response status was not 200";
    case fail_reason::not_event_stream:
        return "the response Content-Type was not text/event-stream";
    case fail_reason::aborted: return "the request was aborted";
    case fail_reason::attempts_exhausted: return "too many consecutive failed connection attempts";
    }
    return "unknown failure";
}

reconnector::reconnector(reconnect_policy policy) noexcept
    : policy_(clamped(policy)),
      reconnection_time_(policy_.initial_reconnection_time),
      rng_state_(policy_.seed) {}

reconnect_action reconnector::start(milliseconds now) {
    if (phase_ != phase::idle) return {};
    return connect(now);
}

reconnect_action reconnector::on_response(milliseconds now, int status,
                                          std::string_view content_type) {
    if (phase_ != phase::requesting) return {};

    // 9.2.2, processResponse step 3: "Otherwise, if res's status is not 200, or if res's
    // `Content-Type` is not `text/event-stream`, then fail the connection."
    if (status != 200) return fail(now, fail_reason::bad_status);
    if (!is_event_stream(content_type)) return fail(now, fail_reason::not_event_stream);

    // Step 4: "Otherwise, announce the connection and interpret res's body line by line."
    // 9.2.3: "announce the connection ... sets the readyState attribute to OPEN and fires an
    // event named open".
    phase_ = phase::open;
    failed_attempts_ = 0;
    backoff_factor_ = 1.0;
    reconnect_action a;
    a.kind = action_kind::open;
    a.when = now;
    return a;
}

reconnect_action reconnector::on_end_of_stream(milliseconds now) {
    // 9.2.2 step 14: "Let processEventSourceEndOfBody given response res be the following step:
    // if res is not a network error, then reestablish the connection."
    return lost(now);
}

reconnect_action reconnector::on_network_error(milliseconds now) {
    // 9.2.2 processResponse step 2: "Otherwise, if res is a network error, then reestablish the
    // connection, unless the user agent knows that to be futile, in which case the user agent may
    // fail the connection." (Only the policy's max_attempts ever judges it futile.)
    return lost(now);
}

reconnect_action reconnector::on_timer(milliseconds now) {
    if (phase_ != phase::waiting) return {};
    // 9.2.3 reestablish step 2: "Wait a delay equal to the reconnection time of the event
    // source." A timer that fires early does not shorten it.
    if (now < deadline_) {
        reconnect_action a;
        a.kind = action_kind::wait;
        a.when = deadline_;
        return a;
    }
    // Step 5.1: "If the EventSource object's readyState attribute is not set to CONNECTING, then
    // return." (close() and fail leave phase::waiting, so that return happened above.)
    return connect(now);
}

reconnect_action reconnector::on_abort(milliseconds now) {
    if (phase_ == phase::closed) return {};
    // 9.2.2 processResponse step 1: "If res is an aborted network error, then fail the
    // connection."
    return fail(now, fail_reason::aborted);
}

void reconnector::close() noexcept {
    // 9.2.2: "The close() method must abort any instances of the fetch algorithm started for this
    // EventSource object, and must set the readyState attribute to CLOSED." No event is fired.
    phase_ = phase::closed;
}

std::error_code reconnector::on_last_event_id(std::string_view id) {
    // 9.2.4: the value space is "essentially any UTF-8 encoded string, that does not contain
    // U+0000 NULL, U+000A LF, or U+000D CR". A CR or LF would also inject a request header.
    if (const std::error_code ec = detail::check_id(id)) return ec;
    if (id != last_event_id_) last_event_id_.assign(id);
    return {};
}

void reconnector::on_retry(std::uint64_t ms) noexcept {
    // 9.2.6 `retry`: "interpret the field value as an integer in base ten, and set the event
    // stream's reconnection time to that integer."
    const auto max = static_cast<std::uint64_t>(rep_max);
    reconnection_time_ = milliseconds{static_cast<rep>(std::min(ms, max))};
}

void reconnector::update_from(const parser& p) {
    if (p.last_event_id() != seen_last_event_id_) {
        seen_last_event_id_ = p.last_event_id();
        // The parser's last event ID string has no NUL, CR or LF, so this cannot fail.
        (void)on_last_event_id(seen_last_event_id_);
    }
    if (p.retry() != seen_retry_) {
        seen_retry_ = p.retry();
        if (seen_retry_) on_retry(*seen_retry_);
    }
}

ready_state reconnector::state() const noexcept {
    switch (phase_) {
    case phase::open: return ready_state::open;
    case phase::closed: return ready_state::closed;
    case phase::idle:
    case phase::requesting:
    case phase::waiting: break;
    }
    // 9.2.2: "When the object is created, its readyState must be set to CONNECTING (0)."
    return ready_state::connecting;
}

std::optional<milliseconds> reconnector::deadline() const noexcept {
    if (phase_ != phase::waiting) return std::nullopt;
    return deadline_;
}

reconnect_action reconnector::connect(milliseconds now) noexcept {
    phase_ = phase::requesting;
    reconnect_action a;
    a.kind = action_kind::connect;
    a.when = now;
    // 9.2.3 reestablish step 5.3: "If the EventSource object's last event ID string is not the
    // empty string, then: ... Set (`Last-Event-ID`, lastEventIDValue) in request's header list."
    // Like Chromium and Firefox, every request starts without the header, so an ID that became
    // empty is not sent again.
    if (!last_event_id_.empty()) {
        a.send_last_event_id = true;
        a.last_event_id = last_event_id_;
    }
    return a;
}

reconnect_action reconnector::fail(milliseconds now, fail_reason why) noexcept {
    // 9.2.3: "When a user agent is to fail the connection, the user agent must queue a task
    // which, if the readyState attribute is set to a value other than CLOSED, sets the readyState
    // attribute to CLOSED and fires an event named error at the EventSource object. Once the user
    // agent has failed the connection, it does not attempt to reconnect."
    phase_ = phase::closed;
    reconnect_action a;
    a.kind = action_kind::fail;
    a.when = now;
    a.fire_error = true;
    a.reason = why;
    return a;
}

reconnect_action reconnector::lost(milliseconds now) noexcept {
    if (phase_ != phase::requesting && phase_ != phase::open) return {};

    // A connection lost before it opened is a failed attempt: the policy's backoff and attempt
    // limit count those ("if the previous attempt failed", 9.2.3 reestablish step 3).
    if (phase_ == phase::requesting) {
        if (failed_attempts_ != std::numeric_limits<std::uint32_t>::max()) ++failed_attempts_;
        backoff_factor_ =
            std::min(backoff_factor_ * policy_.backoff_multiplier, max_backoff_factor);
        if (policy_.max_attempts != 0 && failed_attempts_ >= policy_.max_attempts) {
            return fail(now, fail_reason::attempts_exhausted);
        }
    }

    // 9.2.3 reestablish step 1: "If the readyState attribute is set to CLOSED, abort the task.
    // Set the readyState attribute to CONNECTING. Fire an event named error at the EventSource
    // object."
    phase_ = phase::waiting;
    deadline_ = saturating_add(now, next_delay());
    reconnect_action a;
    a.kind = action_kind::wait;
    a.when = deadline_;
    a.fire_error = true;
    return a;
}

milliseconds reconnector::next_delay() noexcept {
    // 9.2.3 reestablish step 2: "Wait a delay equal to the reconnection time of the event
    // source."
    const milliseconds base = reconnection_time_;
    milliseconds delay = base;

    // Step 3: "Optionally, wait some more. In particular, if the previous attempt failed, then
    // user agents might introduce an exponential backoff delay to avoid overloading a potentially
    // already overloaded server." Off unless the policy asks; never below `base`.
    if (backoff_factor_ > 1.0) {
        const milliseconds cap = std::max(base, policy_.max_delay);
        const double grown = static_cast<double>(base.count()) * backoff_factor_;
        delay = grown >= static_cast<double>(cap.count())
                    ? cap
                    : std::max(base, milliseconds{floor_to_rep(grown)});
    }

    // Jitter lengthens only, for the same reason: d + uniform [0, floor(d * jitter)].
    if (policy_.jitter > 0.0) {
        const std::uint64_t draw = splitmix64(rng_state_);
        rep span = floor_to_rep(static_cast<double>(delay.count()) * policy_.jitter);
        span = std::min(span, rep_max - delay.count());
        const auto extra = draw % (static_cast<std::uint64_t>(span) + 1);
        delay += milliseconds{static_cast<rep>(extra)};
    }
    return delay;
}

}  // namespace sse
