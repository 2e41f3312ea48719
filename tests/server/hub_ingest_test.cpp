// The hub in ingested mode (the Redis backplane's seam): ids come from elsewhere, in order; a gap
// or a lost data set becomes the truncation signal, and an id not above the last is refused.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_subscriber.hpp"
#include "sse/server/hub.hpp"

namespace {

using sse::server::hub;
using sse::server::hub_options;
using sse::server::resume_result;
using sse::test::fake_subscriber;

struct ingest : ::testing::Test {
    sse::server::metrics stats;
    hub h{hub_options{}, stats};

    resume_result subscribe(const std::shared_ptr<fake_subscriber>& s,
                            std::optional<std::string> last = std::nullopt) {
        std::error_code ec;
        std::optional<std::string_view> id;
        if (last) id = *last;
        const std::vector<std::string> topics = {"t"};
        const resume_result r = h.subscribe(s, topics, id, ec);
        EXPECT_FALSE(ec) << ec.message();
        return r;
    }
};

TEST_F(ingest, ids_are_the_given_ones_and_the_first_sets_the_floor) {
    auto live = std::make_shared<fake_subscriber>();
    subscribe(live);
    EXPECT_EQ(h.ingest(500, "t", "a", "").id, 500u);
    EXPECT_EQ(h.ingest(501, "t", "b", "").id, 501u);
    EXPECT_EQ(h.last_id(), 501u);
    ASSERT_EQ(live->events().size(), 2u);
    EXPECT_EQ(live->events()[0].id, "500");
    // From 500 on, nothing is missing; from before it, the client is told.
    auto from_500 = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(from_500, "500"), resume_result::complete);
    EXPECT_EQ(from_500->events().size(), 1u);
    auto from_3 = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(from_3, "3"), resume_result::truncated);
}

TEST_F(ingest, a_gap_sends_the_signal_before_the_next_event_and_truncates_resumes) {
    auto live = std::make_shared<fake_subscriber>();
    subscribe(live);
    h.ingest(10, "t", "a", "");
    h.ingest(11, "t", "b", "");
    h.ingest(15, "t", "c", "");  // 12..14 never came
    const auto events = live->events();
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[2].type, "sse-history-truncated");
    EXPECT_EQ(events[2].data, R"({"lastEventId":"11","reason":"backplane-gap"})");
    EXPECT_EQ(events[3].id, "15");
    EXPECT_EQ(stats.backplane_truncations.load(), 1u);
    auto from_11 = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(from_11, "11"), resume_result::truncated);
    auto from_14 = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(from_14, "14"), resume_result::complete);
}

TEST_F(ingest, an_id_not_above_the_last_is_refused_and_not_delivered) {
    auto live = std::make_shared<fake_subscriber>();
    subscribe(live);
    h.ingest(10, "t", "a", "");
    EXPECT_EQ(h.ingest(10, "t", "again", "").error, std::errc::result_out_of_range);
    EXPECT_EQ(h.ingest(9, "t", "older", "").error, std::errc::result_out_of_range);
    EXPECT_EQ(live->events().size(), 1u);
    EXPECT_EQ(h.last_id(), 10u);
}

TEST_F(ingest, lose_signals_live_streams_and_a_resume_from_the_last_id) {
    auto live = std::make_shared<fake_subscriber>();
    subscribe(live);
    h.ingest(10, "t", "a", "");
    h.lose("new-data-set");
    ASSERT_EQ(live->events().size(), 2u);
    EXPECT_EQ(live->events()[1].data, R"({"lastEventId":"10","reason":"new-data-set"})");
    auto from_10 = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(from_10, "10"), resume_result::truncated);
    // The new epoch's ids jump; no second signal for that jump.
    h.ingest(900000, "t", "new", "");
    ASSERT_EQ(live->events().size(), 3u);
    EXPECT_EQ(live->events()[2].id, "900000");
    EXPECT_EQ(stats.backplane_truncations.load(), 1u);
}

TEST_F(ingest, ephemeral_events_take_no_id) {
    auto live = std::make_shared<fake_subscriber>();
    subscribe(live);
    h.ingest(10, "t", "a", "");
    EXPECT_EQ(h.ingest(0, "t", "typing", "presence").id, 0u);
    EXPECT_EQ(h.last_id(), 10u);
    ASSERT_EQ(live->events().size(), 2u);
    EXPECT_EQ(live->events()[1].type, "presence");
}

TEST_F(ingest, validate_refuses_what_publish_would) {
    EXPECT_FALSE(h.validate("t", "note"));
    EXPECT_TRUE(h.validate("", "note"));
    EXPECT_TRUE(h.validate("t", "bad\ntype"));
    EXPECT_TRUE(h.validate(std::string(300, 'x'), ""));
}

}  // namespace
