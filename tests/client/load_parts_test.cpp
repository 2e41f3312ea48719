// sse-load's header-only parts: the latency histogram and the chunked-body decoder.
#include <gtest/gtest.h>

#include <string>

#include "chunk_decoder.hpp"
#include "histogram.hpp"

namespace {

using sse::load::chunk_decoder;
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

std::string decode(const std::string& wire, std::size_t split, chunk_decoder::result& last) {
    chunk_decoder d;
    std::string out;
    auto sink = [&](std::string_view s) { out.append(s); };
    last = d.feed(std::string_view(wire).substr(0, split), sink);
    if (last == chunk_decoder::result::more) last = d.feed(std::string_view(wire).substr(split), sink);
    return out;
}

TEST(LoadChunkDecoder, DecodesAtEverySplit) {
    const std::string wire = "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n";
    for (std::size_t split = 0; split <= wire.size(); ++split) {
        chunk_decoder::result r;
        EXPECT_EQ(decode(wire, split, r), "hello0123456789") << split;
        EXPECT_EQ(r, chunk_decoder::result::done) << split;
    }
}

TEST(LoadChunkDecoder, RejectsBadFraming) {
    for (const std::string bad : {"x\r\n", "5\r\nhelloXX", "\r\n", "5\n"}) {
        chunk_decoder::result r;
        decode(bad, bad.size(), r);
        EXPECT_EQ(r, chunk_decoder::result::error) << bad;
    }
    chunk_decoder::result r;
    decode("3\r\nab", 5, r);
    EXPECT_EQ(r, chunk_decoder::result::more);
}

}  // namespace
