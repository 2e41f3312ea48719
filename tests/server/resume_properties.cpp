// Property: a client that disconnects at random points and resumes with Last-Event-ID sees every
// event of its topics exactly once, in id order, whatever is published while it is away, and
// whichever I/O thread (fan-out shard) each of its connections lands on, also while another thread
// publishes during its connects and reads.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server_fixture.hpp"

namespace {

using namespace sse::test;

struct round {
    std::vector<int> offline;  // topics published to (0..2) while disconnected
    std::vector<int> online;   // ... and after reconnecting
    int read = 0;              // events to read before disconnecting again
};

rc::Gen<round> gen_round() {
    const auto topics = rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 3));
    return rc::gen::build<round>(
        rc::gen::set(&round::offline, rc::gen::resize(4, topics)),
        rc::gen::set(&round::online, rc::gen::resize(4, topics)),
        rc::gen::set(&round::read, rc::gen::inRange(0, 8)));
}

// GET /events for the topics PREFIX0..PREFIX2 that `subscribed` marks.
std::string events_target(const std::string& prefix, const std::vector<bool>& subscribed) {
    std::string target = "/events?";
    for (std::size_t t = 0; t < subscribed.size(); ++t)
        if (subscribed[t]) target += "topic=" + prefix + std::to_string(t) + "&";
    return target;
}

TEST(server_property, resume_at_random_disconnect_points_has_no_gap_and_no_duplicate) {
    sse::server::config c = test_config();
    c.history_size = 100000;  // this property is about exactness, not about truncation
    sse::server::server server(c);
    ASSERT_FALSE(server.start());
    int case_number = 0;

    const bool ok = rc::check("resume is exact", [&] {
        const std::string prefix = "case" + std::to_string(case_number++) + "-";
        const auto subscribed = *rc::gen::nonEmpty(
            rc::gen::container<std::vector<bool>>(3, rc::gen::arbitrary<bool>()));
        RC_PRE(std::find(subscribed.begin(), subscribed.end(), true) != subscribed.end());
        const auto rounds = *rc::gen::resize(5, rc::gen::nonEmpty(
                                                    rc::gen::container<std::vector<round>>(gen_round())));

        const std::string target = events_target(prefix, subscribed);

        std::vector<std::string> expected, received;
        std::string last_id;
        bool connected_once = false;
        const auto publish = [&](int t, bool counts) {
            const auto r = server.publish(prefix + std::to_string(t), "x");
            RC_ASSERT(!r.error);
            if (counts && subscribed[t]) expected.push_back(std::to_string(r.id));
        };

        const auto connect = [&](event_stream& s) {
            std::vector<std::pair<std::string, std::string>> headers;
            if (connected_once) headers.emplace_back("Last-Event-ID", last_id);
            RC_ASSERT(s.open(server.port(), target, headers));
            // The first connection has no Last-Event-ID: it is live only from registration on.
            RC_ASSERT(eventually([&] { return server.hub().subscriber_count() == 1; }));
            connected_once = true;
        };
        const auto take = [&](event_stream& s) {
            for (const record& e : s.events()) {
                RC_ASSERT(e.type == "message");  // never the truncation signal
                received.push_back(e.id);
            }
            last_id = s.last_event_id();
            s.close();
            RC_ASSERT(eventually([&] { return server.hub().subscriber_count() == 0; }));
        };

        for (const round& r : rounds) {
            for (int t : r.offline) publish(t, connected_once);
            event_stream s;
            connect(s);
            for (int t : r.online) publish(t, true);
            const std::size_t want =
                std::min(expected.size() - received.size(), static_cast<std::size_t>(r.read));
            RC_ASSERT(s.wait_events(want));
            take(s);
        }
        event_stream last;
        connect(last);
        RC_ASSERT(last.wait_events(expected.size() - received.size()));
        take(last);
        RC_ASSERT(received == expected);
    });
    EXPECT_TRUE(ok);
    server.stop();
}

TEST(server_property, resume_while_another_thread_publishes_has_no_gap_and_no_duplicate) {
    sse::server::config c = test_config();  // two I/O threads: connections alternate shards
    c.history_size = 100000;
    sse::server::server server(c);
    ASSERT_FALSE(server.start());
    int case_number = 0;

    const bool ok = rc::check("resume is exact while publishes race", [&] {
        const std::string prefix = "race" + std::to_string(case_number++) + "-";
        const auto subscribed = *rc::gen::suchThat(
            rc::gen::container<std::vector<bool>>(3, rc::gen::arbitrary<bool>()),
            [](const std::vector<bool>& v) { return v[0] || v[1] || v[2]; });
        const auto published_topics =
            *rc::gen::resize(60, rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 3)));
        const auto reads = *rc::gen::resize(
            6, rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 8))));
        const std::string target = events_target(prefix, subscribed);

        // Every connection resumes, the first one from before this case's first event, so what
        // the client must get does not depend on when its registration happened.
        std::string last_id = std::to_string(server.hub().last_id());
        std::mutex mutex;
        std::vector<std::string> expected;
        std::thread publisher([&] {
            for (int t : published_topics) {
                const auto r = server.publish(prefix + std::to_string(t), "x");
                std::lock_guard lock(mutex);
                if (!r.error && subscribed[t]) expected.push_back(std::to_string(r.id));
                if (r.error) expected.push_back("error: " + r.error.message());
                std::this_thread::yield();
            }
        });
        struct joiner {
            std::thread& t;
            ~joiner() {
                if (t.joinable()) t.join();  // also when an assertion below throws
            }
        } join_publisher{publisher};
        const auto expected_now = [&] {
            std::lock_guard lock(mutex);
            return expected;
        };

        std::vector<std::string> received;
        const auto session = [&](std::size_t at_least) {
            event_stream s;
            RC_ASSERT(s.open(server.port(), target, {{"Last-Event-ID", last_id}}));
            RC_ASSERT(s.wait_events(at_least));
            for (const record& e : s.events()) {
                RC_ASSERT(e.type == "message");  // never the truncation signal
                received.push_back(e.id);
            }
            last_id = s.last_event_id();
            s.close();
        };
        for (int n : reads) {
            // Only events already published can be waited for; more may arrive and count too.
            const std::size_t known = expected_now().size();
            session(std::min<std::size_t>(static_cast<std::size_t>(n),
                                          known > received.size() ? known - received.size() : 0));
        }
        publisher.join();
        const std::vector<std::string> all = expected_now();
        RC_ASSERT(received.size() <= all.size());
        session(all.size() - received.size());
        RC_ASSERT(received == all);
    });
    EXPECT_TRUE(ok);
    server.stop();
}

}  // namespace
