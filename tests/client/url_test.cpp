#include <gtest/gtest.h>

#include "sse/client/error.hpp"
#include "sse/client/url.hpp"

namespace {

using sse::client::errc;
using sse::client::parse_url;
using sse::client::url;

TEST(ClientUrl, ParsesHostPortAndTarget) {
    url u;
    ASSERT_FALSE(parse_url("http://127.0.0.1:8080/events?topic=a#frag", u));
    EXPECT_EQ(u.host, "127.0.0.1");
    EXPECT_EQ(u.port, 8080);
    EXPECT_EQ(u.target, "/events?topic=a");
    EXPECT_EQ(u.host_header(), "127.0.0.1:8080");
    ASSERT_FALSE(parse_url("HTTP://example.test", u));
    EXPECT_EQ(u.port, 80);
    EXPECT_EQ(u.target, "/");
    EXPECT_EQ(u.host_header(), "example.test");
    ASSERT_FALSE(parse_url("http://h?x=1", u));
    EXPECT_EQ(u.target, "/?x=1");
    ASSERT_FALSE(parse_url("http://[::1]:9/p", u));
    EXPECT_EQ(u.host, "::1");
    EXPECT_EQ(u.host_header(), "[::1]:9");
}

TEST(ClientUrl, RefusesHttpsAndMalformedUrls) {
    url u;
    EXPECT_EQ(parse_url("https://example.test/", u), errc::unsupported_scheme);
    EXPECT_EQ(parse_url("ws://example.test/", u), errc::unsupported_scheme);
    for (const char* bad : {"", "example.test", "http://", "http://:80/", "http://h:0/", "http://h:65536/",
                            "http://h:8x/", "http://user@h/", "http://h/a b", "http://h/\r\n"})
        EXPECT_EQ(parse_url(bad, u), errc::invalid_url) << bad;
}

TEST(ClientUrl, ResolvesLocations) {
    url base;
    ASSERT_FALSE(parse_url("http://h:1/a/b?q", base));
    url out;
    ASSERT_FALSE(sse::client::resolve_location(base, "/x?y", out));
    EXPECT_EQ(out.target, "/x?y");
    EXPECT_EQ(out.port, 1);
    ASSERT_FALSE(sse::client::resolve_location(base, "c", out));
    EXPECT_EQ(out.target, "/a/c");
    ASSERT_FALSE(sse::client::resolve_location(base, "?z", out));
    EXPECT_EQ(out.target, "/a/b?z");
    ASSERT_FALSE(sse::client::resolve_location(base, "//other:2/p", out));
    EXPECT_EQ(out.host, "other");
    EXPECT_EQ(out.port, 2);
    ASSERT_FALSE(sse::client::resolve_location(base, "http://k/", out));
    EXPECT_EQ(out.host, "k");
    EXPECT_EQ(sse::client::resolve_location(base, "https://k/", out), errc::unsupported_scheme);
    EXPECT_EQ(sse::client::resolve_location(base, "", out), errc::invalid_url);
}

}  // namespace
