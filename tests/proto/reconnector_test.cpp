// sse::reconnector and sse::is_event_stream: the EventSource processing model (WHATWG HTML
// 9.2.2-9.2.4) step by step, the browser defaults, and the opt-in policy. The same machine is
// checked against an independent model over random command sequences in
// tests/property/reconnector_model.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sse/error.hpp"
#include "sse/handler.hpp"
#include "sse/parser.hpp"
#include "sse/reconnector.hpp"

namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using sse::action_kind;
using sse::fail_reason;
using sse::ready_state;
using sse::reconnect_action;
using sse::reconnector;

constexpr std::string_view event_stream = "text/event-stream";

class ignore_all final : public sse::handler {
public:
    sse::action on_event(const sse::event&) override { return sse::action::proceed; }
};

// Opens `rc` at `now`: start (or a due timer) then a 200 text/event-stream response.
void open_at(reconnector& rc, milliseconds now) {
    const reconnect_action c = rc.deadline() ? rc.on_timer(now) : rc.start(now);
    ASSERT_EQ(c.kind, action_kind::connect);
    ASSERT_EQ(rc.on_response(now, 200, event_stream).kind, action_kind::open);
}

// ---------------------------------------------------------------------------------------------
// Lifecycle with the browser defaults

TEST(reconnector, starts_connecting_with_browser_defaults) {
    const reconnector rc;
    EXPECT_EQ(rc.state(), ready_state::connecting);
    EXPECT_EQ(rc.reconnection_time(), 3000ms);  // Chromium, WebKit and Firefox: 3000 ms
    EXPECT_EQ(rc.last_event_id(), "");
    EXPECT_FALSE(rc.deadline().has_value());
    EXPECT_EQ(rc.failed_attempts(), 0u);
    EXPECT_EQ(rc.policy().backoff_multiplier, 1.0);
    EXPECT_EQ(rc.policy().jitter, 0.0);
    EXPECT_EQ(rc.policy().max_attempts, 0u);
}

TEST(reconnector, full_lifecycle) {
    ignore_all h;
    sse::parser p(h);
    reconnector rc;

    // new EventSource(url): fetch, no Last-Event-ID on the first request.
    const reconnect_action c1 = rc.start(1000ms);
    EXPECT_EQ(c1.kind, action_kind::connect);
    EXPECT_EQ(c1.when, 1000ms);
    EXPECT_FALSE(c1.send_last_event_id);
    EXPECT_FALSE(c1.fire_error);
    EXPECT_EQ(rc.state(), ready_state::connecting);
    EXPECT_EQ(rc.start(1001ms).kind, action_kind::none);  // already started

    // 200 + text/event-stream: announce the connection.
    const reconnect_action o1 = rc.on_response(1200ms, 200, "text/event-stream; charset=utf-8");
    EXPECT_EQ(o1.kind, action_kind::open);
    EXPECT_FALSE(o1.fire_error);
    EXPECT_EQ(rc.state(), ready_state::open);
    EXPECT_EQ(rc.on_response(1201ms, 200, event_stream).kind, action_kind::none);  // not expected

    // Events with ids; a timer that is not armed does nothing.
    ASSERT_FALSE(p.feed("id: 41\ndata: a\n\nid: 42\ndata: b\n\n").error);
    rc.update_from(p);
    EXPECT_EQ(rc.last_event_id(), "42");
    EXPECT_EQ(rc.on_timer(5000ms).kind, action_kind::none);
    EXPECT_EQ(rc.state(), ready_state::open);

    // Clean EOF: readyState CONNECTING, fire error, wait the reconnection time.
    const reconnect_action w1 = rc.on_end_of_stream(10'000ms);
    EXPECT_EQ(w1.kind, action_kind::wait);
    EXPECT_EQ(w1.when, 13'000ms);
    EXPECT_TRUE(w1.fire_error);
    EXPECT_EQ(rc.state(), ready_state::connecting);
    EXPECT_EQ(rc.deadline(), 13'000ms);
    EXPECT_EQ(rc.on_end_of_stream(10'001ms).kind, action_kind::none);  // already lost
    EXPECT_EQ(rc.on_response(10'002ms, 200, event_stream).kind, action_kind::none);

    // The timer: reconnect with Last-Event-ID.
    const reconnect_action c2 = rc.on_timer(13'000ms);
    EXPECT_EQ(c2.kind, action_kind::connect);
    EXPECT_TRUE(c2.send_last_event_id);
    EXPECT_EQ(c2.last_event_id, "42");
    EXPECT_FALSE(rc.deadline().has_value());
    p.reset();

    EXPECT_EQ(rc.on_response(13'100ms, 200, event_stream).kind, action_kind::open);
    ASSERT_FALSE(p.feed("data: no id keeps 42\n\n").error);
    rc.update_from(p);

    // A network error after open also reconnects.
    const reconnect_action w2 = rc.on_network_error(20'000ms);
    EXPECT_EQ(w2.kind, action_kind::wait);
    EXPECT_EQ(w2.when, 23'000ms);
    EXPECT_TRUE(w2.fire_error);

    // close(): CLOSED, and nothing more ever happens.
    rc.close();
    EXPECT_EQ(rc.state(), ready_state::closed);
    EXPECT_TRUE(rc.is_closed());
    EXPECT_EQ(rc.on_timer(23'000ms).kind, action_kind::none);
    EXPECT_EQ(rc.start(23'000ms).kind, action_kind::none);
    EXPECT_EQ(rc.on_abort(23'000ms).kind, action_kind::none);
    EXPECT_EQ(rc.state(), ready_state::closed);
}

TEST(reconnector, opens_on_200_with_any_spelling_of_text_event_stream) {
    for (const std::string_view ct :
         {"text/event-stream", "text/event-stream; charset=utf-8", "TEXT/Event-Stream",
          " text/event-stream ", "text/event-stream ;charset=UTF-8", "\ttext/event-stream\t"}) {
        reconnector rc;
        ASSERT_EQ(rc.start(0ms).kind, action_kind::connect);
        const reconnect_action a = rc.on_response(5ms, 200, ct);
        EXPECT_EQ(a.kind, action_kind::open) << ct;
        EXPECT_EQ(a.when, 5ms);
        EXPECT_EQ(rc.state(), ready_state::open) << ct;
    }
}

// A fail is final: CLOSED, one error event, and no later input brings it back.
void expect_failed_for_good(reconnector& rc, const reconnect_action& a, fail_reason why) {
    EXPECT_EQ(a.kind, action_kind::fail);
    EXPECT_EQ(a.reason, why) << sse::to_string(a.reason);
    EXPECT_TRUE(a.fire_error);
    EXPECT_EQ(rc.state(), ready_state::closed);
    EXPECT_FALSE(rc.deadline().has_value());
    EXPECT_EQ(rc.on_end_of_stream(1'000'000ms).kind, action_kind::none);
    EXPECT_EQ(rc.on_network_error(1'000'000ms).kind, action_kind::none);
    EXPECT_EQ(rc.on_timer(1'000'000ms).kind, action_kind::none);
    EXPECT_EQ(rc.on_timer(milliseconds::max()).kind, action_kind::none);
    EXPECT_EQ(rc.start(1'000'000ms).kind, action_kind::none);
    EXPECT_EQ(rc.on_response(1'000'000ms, 200, event_stream).kind, action_kind::none);
    EXPECT_EQ(rc.state(), ready_state::closed);
}

TEST(reconnector, any_status_but_200_fails_without_reconnecting) {
    // 204 is the server's way to say stop; 3xx reaching the reconnector were not followed.
    for (const int status : {204, 201, 202, 206, 299, 301, 302, 304, 307, 308, 400, 401, 404, 410,
                             429, 500, 502, 503, 0, -1, 100}) {
        reconnector rc;
        ASSERT_EQ(rc.start(0ms).kind, action_kind::connect);
        const reconnect_action a = rc.on_response(7ms, status, event_stream);
        SCOPED_TRACE(status);
        EXPECT_EQ(a.when, 7ms);
        expect_failed_for_good(rc, a, fail_reason::bad_status);
    }
}

TEST(reconnector, another_or_missing_content_type_fails_without_reconnecting) {
    for (const std::string_view ct : {"text/plain", "", "text/html", "application/json",
                                      "text/event-streamx", "text/ event-stream"}) {
        reconnector rc;
        ASSERT_EQ(rc.start(0ms).kind, action_kind::connect);
        SCOPED_TRACE(ct);
        expect_failed_for_good(rc, rc.on_response(0ms, 200, ct), fail_reason::not_event_stream);
    }
}

TEST(reconnector, a_failure_on_reconnection_is_just_as_final) {
    reconnector rc;
    open_at(rc, 0ms);
    ASSERT_EQ(rc.on_end_of_stream(100ms).kind, action_kind::wait);
    ASSERT_EQ(rc.on_timer(3100ms).kind, action_kind::connect);
    expect_failed_for_good(rc, rc.on_response(3200ms, 204, ""), fail_reason::bad_status);
}

TEST(reconnector, eof_waits_exactly_the_reconnection_time) {
    reconnector rc;
    open_at(rc, 0ms);
    const reconnect_action w = rc.on_end_of_stream(12'345ms);
    EXPECT_EQ(w.kind, action_kind::wait);
    EXPECT_EQ(w.when, 15'345ms);
    // Early timer: keep waiting for the same deadline, no second error event.
    const reconnect_action early = rc.on_timer(15'344ms);
    EXPECT_EQ(early.kind, action_kind::wait);
    EXPECT_EQ(early.when, 15'345ms);
    EXPECT_FALSE(early.fire_error);
    EXPECT_EQ(rc.state(), ready_state::connecting);
    EXPECT_EQ(rc.on_timer(15'345ms).kind, action_kind::connect);
    // A second firing of the same timer is stale.
    EXPECT_EQ(rc.on_timer(15'346ms).kind, action_kind::none);
}

TEST(reconnector, late_timer_connects_at_its_own_time) {
    reconnector rc;
    open_at(rc, 0ms);
    ASSERT_EQ(rc.on_end_of_stream(0ms).kind, action_kind::wait);
    const reconnect_action c = rc.on_timer(9000ms);
    EXPECT_EQ(c.kind, action_kind::connect);
    EXPECT_EQ(c.when, 9000ms);
}

TEST(reconnector, retry_from_the_stream_is_used_and_kept_across_reconnections) {
    ignore_all h;
    sse::parser p(h);
    reconnector rc;
    open_at(rc, 0ms);
    ASSERT_FALSE(p.feed("retry: 1500\n\n").error);
    rc.update_from(p);
    EXPECT_EQ(rc.reconnection_time(), 1500ms);
    EXPECT_EQ(rc.on_end_of_stream(100ms).when, 1600ms);

    // The new stream says nothing about retry: 1500 is kept.
    open_at(rc, 1600ms);
    p.reset();
    ASSERT_FALSE(p.feed("data: x\n\n").error);
    rc.update_from(p);
    EXPECT_EQ(rc.on_network_error(2000ms).when, 3500ms);
}

TEST(reconnector, retry_updated_mid_stream_is_used_for_the_next_wait) {
    reconnector rc;
    open_at(rc, 0ms);
    rc.on_retry(100);
    rc.on_retry(250);
    EXPECT_EQ(rc.on_end_of_stream(1000ms).when, 1250ms);
    open_at(rc, 1250ms);
    rc.on_retry(0);  // "retry: 0" means reconnect at once
    EXPECT_EQ(rc.on_end_of_stream(2000ms).when, 2000ms);
    EXPECT_EQ(rc.on_timer(2000ms).kind, action_kind::connect);
}

TEST(reconnector, retry_set_while_waiting_applies_to_the_following_wait_only) {
    reconnector rc;
    open_at(rc, 0ms);
    ASSERT_EQ(rc.on_end_of_stream(0ms).when, 3000ms);
    rc.on_retry(10);
    EXPECT_EQ(rc.deadline(), 3000ms);
    EXPECT_EQ(rc.on_timer(2999ms).when, 3000ms);
    open_at(rc, 3000ms);
    EXPECT_EQ(rc.on_end_of_stream(4000ms).when, 4010ms);
}

TEST(reconnector, absurd_retry_saturates_the_deadline) {
    reconnector rc;
    open_at(rc, 5ms);
    rc.on_retry(std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(rc.reconnection_time(), milliseconds::max());
    const reconnect_action w = rc.on_end_of_stream(1000ms);
    EXPECT_EQ(w.when, milliseconds::max());
    EXPECT_EQ(rc.on_timer(1'000'000'000ms).kind, action_kind::wait);
    EXPECT_EQ(rc.on_timer(milliseconds::max()).kind, action_kind::connect);
}

TEST(reconnector, last_event_id_is_sent_only_when_non_empty) {
    ignore_all h;
    sse::parser p(h);
    reconnector rc;
    open_at(rc, 0ms);

    // No id yet: no header.
    ASSERT_EQ(rc.on_end_of_stream(0ms).kind, action_kind::wait);
    const reconnect_action c1 = rc.on_timer(3000ms);
    EXPECT_FALSE(c1.send_last_event_id);
    EXPECT_EQ(c1.last_event_id, "");

    ASSERT_EQ(rc.on_response(3000ms, 200, event_stream).kind, action_kind::open);
    ASSERT_FALSE(p.feed("id: \xce\xbb-7\ndata: x\n\n").error);
    rc.update_from(p);
    ASSERT_EQ(rc.on_end_of_stream(4000ms).kind, action_kind::wait);
    const reconnect_action c2 = rc.on_timer(7000ms);
    EXPECT_TRUE(c2.send_last_event_id);
    EXPECT_EQ(c2.last_event_id, "\xce\xbb-7");  // UTF-8, as the header carries it

    // The server clears the id with an empty `id`: no header on the next request.
    p.reset();
    ASSERT_EQ(rc.on_response(7000ms, 200, event_stream).kind, action_kind::open);
    ASSERT_FALSE(p.feed("id\ndata: y\n\n").error);
    rc.update_from(p);
    EXPECT_EQ(rc.last_event_id(), "");
    ASSERT_EQ(rc.on_network_error(8000ms).kind, action_kind::wait);
    const reconnect_action c3 = rc.on_timer(11'000ms);
    EXPECT_EQ(c3.kind, action_kind::connect);
    EXPECT_FALSE(c3.send_last_event_id);
}

TEST(reconnector, an_id_without_data_still_sets_the_last_event_id) {
    // 9.2.6: dispatch sets the last event ID string before returning on an empty data buffer;
    // no event fires, so only update_from() sees it.
    ignore_all h;
    sse::parser p(h);
    reconnector rc;
    open_at(rc, 0ms);
    ASSERT_FALSE(p.feed("id: 9\n\n").error);
    rc.update_from(p);
    ASSERT_EQ(rc.on_end_of_stream(0ms).kind, action_kind::wait);
    const reconnect_action c = rc.on_timer(3000ms);
    EXPECT_TRUE(c.send_last_event_id);
    EXPECT_EQ(c.last_event_id, "9");
}

TEST(reconnector, an_id_in_an_event_cut_off_by_eof_is_not_sent) {
    ignore_all h;
    sse::parser p(h);
    reconnector rc;
    open_at(rc, 0ms);
    ASSERT_FALSE(p.feed("id: 1\ndata: a\n\nid: 2\ndata: b\n").error);
    (void)p.finish();
    rc.update_from(p);
    ASSERT_EQ(rc.on_end_of_stream(0ms).kind, action_kind::wait);
    EXPECT_EQ(rc.on_timer(3000ms).last_event_id, "1");
}

TEST(reconnector, rejects_ids_a_header_cannot_carry) {
    reconnector rc;
    EXPECT_FALSE(rc.on_last_event_id("ok"));
    EXPECT_EQ(rc.on_last_event_id(std::string_view("a\0b", 3)), sse::errc::id_has_nul);
    EXPECT_EQ(rc.on_last_event_id("a\r\nX-Injected: 1"), sse::errc::id_has_line_break);
    EXPECT_EQ(rc.on_last_event_id("a\n"), sse::errc::id_has_line_break);
    EXPECT_EQ(rc.on_last_event_id("\r"), sse::errc::id_has_line_break);
    EXPECT_EQ(rc.last_event_id(), "ok");
}

TEST(reconnector, an_id_set_before_start_resumes_a_saved_position) {
    reconnector rc;
    ASSERT_FALSE(rc.on_last_event_id("saved-17"));
    const reconnect_action c = rc.start(0ms);
    EXPECT_TRUE(c.send_last_event_id);
    EXPECT_EQ(c.last_event_id, "saved-17");
}

TEST(reconnector, a_saved_position_survives_a_stream_that_sets_no_id) {
    // The documented loop: seed the parser from the reconnector on connect, mirror it back after
    // each feed. Events report the saved id, and the next reconnection sends it again.
    struct last_id_recorder final : sse::handler {
        std::vector<std::string> ids;
        sse::action on_event(const sse::event& e) override {
            ids.emplace_back(e.last_event_id);
            return sse::action::proceed;
        }
    } events;
    sse::parser p(events);
    reconnector rc;
    ASSERT_FALSE(rc.on_last_event_id("saved-17"));
    ASSERT_EQ(rc.start(0ms).kind, action_kind::connect);
    ASSERT_FALSE(p.reset(rc.last_event_id()));
    ASSERT_EQ(rc.on_response(0ms, 200, event_stream).kind, action_kind::open);
    ASSERT_FALSE(p.feed(": hello\n\ndata: x\n\n").error);
    rc.update_from(p);
    EXPECT_EQ(events.ids, std::vector<std::string>{"saved-17"});
    ASSERT_EQ(rc.on_end_of_stream(10ms).kind, action_kind::wait);
    const reconnect_action c = rc.on_timer(3010ms);
    ASSERT_EQ(c.kind, action_kind::connect);
    EXPECT_TRUE(c.send_last_event_id);
    EXPECT_EQ(c.last_event_id, "saved-17");
}

TEST(reconnector, update_from_takes_only_what_the_parser_changed) {
    ignore_all h;
    sse::parser p(h);
    reconnector rc;
    ASSERT_FALSE(p.feed("retry: 100\n").error);
    rc.update_from(p);
    EXPECT_EQ(rc.reconnection_time(), 100ms);
    rc.on_retry(5000);  // the caller's own choice
    ASSERT_FALSE(p.feed("data: x\n\n").error);
    rc.update_from(p);
    EXPECT_EQ(rc.reconnection_time(), 5000ms) << "an unchanged parser retry must not win";
    ASSERT_FALSE(p.feed("retry: 200\nid: 9\n\n").error);
    rc.update_from(p);
    EXPECT_EQ(rc.reconnection_time(), 200ms);
    EXPECT_EQ(rc.last_event_id(), "9");
}

TEST(reconnector, parser_reset_rejects_ids_a_stream_could_not_set) {
    ignore_all h;
    sse::parser p(h);
    ASSERT_FALSE(p.reset("ok"));
    EXPECT_EQ(p.reset(std::string_view("a\0b", 3)), sse::errc::id_has_nul);
    EXPECT_EQ(p.reset("a\nb"), sse::errc::id_has_line_break);
    EXPECT_EQ(p.last_event_id(), "ok");
}

TEST(reconnector, network_errors_before_open_reconnect_for_ever_by_default) {
    // 9.2.2 processResponse step 2: a network error reestablishes the connection.
    reconnector rc;
    ASSERT_EQ(rc.start(0ms).kind, action_kind::connect);
    milliseconds now = 0ms;
    for (int i = 0; i < 200; ++i) {
        const reconnect_action w = rc.on_network_error(now);
        ASSERT_EQ(w.kind, action_kind::wait) << i;
        ASSERT_TRUE(w.fire_error);
        ASSERT_EQ(w.when, now + 3000ms) << "no backoff by default, attempt " << i;
        now = w.when;
        ASSERT_EQ(rc.on_timer(now).kind, action_kind::connect);
    }
    EXPECT_EQ(rc.failed_attempts(), 200u);
    // EOF before any response counts the same way.
    EXPECT_EQ(rc.on_end_of_stream(now).when, now + 3000ms);
    EXPECT_EQ(rc.failed_attempts(), 201u);
}

TEST(reconnector, close_during_wait_makes_the_late_timer_a_no_op) {
    reconnector rc;
    open_at(rc, 0ms);
    ASSERT_EQ(rc.on_end_of_stream(500ms).kind, action_kind::wait);
    rc.close();
    EXPECT_EQ(rc.state(), ready_state::closed);
    EXPECT_FALSE(rc.deadline().has_value());
    EXPECT_EQ(rc.on_timer(3500ms).kind, action_kind::none);
    EXPECT_EQ(rc.on_timer(99'999ms).kind, action_kind::none);
    EXPECT_EQ(rc.state(), ready_state::closed);
}

TEST(reconnector, close_while_open_or_connecting_ignores_what_the_socket_says_next) {
    reconnector open_one;
    open_at(open_one, 0ms);
    open_one.close();
    EXPECT_EQ(open_one.on_end_of_stream(1ms).kind, action_kind::none);
    EXPECT_EQ(open_one.on_network_error(1ms).kind, action_kind::none);

    reconnector connecting;
    ASSERT_EQ(connecting.start(0ms).kind, action_kind::connect);
    connecting.close();
    EXPECT_EQ(connecting.on_response(1ms, 200, event_stream).kind, action_kind::none);
    EXPECT_EQ(connecting.state(), ready_state::closed);

    reconnector never_started;
    never_started.close();
    EXPECT_EQ(never_started.start(0ms).kind, action_kind::none);
    EXPECT_EQ(never_started.state(), ready_state::closed);
}

TEST(reconnector, abort_fails_the_connection_in_every_state_but_closed) {
    {
        reconnector rc;
        ASSERT_EQ(rc.start(0ms).kind, action_kind::connect);
        expect_failed_for_good(rc, rc.on_abort(1ms), fail_reason::aborted);
    }
    {
        reconnector rc;
        open_at(rc, 0ms);
        expect_failed_for_good(rc, rc.on_abort(1ms), fail_reason::aborted);
    }
    {
        reconnector rc;
        open_at(rc, 0ms);
        ASSERT_EQ(rc.on_network_error(1ms).kind, action_kind::wait);
        expect_failed_for_good(rc, rc.on_abort(2ms), fail_reason::aborted);
        EXPECT_EQ(rc.on_abort(3ms).kind, action_kind::none);  // already closed
    }
}

TEST(reconnector, inputs_before_start_do_nothing) {
    reconnector rc;
    EXPECT_EQ(rc.on_response(0ms, 200, event_stream).kind, action_kind::none);
    EXPECT_EQ(rc.on_end_of_stream(0ms).kind, action_kind::none);
    EXPECT_EQ(rc.on_network_error(0ms).kind, action_kind::none);
    EXPECT_EQ(rc.on_timer(0ms).kind, action_kind::none);
    EXPECT_EQ(rc.state(), ready_state::connecting);
    EXPECT_EQ(rc.start(0ms).kind, action_kind::connect);
}

TEST(reconnector, fail_reasons_have_descriptions) {
    std::set<std::string_view> seen;
    for (const fail_reason r : {fail_reason::none, fail_reason::bad_status,
                                fail_reason::not_event_stream, fail_reason::aborted,
                                fail_reason::attempts_exhausted}) {
        EXPECT_FALSE(sse::to_string(r).empty());
        seen.insert(sse::to_string(r));
    }
    EXPECT_EQ(seen.size(), 5u);
}

// ---------------------------------------------------------------------------------------------
// Policy

// Fails `n` connection attempts in a row from the current wait or connect, returning the waits.
std::vector<milliseconds> fail_attempts(reconnector& rc, int n, milliseconds& now) {
    std::vector<milliseconds> waits;
    for (int i = 0; i < n; ++i) {
        if (rc.deadline()) {
            now = *rc.deadline();
            if (rc.on_timer(now).kind != action_kind::connect) break;
        }
        const reconnect_action w = rc.on_network_error(now);
        if (w.kind != action_kind::wait) break;
        waits.push_back(w.when - now);
    }
    return waits;
}

sse::reconnect_policy backoff_policy() {
    sse::reconnect_policy p;
    p.initial_reconnection_time = 1000ms;
    p.backoff_multiplier = 2.0;
    p.max_delay = 5000ms;
    return p;
}

TEST(reconnect_policy, backoff_grows_after_failed_attempts_and_stops_at_the_cap) {
    reconnector rc(backoff_policy());
    milliseconds now = 0ms;
    open_at(rc, now);
    // The open stream ended: the previous attempt did not fail, so no backoff.
    EXPECT_EQ(rc.on_end_of_stream(now).when, 1000ms);
    const std::vector<milliseconds> waits = fail_attempts(rc, 6, now);
    EXPECT_EQ(waits, (std::vector<milliseconds>{2000ms, 4000ms, 5000ms, 5000ms, 5000ms, 5000ms}));
}

TEST(reconnect_policy, backoff_starts_with_a_failed_first_connection) {
    reconnector rc(backoff_policy());
    milliseconds now = 0ms;
    ASSERT_EQ(rc.start(now).kind, action_kind::connect);
    EXPECT_EQ(fail_attempts(rc, 3, now), (std::vector<milliseconds>{2000ms, 4000ms, 5000ms}));
}

TEST(reconnect_policy, backoff_resets_on_a_successful_open) {
    reconnector rc(backoff_policy());
    milliseconds now = 0ms;
    ASSERT_EQ(rc.start(now).kind, action_kind::connect);
    ASSERT_EQ(fail_attempts(rc, 3, now).size(), 3u);
    EXPECT_EQ(rc.failed_attempts(), 3u);
    now = *rc.deadline();
    open_at(rc, now);
    EXPECT_EQ(rc.failed_attempts(), 0u);
    EXPECT_EQ(rc.on_end_of_stream(now).when - now, 1000ms);
    EXPECT_EQ(fail_attempts(rc, 2, now), (std::vector<milliseconds>{2000ms, 4000ms}));
}

TEST(reconnect_policy, backoff_never_waits_less_than_the_servers_retry) {
    reconnector rc(backoff_policy());
    milliseconds now = 0ms;
    open_at(rc, now);
    rc.on_retry(60'000);  // above the 5000 ms cap
    EXPECT_EQ(rc.on_end_of_stream(now).when, 60'000ms);
    EXPECT_EQ(fail_attempts(rc, 3, now),
              (std::vector<milliseconds>{60'000ms, 60'000ms, 60'000ms}));
}

TEST(reconnect_policy, backoff_follows_a_retry_change) {
    reconnector rc(backoff_policy());
    milliseconds now = 0ms;
    ASSERT_EQ(rc.start(now).kind, action_kind::connect);
    ASSERT_EQ(fail_attempts(rc, 1, now), (std::vector<milliseconds>{2000ms}));
    rc.on_retry(100);
    EXPECT_EQ(fail_attempts(rc, 3, now), (std::vector<milliseconds>{400ms, 800ms, 1600ms}));
}

TEST(reconnect_policy, jitter_stays_within_bounds_and_spreads) {
    sse::reconnect_policy p;
    p.initial_reconnection_time = 1000ms;
    p.jitter = 0.5;
    std::set<milliseconds> seen;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        p.seed = seed;
        reconnector rc(p);
        milliseconds now = 0ms;
        open_at(rc, now);
        const milliseconds d = rc.on_end_of_stream(now).when - now;
        EXPECT_GE(d, 1000ms) << "jitter must never shorten the reconnection time";
        EXPECT_LE(d, 1500ms);
        seen.insert(d);
    }
    // 200 draws over 501 values: a constant or a handful of values means the jitter is broken.
    EXPECT_GT(seen.size(), 100u);
    EXPECT_LT(*seen.begin(), 1100ms);
    EXPECT_GT(*seen.rbegin(), 1400ms);
}

TEST(reconnect_policy, jitter_applies_after_the_backoff_cap) {
    sse::reconnect_policy p = backoff_policy();
    p.jitter = 0.2;
    p.seed = 7;
    reconnector rc(p);
    milliseconds now = 0ms;
    ASSERT_EQ(rc.start(now).kind, action_kind::connect);
    const std::vector<milliseconds> waits = fail_attempts(rc, 8, now);
    ASSERT_EQ(waits.size(), 8u);
    const milliseconds nominal[] = {2000ms, 4000ms, 5000ms, 5000ms, 5000ms, 5000ms, 5000ms, 5000ms};
    for (std::size_t i = 0; i < waits.size(); ++i) {
        EXPECT_GE(waits[i], nominal[i]) << i;
        EXPECT_LE(waits[i], nominal[i] + nominal[i] / 5) << i;
    }
}

std::vector<milliseconds> jittered_waits(std::uint64_t seed) {
    sse::reconnect_policy p;
    p.jitter = 1.0;
    p.seed = seed;
    reconnector rc(p);
    milliseconds now = 0ms;
    std::vector<milliseconds> waits;
    for (int i = 0; i < 10; ++i) {
        open_at(rc, now);
        const reconnect_action w = rc.on_end_of_stream(now);
        waits.push_back(w.when - now);
        now = w.when;
    }
    return waits;
}

TEST(reconnect_policy, jitter_is_deterministic_per_seed) {
    const std::vector<milliseconds> a = jittered_waits(42);
    EXPECT_EQ(a, jittered_waits(42));
    EXPECT_NE(a, jittered_waits(43));
    EXPECT_NE(jittered_waits(0), jittered_waits(1));
    // Successive waits of one client differ too.
    EXPECT_GT(std::set<milliseconds>(a.begin(), a.end()).size(), 5u);
    for (const milliseconds d : a) {
        EXPECT_GE(d, 3000ms);
        EXPECT_LE(d, 6000ms);
    }
}

TEST(reconnect_policy, max_attempts_fails_after_that_many_failed_attempts) {
    sse::reconnect_policy p;
    p.max_attempts = 3;
    reconnector rc(p);
    milliseconds now = 0ms;
    ASSERT_EQ(rc.start(now).kind, action_kind::connect);
    // Attempts 1 and 2 fail and wait; attempt 3 fails for good.
    EXPECT_EQ(fail_attempts(rc, 2, now).size(), 2u);
    now = *rc.deadline();
    ASSERT_EQ(rc.on_timer(now).kind, action_kind::connect);
    const reconnect_action f = rc.on_network_error(now);
    EXPECT_EQ(rc.failed_attempts(), 3u);
    expect_failed_for_good(rc, f, fail_reason::attempts_exhausted);
}

TEST(reconnect_policy, max_attempts_counts_only_consecutive_failures_since_open) {
    sse::reconnect_policy p;
    p.max_attempts = 3;
    reconnector rc(p);
    milliseconds now = 0ms;
    ASSERT_EQ(rc.start(now).kind, action_kind::connect);
    ASSERT_EQ(fail_attempts(rc, 2, now).size(), 2u);
    now = *rc.deadline();
    open_at(rc, now);  // resets the count
    // An open stream that ends is not a failed attempt.
    ASSERT_EQ(rc.on_end_of_stream(now).kind, action_kind::wait);
    EXPECT_EQ(rc.failed_attempts(), 0u);
    EXPECT_EQ(fail_attempts(rc, 2, now).size(), 2u);
    EXPECT_EQ(rc.state(), ready_state::connecting);
    now = *rc.deadline();
    ASSERT_EQ(rc.on_timer(now).kind, action_kind::connect);
    EXPECT_EQ(rc.on_end_of_stream(now).reason, fail_reason::attempts_exhausted);
    EXPECT_EQ(rc.state(), ready_state::closed);
}

TEST(reconnect_policy, max_attempts_of_one_gives_up_on_the_first_failure) {
    sse::reconnect_policy p;
    p.max_attempts = 1;
    reconnector rc(p);
    ASSERT_EQ(rc.start(0ms).kind, action_kind::connect);
    EXPECT_EQ(rc.on_network_error(0ms).reason, fail_reason::attempts_exhausted);
}

TEST(reconnect_policy, out_of_range_values_are_clamped) {
    sse::reconnect_policy p;
    p.initial_reconnection_time = -5ms;
    p.backoff_multiplier = std::nan("");
    p.max_delay = -1ms;
    p.jitter = 7.0;
    const reconnector a(p);
    EXPECT_EQ(a.reconnection_time(), 0ms);
    EXPECT_EQ(a.policy().backoff_multiplier, 1.0);
    EXPECT_EQ(a.policy().max_delay, 0ms);
    EXPECT_EQ(a.policy().jitter, 1.0);

    p.backoff_multiplier = 0.5;  // would shrink the wait below the reconnection time
    p.jitter = -1.0;
    const reconnector b(p);
    EXPECT_EQ(b.policy().backoff_multiplier, 1.0);
    EXPECT_EQ(b.policy().jitter, 0.0);
}

TEST(reconnect_policy, huge_backoff_saturates_instead_of_overflowing) {
    sse::reconnect_policy p;
    p.backoff_multiplier = std::numeric_limits<double>::infinity();
    p.max_delay = milliseconds::max();
    p.jitter = 1.0;
    reconnector rc(p);
    milliseconds now = 1000ms;
    ASSERT_EQ(rc.start(now).kind, action_kind::connect);
    const reconnect_action w = rc.on_network_error(now);
    EXPECT_EQ(w.kind, action_kind::wait);
    EXPECT_GE(w.when, now + 3000ms);
    EXPECT_EQ(fail_attempts(rc, 3, now).size(), 3u);
    EXPECT_EQ(rc.deadline(), milliseconds::max());
}

}  // namespace
