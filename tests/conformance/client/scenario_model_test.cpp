// The client-mode model: what sse::parser + sse::reconnector say a conforming client observes.
#include <gtest/gtest.h>

#include "scenario.hpp"

namespace sse::conformance::client {
namespace {

using kind = observation::kind;

response_step stream(std::string body, body_end end) {
    response_step s;
    s.chunks = {std::move(body)};
    s.end = end;
    return s;
}

const service_features all{true, true, false, true};

TEST(ScenarioModel, ReconnectionSendsTheLastEventIdAndDropsThePartialEvent) {
    scenario s;
    s.steps = {stream("retry: 10\nid: 7\ndata: a\n\ndata: partial", body_end::clean),
               stream("data: b\n\n", body_end::hold)};
    expectation x = expect(s, all);
    ASSERT_EQ(x.observations.size(), 5u);
    EXPECT_EQ(x.observations[0], (observation{kind::open, "", "", "", 1}));
    EXPECT_EQ(x.observations[1], (observation{kind::event, "message", "a", "7", -1}));
    EXPECT_EQ(x.observations[2], (observation{kind::error, "", "", "", 0}));
    EXPECT_EQ(x.observations[3], (observation{kind::open, "", "", "", 1}));
    // The partial event is gone; the id carries over to the new connection.
    EXPECT_EQ(x.observations[4], (observation{kind::event, "message", "b", "7", -1}));
    ASSERT_EQ(x.requests.size(), 2u);
    EXPECT_FALSE(x.requests[0].last_event_id.has_value());
    EXPECT_EQ(x.requests[1].last_event_id, std::optional<std::string>("7"));
    EXPECT_FALSE(x.ends_failed);
    EXPECT_EQ(x.reconnection_time.count(), 10);
}

TEST(ScenarioModel, NoContentFailsTheConnection) {
    scenario s;
    response_step stop;
    stop.status = 204;
    s.steps = {stream("data: a\n\n", body_end::clean), stop, stream("data: never\n\n", body_end::hold)};
    expectation x = expect(s, all);
    ASSERT_EQ(x.observations.size(), 4u);
    EXPECT_EQ(x.observations[2], (observation{kind::error, "", "", "", 0}));
    EXPECT_EQ(x.observations[3], (observation{kind::error, "", "", "", 2}));
    EXPECT_TRUE(x.ends_failed);
    EXPECT_EQ(x.requests.size(), 2u);  // the third step is never reached
}

TEST(ScenarioModel, WrongContentTypeFailsWithoutEvents) {
    scenario s;
    response_step wrong = stream("data: not read\n\n", body_end::clean);
    wrong.content_type = "text/plain";
    s.steps = {wrong};
    expectation x = expect(s, all);
    ASSERT_EQ(x.observations.size(), 1u);
    EXPECT_EQ(x.observations[0], (observation{kind::error, "", "", "", 2}));
    EXPECT_TRUE(x.ends_failed);
}

TEST(ScenarioModel, EssenceMatchOpens) {
    scenario s;
    response_step ok = stream("data: x\n\n", body_end::hold);
    ok.content_type = "TEXT/Event-Stream; charset=utf-8";
    s.steps = {ok};
    expectation x = expect(s, all);
    ASSERT_EQ(x.observations.size(), 2u);
    EXPECT_EQ(x.observations[1].data, "x");
}

TEST(ScenarioModel, UnannouncedObservationsAreLeftOut) {
    scenario s;
    s.steps = {stream("retry: 5\n: hi\ndata: a\n\n", body_end::clean), stream("", body_end::hold)};
    expectation x = expect(s, service_features{});  // no open, no readyState, no comments
    ASSERT_EQ(x.observations.size(), 2u);
    EXPECT_EQ(x.observations[0], (observation{kind::event, "message", "a", "", -1}));
    EXPECT_EQ(x.observations[1], (observation{kind::error, "", "", "", -1}));

    service_features comments;
    comments.comments = true;
    x = expect(s, comments);
    ASSERT_EQ(x.observations.size(), 3u);
    EXPECT_EQ(x.observations[0], (observation{kind::comment, "", " hi", "", -1}));
}

TEST(ScenarioModel, RedirectHopIsARequestWithoutResponseObservations) {
    scenario s;
    response_step hop;
    hop.status = 307;
    s.steps = {hop, stream("data: x\n\n", body_end::hold)};
    expectation x = expect(s, all);
    ASSERT_EQ(x.requests.size(), 2u);
    EXPECT_TRUE(x.requests[1].after_redirect);
    ASSERT_EQ(x.observations.size(), 2u);
    EXPECT_EQ(x.observations[0].what, kind::open);
}

TEST(ScenarioModel, EmptyIdClearsTheHeader) {
    scenario s;
    s.steps = {stream("retry: 5\nid: 1\ndata: a\n\n", body_end::clean),
               stream("id\ndata: b\n\n", body_end::truncated), stream("", body_end::hold)};
    expectation x = expect(s, all);
    ASSERT_EQ(x.requests.size(), 3u);
    EXPECT_EQ(x.requests[1].last_event_id, std::optional<std::string>("1"));
    EXPECT_FALSE(x.requests[2].last_event_id.has_value());
}

TEST(ScenarioModel, EscapedShowsInvalidUtf8AsBytes) {
    EXPECT_EQ(escaped("a\n\"\xC3\xA9"), "\"a\\n\\\"\xC3\xA9\"");
    EXPECT_EQ(escaped("\xE9t\xE9"), "\"\\xe9t\\xe9\"");
}

}  // namespace
}  // namespace sse::conformance::client
