// sse::reconnector against a tiny independent model (rc::state): random sequences of start,
// responses with random status and Content-Type, stream events with ids, retry, EOF, network
// errors, timers (early, on time, late), close and abort. After every command the reconnector's
// action (kind, deadline, error flag, Last-Event-ID, fail reason) and its observable state must
// equal the model's.
//
// The model is written from the spec's processing model (WHATWG HTML 9.2.2-9.2.4) and from the
// documented policy formulas in sse/reconnect_policy.hpp; it shares no code with the reconnector.
// Failures print the seed; rerun with RC_PARAMS="seed=<n>".
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sse/error.hpp"
#include "sse/handler.hpp"
#include "sse/parser.hpp"
#include "sse/reconnector.hpp"

namespace {

using std::chrono::milliseconds;
using i64 = std::int64_t;
constexpr i64 i64_max = std::numeric_limits<i64>::max();

// ---------------------------------------------------------------------------------------------
// The model

enum class phase { idle, requesting, open, waiting, closed };

struct model {
    sse::reconnect_policy policy;
    phase ph = phase::idle;
    i64 now = 0;
    i64 reconnection_time = 3000;
    i64 deadline = 0;
    std::uint32_t failed = 0;  // consecutive failed attempts since the last open
    std::uint64_t rng = 0;
    std::string last_id;                     // the EventSource's last event ID string
    std::string parser_id;                   // the parser's view of it
    std::optional<std::uint64_t> parser_retry;  // the last retry the parser saw
    // What update_from() last took from the parser: it applies only what changed since.
    std::string seen_parser_id;
    std::optional<std::uint64_t> seen_parser_retry;
};

// What the reconnector must return for one command.
struct expected {
    sse::action_kind kind = sse::action_kind::none;
    i64 when = 0;
    bool fire_error = false;
    bool send_last_event_id = false;
    std::string last_event_id;
    sse::fail_reason reason = sse::fail_reason::none;
};

expected make(sse::action_kind kind, i64 when, bool fire_error = false) {
    expected e;
    e.kind = kind;
    e.when = when;
    e.fire_error = fire_error;
    return e;
}

std::ostream& operator<<(std::ostream& os, phase p) {
    constexpr const char* names[] = {"idle", "requesting", "open", "waiting", "closed"};
    return os << names[static_cast<int>(p)];
}

i64 add_sat(i64 a, i64 b) { return (b > 0 && a > i64_max - b) ? i64_max : a + b; }

std::uint64_t splitmix64(std::uint64_t& x) {
    x += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// reconnect_policy.hpp: the wait is the reconnection time, times multiplier^k after k failed
// attempts, capped at max(reconnection time, max_delay), plus uniform [0, floor(d * jitter)].
i64 model_delay(model& m) {
    const i64 base = m.reconnection_time;
    i64 d = base;
    const double mult = m.policy.backoff_multiplier;
    if (m.failed > 0 && mult > 1.0) {
        const i64 cap = std::max(base, static_cast<i64>(m.policy.max_delay.count()));
        const double grown = static_cast<double>(base) * std::pow(mult, m.failed);
        d = grown >= static_cast<double>(cap) ? cap : std::max(base, static_cast<i64>(grown));
    }
    if (m.policy.jitter > 0.0) {
        const std::uint64_t draw = splitmix64(m.rng);
        const double span_d = static_cast<double>(d) * m.policy.jitter;
        i64 span = span_d >= 9.2e18 ? i64_max : static_cast<i64>(span_d);
        span = std::min(span, i64_max - d);
        d += static_cast<i64>(draw % (static_cast<std::uint64_t>(span) + 1));
    }
    return d;
}

expected connect(model& m, i64 at) {
    m.ph = phase::requesting;
    // The caller's loop seeds the new stream's parser with the last event ID string.
    m.parser_id = m.last_id;
    expected e = make(sse::action_kind::connect, at);
    // 9.2.3: Last-Event-ID only "If the EventSource object's last event ID string is not the
    // empty string".
    if (!m.last_id.empty()) {
        e.send_last_event_id = true;
        e.last_event_id = m.last_id;
    }
    return e;
}

expected fail(model& m, i64 at, sse::fail_reason why) {
    m.ph = phase::closed;
    expected e = make(sse::action_kind::fail, at, true);
    e.reason = why;
    return e;
}

// EOF and network errors: reestablish, unless the policy's attempt limit says give up.
expected lose(model& m, i64 at) {
    if (m.ph != phase::requesting && m.ph != phase::open) return {};
    if (m.ph == phase::requesting) {
        ++m.failed;
        if (m.policy.max_attempts != 0 && m.failed >= m.policy.max_attempts) {
            return fail(m, at, sse::fail_reason::attempts_exhausted);
        }
    }
    m.ph = phase::waiting;
    m.deadline = add_sat(at, model_delay(m));
    return make(sse::action_kind::wait, m.deadline, true);
}

void take_parser_state(model& m) {
    if (m.parser_id != m.seen_parser_id) {
        m.seen_parser_id = m.parser_id;
        m.last_id = m.parser_id;
    }
    if (m.parser_retry != m.seen_parser_retry) {
        m.seen_parser_retry = m.parser_retry;
        if (m.parser_retry) {
            m.reconnection_time =
                static_cast<i64>(std::min<std::uint64_t>(*m.parser_retry, i64_max));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The system under test: a reconnector and the parser its caller feeds.

class null_handler final : public sse::handler {
public:
    sse::action on_event(const sse::event&) override { return sse::action::proceed; }
};

struct sut {
    null_handler handler;
    sse::parser parser{handler};
    sse::reconnector rc;

    explicit sut(const sse::reconnect_policy& p) : rc(p) {}
};

sse::ready_state ready_state_of(phase p) {
    switch (p) {
    case phase::open: return sse::ready_state::open;
    case phase::closed: return sse::ready_state::closed;
    default: return sse::ready_state::connecting;
    }
}

void check_state(const model& m, const sut& s) {
    RC_ASSERT(s.rc.state() == ready_state_of(m.ph));
    RC_ASSERT(std::string(s.rc.last_event_id()) == m.last_id);
    RC_ASSERT(s.rc.reconnection_time().count() == m.reconnection_time);
    RC_ASSERT(s.rc.failed_attempts() == m.failed);
    if (m.ph == phase::waiting) {
        RC_ASSERT(s.rc.deadline().has_value());
        RC_ASSERT(s.rc.deadline()->count() == m.deadline);
    } else {
        RC_ASSERT(!s.rc.deadline().has_value());
    }
}

void check_action(const expected& e, const sse::reconnect_action& a, sut& s) {
    RC_ASSERT(a.kind == e.kind);
    RC_ASSERT(a.when.count() == (e.kind == sse::action_kind::none ? 0 : e.when));
    RC_ASSERT(a.fire_error == e.fire_error);
    RC_ASSERT(a.send_last_event_id == e.send_last_event_id);
    RC_ASSERT(std::string(a.last_event_id) == e.last_event_id);
    RC_ASSERT(a.reason == e.reason);
    // What a real caller does on connect: a new response body is a new stream, which starts
    // from the EventSource's last event ID string.
    if (a.kind == sse::action_kind::connect) RC_ASSERT(!s.parser.reset(s.rc.last_event_id()));
}

using command = rc::state::Command<model, sut>;

// A command that happens at a time `at` no earlier than the model's clock.
struct timed : command {
    i64 at = 0;
    timed() = default;
    explicit timed(const model& m) : at(add_sat(m.now, *rc::gen::inRange<i64>(0, 5000))) {}
    void checkPreconditions(const model& m) const override { RC_PRE(at >= m.now); }

    void apply(model& m) const override { (void)step(m); }
    void run(const model& m0, sut& s) const override {
        model m = m0;
        const expected e = step(m);
        check_action(e, act(s), s);
        check_state(m, s);
    }

    // Updates the model, returns the expected action.
    virtual expected step(model& m) const = 0;
    virtual sse::reconnect_action act(sut& s) const = 0;
};

struct start final : timed {
    using timed::timed;
    expected step(model& m) const override {
        m.now = at;
        if (m.ph != phase::idle) return {};
        return connect(m, at);
    }
    sse::reconnect_action act(sut& s) const override { return s.rc.start(milliseconds{at}); }
    void show(std::ostream& os) const override { os << "start @" << at; }
};

struct content_type_case {
    std::string value;
    bool is_event_stream;
};

const std::vector<content_type_case>& content_types() {
    static const std::vector<content_type_case> cases = {
        {"text/event-stream", true},
        {"text/event-stream; charset=utf-8", true},
        {"TEXT/Event-Stream", true},
        {" \ttext/event-stream ; x=y\r\n", true},
        {"text/plain, text/event-stream", true},
        {"", false},
        {"text/plain", false},
        {"text/event-streams", false},
        {"text /event-stream", false},
        {"text/event-stream, text/html", false},
        {"application/json", false},
    };
    return cases;
}

struct response final : timed {
    int status = 200;
    content_type_case ct;
    explicit response(const model& m)
        : timed(m),
          status(*rc::gen::weightedOneOf<int>({{6, rc::gen::just(200)},
                                               {1, rc::gen::element(204, 500, 301, 404, 503)},
                                               {1, rc::gen::inRange(100, 600)}})),
          ct(*rc::gen::weightedOneOf<content_type_case>(
              {{3, rc::gen::just(content_types()[0])},
               {3, rc::gen::elementOf(content_types())}})) {}

    expected step(model& m) const override {
        m.now = at;
        if (m.ph != phase::requesting) return {};
        // "if res's status is not 200, or if res's `Content-Type` is not `text/event-stream`,
        // then fail the connection."
        if (status != 200) return fail(m, at, sse::fail_reason::bad_status);
        if (!ct.is_event_stream) return fail(m, at, sse::fail_reason::not_event_stream);
        // "Otherwise, announce the connection": OPEN; the policy's failure count resets.
        m.ph = phase::open;
        m.failed = 0;
        return make(sse::action_kind::open, at);
    }
    sse::reconnect_action act(sut& s) const override {
        return s.rc.on_response(milliseconds{at}, status, ct.value);
    }
    void show(std::ostream& os) const override {
        os << "response " << status << " \"" << ct.value << "\" @" << at;
    }
};

struct end_of_stream final : timed {
    using timed::timed;
    expected step(model& m) const override {
        m.now = at;
        return lose(m, at);
    }
    sse::reconnect_action act(sut& s) const override {
        return s.rc.on_end_of_stream(milliseconds{at});
    }
    void show(std::ostream& os) const override { os << "end_of_stream @" << at; }
};

struct network_error final : timed {
    using timed::timed;
    expected step(model& m) const override {
        m.now = at;
        return lose(m, at);
    }
    sse::reconnect_action act(sut& s) const override {
        return s.rc.on_network_error(milliseconds{at});
    }
    void show(std::ostream& os) const override { os << "network_error @" << at; }
};

struct timer final : timed {
    explicit timer(const model& m) {
        const i64 jiggle = *rc::gen::inRange<i64>(0, 2000);
        if (m.ph != phase::waiting) {
            at = add_sat(m.now, jiggle);
            return;
        }
        switch (*rc::gen::inRange(0, 4)) {
        case 0: at = m.deadline; break;                                    // on time
        case 1: at = add_sat(m.deadline, jiggle); break;                   // late
        case 2: at = m.deadline > m.now ? m.deadline - 1 : m.now; break;  // 1 ms early
        default: at = add_sat(m.now, jiggle); break;                       // anywhere
        }
        at = std::max(at, m.now);
    }
    expected step(model& m) const override {
        m.now = at;
        if (m.ph != phase::waiting) return {};
        // "Wait a delay equal to the reconnection time": an early timer re-arms, no new error.
        if (at < m.deadline) return make(sse::action_kind::wait, m.deadline, false);
        return connect(m, at);
    }
    sse::reconnect_action act(sut& s) const override { return s.rc.on_timer(milliseconds{at}); }
    void show(std::ostream& os) const override { os << "timer @" << at; }
};

// Rare, so that sequences get somewhere before they end.
bool rarely() { return *rc::gen::inRange(0, 8) == 0; }

struct abort_fetch final : timed {
    explicit abort_fetch(const model& m) : timed(m) { RC_PRE(rarely()); }
    expected step(model& m) const override {
        m.now = at;
        if (m.ph == phase::closed) return {};
        return fail(m, at, sse::fail_reason::aborted);
    }
    sse::reconnect_action act(sut& s) const override { return s.rc.on_abort(milliseconds{at}); }
    void show(std::ostream& os) const override { os << "abort @" << at; }
};

struct close_source final : command {
    close_source() { RC_PRE(rarely()); }
    void apply(model& m) const override { m.ph = phase::closed; }
    void run(const model& m0, sut& s) const override {
        s.rc.close();
        model m = m0;
        apply(m);
        check_state(m, s);
    }
    void show(std::ostream& os) const override { os << "close"; }
};

const std::vector<std::string>& ids() {
    static const std::vector<std::string> values = {"", "1", "42", "abc", "\xce\xbb", " spaced "};
    return values;
}

// An event on the open stream, through the parser, then update_from() as a caller does.
struct stream_event final : command {
    std::optional<std::string> id;  // nullopt: no `id` field
    bool has_data = true;
    explicit stream_event(const model& m) : has_data(*rc::gen::arbitrary<bool>()) {
        RC_PRE(m.ph == phase::open);
        if (*rc::gen::inRange(0, 4) != 0) id = *rc::gen::elementOf(ids());
    }
    void checkPreconditions(const model& m) const override { RC_PRE(m.ph == phase::open); }
    void apply(model& m) const override {
        // 9.2.6: the id buffer becomes the last event ID string at dispatch, with or without data.
        if (id) m.parser_id = *id;
        take_parser_state(m);
    }
    void run(const model& m0, sut& s) const override {
        std::string bytes;
        if (id) bytes += "id: " + *id + "\n";
        if (has_data) bytes += "data: d\n";
        bytes += "\n";
        RC_ASSERT(!s.parser.feed(bytes).error);
        s.rc.update_from(s.parser);
        model m = m0;
        apply(m);
        check_state(m, s);
    }
    void show(std::ostream& os) const override {
        os << "event id=" << (id ? '"' + *id + '"' : std::string("none"))
           << (has_data ? " with data" : " without data");
    }
};

// A `retry` field on the open stream.
struct stream_retry final : command {
    std::uint64_t value = 0;
    explicit stream_retry(const model& m)
        : value(*rc::gen::weightedOneOf<std::uint64_t>(
              {{8, rc::gen::inRange<std::uint64_t>(0, 10000)},
               {1, rc::gen::just(std::numeric_limits<std::uint64_t>::max())}})) {
        RC_PRE(m.ph == phase::open);
    }
    void checkPreconditions(const model& m) const override { RC_PRE(m.ph == phase::open); }
    void apply(model& m) const override {
        m.parser_retry = value;
        take_parser_state(m);
    }
    void run(const model& m0, sut& s) const override {
        // UINT64_MAX is written with more digits than fit, which the parser saturates.
        const std::string digits = value == std::numeric_limits<std::uint64_t>::max()
                                       ? "99999999999999999999999"
                                       : std::to_string(value);
        RC_ASSERT(!s.parser.feed("retry: " + digits + "\n").error);
        s.rc.update_from(s.parser);
        model m = m0;
        apply(m);
        check_state(m, s);
    }
    void show(std::ostream& os) const override { os << "stream retry " << value; }
};

// on_retry() / on_last_event_id() called directly, in any state.
struct direct_retry final : command {
    std::uint64_t value = *rc::gen::inRange<std::uint64_t>(0, 20000);
    void apply(model& m) const override { m.reconnection_time = static_cast<i64>(value); }
    void run(const model& m0, sut& s) const override {
        s.rc.on_retry(value);
        model m = m0;
        apply(m);
        check_state(m, s);
    }
    void show(std::ostream& os) const override { os << "on_retry " << value; }
};

struct direct_id final : command {
    std::string id = *rc::gen::oneOf(
        rc::gen::elementOf(ids()),
        rc::gen::element<std::string>("a\nb", "\r", std::string("x\0y", 3)));
    bool valid() const { return id.find_first_of(std::string("\r\n\0", 3)) == std::string::npos; }
    void apply(model& m) const override {
        if (valid()) m.last_id = id;
    }
    void run(const model& m0, sut& s) const override {
        const std::error_code ec = s.rc.on_last_event_id(id);
        RC_ASSERT(static_cast<bool>(ec) == !valid());
        model m = m0;
        apply(m);
        check_state(m, s);
    }
    void show(std::ostream& os) const override {
        os << "on_last_event_id (" << id.size() << " bytes, " << (valid() ? "valid" : "invalid")
           << ")";
    }
};

void run_model(const sse::reconnect_policy& policy) {
    model m0;
    m0.policy = policy;
    m0.reconnection_time = policy.initial_reconnection_time.count();
    m0.rng = policy.seed;
    sut s(policy);
    rc::state::check(
        m0, s,
        rc::state::gen::execOneOfWithArgs<start, response, response, end_of_stream, network_error,
                                          network_error, timer, timer, timer, stream_event,
                                          stream_event, stream_retry, direct_retry, direct_id,
                                          abort_fetch, close_source>());
}

rc::Gen<sse::reconnect_policy> arbitrary_policy() {
    return rc::gen::exec([] {
        sse::reconnect_policy p;
        p.initial_reconnection_time = milliseconds{*rc::gen::inRange<i64>(0, 5000)};
        p.backoff_multiplier = *rc::gen::element(1.0, 1.5, 2.0, 3.0);
        p.max_delay = milliseconds{*rc::gen::inRange<i64>(0, 60000)};
        p.jitter = *rc::gen::element(0.0, 0.1, 0.5, 1.0);
        p.seed = *rc::gen::arbitrary<std::uint64_t>();
        p.max_attempts = *rc::gen::inRange<std::uint32_t>(0, 6);
        return p;
    });
}

}  // namespace

// The default reconnector is exactly a browser's EventSource.
RC_GTEST_PROP(reconnector_model, browser_defaults_match_the_model, ()) {
    run_model(sse::reconnect_policy{});
}

// Backoff, jitter and attempt limits follow the documented formulas in every state.
RC_GTEST_PROP(reconnector_model, any_policy_matches_the_model, ()) {
    run_model(*arbitrary_policy());
}
