// sse::net::url: the one URL parser of ssekit's clients (http:// and https://) and Location
// resolution for redirects.
#include <gtest/gtest.h>

#include "sse/net/error.hpp"
#include "sse/net/url.hpp"

namespace {

using sse::net::errc;
using sse::net::parse_url;
using sse::net::resolve_location;
using sse::net::url;

TEST(NetUrl, ParsesHostPortAndTarget) {
    url u;
    ASSERT_FALSE(parse_url("http://127.0.0.1:8080/events?topic=a#frag", u));
    EXPECT_FALSE(u.tls);
    EXPECT_EQ(u.host, "127.0.0.1");
    EXPECT_EQ(u.port, 8080);
    EXPECT_EQ(u.target, "/events?topic=a");
    EXPECT_EQ(u.authority(), "127.0.0.1:8080");
    EXPECT_EQ(u.str(), "http://127.0.0.1:8080/events?topic=a");
    ASSERT_FALSE(parse_url("HTTP://example.test", u));
    EXPECT_EQ(u.port, 80);
    EXPECT_EQ(u.target, "/");
    EXPECT_EQ(u.authority(), "example.test");
    ASSERT_FALSE(parse_url("http://h?x=1", u));
    EXPECT_EQ(u.target, "/?x=1");
    ASSERT_FALSE(parse_url("http://[::1]:9/p", u));
    EXPECT_EQ(u.host, "::1");
    EXPECT_EQ(u.authority(), "[::1]:9");
    EXPECT_TRUE(u.host_is_ip());
}

TEST(NetUrl, HttpsHasItsOwnDefaultPort) {
    url u;
    ASSERT_FALSE(parse_url("https://api.example.test/v1/chat", u));
    EXPECT_TRUE(u.tls);
    EXPECT_EQ(u.port, 443);
    EXPECT_EQ(u.authority(), "api.example.test");
    EXPECT_EQ(u.origin(), "https://api.example.test");
    EXPECT_FALSE(u.host_is_ip());
    ASSERT_FALSE(parse_url("HTTPS://h:80/", u));
    EXPECT_EQ(u.authority(), "h:80");  // 80 is not https's default: it is written
    ASSERT_FALSE(parse_url("https://127.0.0.1:8443/", u));
    EXPECT_TRUE(u.host_is_ip());
    EXPECT_EQ(u.with_target("/x").str(), "https://127.0.0.1:8443/x");
}

TEST(NetUrl, RefusesOtherSchemesAndMalformedUrls) {
    url u;
    EXPECT_EQ(parse_url("ws://example.test/", u), errc::unsupported_scheme);
    EXPECT_EQ(parse_url("ftp://example.test/", u), errc::unsupported_scheme);
    for (const char* bad : {"", "example.test", "http://", "https://", "http://:80/", "http://h:0/", "http://h:65536/",
                            "http://h:8x/", "http://h:/", "http://user@h/", "http://h/a b", "http://h/\r\n",
                            "http://[::1/", "http://[]/", "http://[::1]x/"})
        EXPECT_EQ(parse_url(bad, u), errc::invalid_url) << bad;
}

TEST(NetUrl, ComparesOrigins) {
    url a, b, c, d;
    ASSERT_FALSE(parse_url("https://Example.test/a", a));
    ASSERT_FALSE(parse_url("https://example.test:443/b", b));
    ASSERT_FALSE(parse_url("http://example.test/a", c));
    ASSERT_FALSE(parse_url("https://example.test:8443/a", d));
    EXPECT_TRUE(a.same_origin(b));
    EXPECT_FALSE(a.same_origin(c));
    EXPECT_FALSE(a.same_origin(d));
}

TEST(NetUrl, ResolvesLocations) {
    url base;
    ASSERT_FALSE(parse_url("http://h:1/a/b?q", base));
    url out;
    ASSERT_FALSE(resolve_location(base, "/x?y", out));
    EXPECT_EQ(out.target, "/x?y");
    EXPECT_EQ(out.port, 1);
    ASSERT_FALSE(resolve_location(base, "c", out));
    EXPECT_EQ(out.target, "/a/c");
    ASSERT_FALSE(resolve_location(base, "?z", out));
    EXPECT_EQ(out.target, "/a/b?z");
    ASSERT_FALSE(resolve_location(base, "//other:2/p", out));
    EXPECT_EQ(out.host, "other");
    EXPECT_EQ(out.port, 2);
    EXPECT_FALSE(out.tls);
    ASSERT_FALSE(resolve_location(base, "http://k/", out));
    EXPECT_EQ(out.host, "k");
    ASSERT_FALSE(resolve_location(base, "https://k/s", out));
    EXPECT_TRUE(out.tls);
    EXPECT_EQ(out.port, 443);
    url secure;
    ASSERT_FALSE(parse_url("https://h/a", secure));
    ASSERT_FALSE(resolve_location(secure, "//k/p", out));
    EXPECT_TRUE(out.tls);  // scheme-relative keeps the base's scheme
    EXPECT_EQ(resolve_location(base, "", out), errc::invalid_url);
    EXPECT_EQ(resolve_location(base, "ws://k/", out), errc::unsupported_scheme);
}

}  // namespace
