// sse-load's header-only part: the latency histogram (its HTTP is sse::net's, tested in tests/net).
#include <gtest/gtest.h>

#include <string>

#include "histogram.hpp"

namespace {

using sse::load::histogram;

TEST(LoadHistogram, QuantilesAreUpperBoundsWithinThreePercent) {
    histogram h;
    for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v);
    EXPECT_EQ(h.count(), 100000u);
    EXPECT_EQ(h.max(), 100000u);
    for (const double q : {0.5, 0.99, 0.999}) {
        const auto exact = static_cast<double>(q * 100000);
        const auto got = static_cast<double>(h.quantile(q));
        EXPECT_GE(got, exact) << q;
        EXPECT_LE(got, exact * 1.035) << q;
    }
    EXPECT_EQ(h.quantile(1.0), 100000u);
    EXPECT_EQ(histogram().quantile(0.5), 0u);
    histogram small;
    small.record(7);
    EXPECT_EQ(small.quantile(0.5), 7u);
}

TEST(LoadHistogram, SerializesAndMerges) {
    histogram a, b;
    a.record(5);
    a.record(1u << 20);
    b.record(123456789);
    histogram copy;
    ASSERT_TRUE(copy.deserialize(a.serialize()));
    EXPECT_EQ(copy.serialize(), a.serialize());
    EXPECT_EQ(copy.count(), 2u);
    copy.merge(b);
    EXPECT_EQ(copy.count(), 3u);
    EXPECT_EQ(copy.max(), 123456789u);
    EXPECT_FALSE(copy.deserialize("x"));
    EXPECT_FALSE(copy.deserialize("1 99999:1"));
    EXPECT_EQ(copy.count(), 0u);
}

}  // namespace
