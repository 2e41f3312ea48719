// Helpers for the conformance-route tests: base64url, and a server with the routes on.
#pragma once

#include <string>
#include <string_view>

#include "server_fixture.hpp"

namespace sse::test {

/// base64url without padding (RFC 4648 section 5), written independently of the server's decoder.
inline std::string b64url(std::string_view bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
    }
    if (i + 1 == bytes.size()) {
        const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (i + 2 == bytes.size()) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

/// GET `target` on a new connection and reads the whole answer (a scripted stream with
/// then=close ends with the connection, so its body is everything sent).
inline std::optional<http_reply> get(std::uint16_t port, const std::string& target,
                                     const std::vector<std::pair<std::string, std::string>>&
                                         headers = {}) {
    return http_request(port, "GET", target, headers);
}

/// Expects a 400 whose one-line plain-text reason mentions `word`.
inline void expect_400(std::uint16_t port, const std::string& target, const std::string& word) {
    const auto r = get(port, target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_NE(r->body.find(word), std::string::npos) << target << " -> " << r->body;
    EXPECT_EQ(r->body.find('\n'), r->body.size() - 1) << "one line: " << r->body;
}

}  // namespace sse::test
