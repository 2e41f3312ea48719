// Property: whatever the interleaving of publishes, shard passes (cut into slices of a random
// size), connects on either shard and disconnects, each client that always resumes with its
// Last-Event-ID receives every numbered event of its topics exactly once, in id order. The
// shards are run by hand (manual_shards), so RapidCheck explores lags and races that threads
// would hit only by chance, and shrinks a failure to a short schedule.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <memory>
#include <string>
#include <vector>

#include "fake_subscriber.hpp"
#include "manual_shards.hpp"
#include "sse/server/hub.hpp"

namespace {

using sse::test::fake_subscriber;
using sse::test::manual_shards;
using sse::test::record;

constexpr int topic_count = 3;
constexpr int client_count = 3;
constexpr std::size_t shard_count = 2;

enum class op_kind { publish, ephemeral, step, connect, disconnect };

struct op {
    op_kind kind;
    int target;  // the topic (publish, ephemeral), shard (step) or client (connect, disconnect)
    int shard;   // connect: the shard the client lands on
};

rc::Gen<op> gen_op() {
    return rc::gen::apply(
        [](op_kind k, int target, int shard) {
            if (k == op_kind::step) target %= static_cast<int>(shard_count);
            return op{k, target, shard};
        },
        rc::gen::weightedElement<op_kind>({{4, op_kind::publish},
                                           {1, op_kind::ephemeral},
                                           {6, op_kind::step},
                                           {2, op_kind::connect},
                                           {2, op_kind::disconnect}}),
        rc::gen::inRange(0, 3), rc::gen::inRange(0, static_cast<int>(shard_count)));
}

// Built with append(): GCC 12 -O3 warns falsely (-Wrestrict, GCC bug 105329) on "t" + string.
std::string topic_name(int t) { return std::string("t").append(std::to_string(t)); }

struct client {
    std::vector<std::string> topics;
    std::vector<bool> follows;
    std::shared_ptr<fake_subscriber> connection;
    std::string last_event_id = "0";  // the first connection resumes from before every event
    std::vector<std::string> received, expected;
};

TEST(fanout_property, replay_and_live_are_exact_under_any_shard_interleaving) {
    const bool ok = rc::check("exactly once, in order, across lagging shards", [] {
        const auto slice = *rc::gen::inRange<std::size_t>(1, 5);
        const auto ops = *rc::gen::container<std::vector<op>>(gen_op());
        std::vector<client> clients(client_count);
        for (client& c : clients) {
            c.follows = *rc::gen::suchThat(
                rc::gen::container<std::vector<bool>>(topic_count, rc::gen::arbitrary<bool>()),
                [](const std::vector<bool>& v) { return v[0] || v[1] || v[2]; });
            for (int t = 0; t < topic_count; ++t)
                if (c.follows[t]) c.topics.push_back(topic_name(t));
        }

        sse::server::metrics stats;
        manual_shards shards(shard_count);
        sse::server::hub_options o;
        o.first_id_base = 0;
        o.history_size = 100000;  // about exactness, not truncation
        o.shards = shards.posters();
        o.fanout_slice = slice;
        sse::server::hub h(o, stats);

        const auto connect = [&](client& c, std::size_t shard) {
            if (c.connection) return;
            c.connection = std::make_shared<fake_subscriber>();
            std::error_code ec;
            const std::string_view last = c.last_event_id;
            const auto how = h.subscribe(c.connection, c.topics, last, ec, shard);
            RC_ASSERT(!ec);
            RC_ASSERT(how == sse::server::resume_result::complete);
        };
        const auto disconnect = [&](client& c) {
            if (!c.connection) return;
            h.unsubscribe(c.connection.get());
            for (const record& r : c.connection->events()) {
                if (r.type == "presence") continue;  // ephemeral: live only, not checked here
                RC_ASSERT(r.type == "message");      // never a truncation signal
                c.received.push_back(r.id);
            }
            c.last_event_id = c.connection->last_event_id();
            c.connection.reset();
        };

        for (const op& o2 : ops) {
            switch (o2.kind) {
                case op_kind::publish: {
                    const auto r = h.publish(topic_name(o2.target), "x");
                    RC_ASSERT(!r.error);
                    for (client& c : clients)
                        if (c.follows[o2.target]) c.expected.push_back(std::to_string(r.id));
                    break;
                }
                case op_kind::ephemeral:
                    RC_ASSERT(!h.publish(topic_name(o2.target), "p", "presence",
                                         sse::server::id_policy::none)
                                   .error);
                    break;
                case op_kind::step:
                    shards.step(static_cast<std::size_t>(o2.target));
                    break;
                case op_kind::connect:
                    connect(clients[o2.target], static_cast<std::size_t>(o2.shard));
                    break;
                case op_kind::disconnect:
                    disconnect(clients[o2.target]);
                    break;
            }
        }
        for (client& c : clients) connect(c, 0);
        shards.drain_all();
        for (client& c : clients) {
            disconnect(c);
            RC_ASSERT(c.received == c.expected);
        }
        RC_ASSERT(h.subscriber_count() == 0u);
    });
    EXPECT_TRUE(ok);
}

}  // namespace
