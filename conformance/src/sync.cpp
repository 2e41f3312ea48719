#include "sync.hpp"

#include <algorithm>

namespace sse::conformance {

namespace {

std::string marker(const std::string& nonce, int k) {
    return "sse-conformance sync " + nonce + "/" + std::to_string(k);
}

bool saw(const capture& c, const std::string& data) {
    return std::any_of(c.events.begin(), c.events.end(), [&](const seen_event& e) { return e.data == data; });
}

}  // namespace

std::string make_nonce(std::uint64_t seed) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string n;
    for (int i = 0; i < 12; ++i) n += hex[(seed >> (i * 4)) & 15];
    return n;
}

bool sync_readers(const publisher& pub, std::vector<stream_reader*> readers, const std::string& nonce,
                  std::chrono::milliseconds timeout, std::string& error) {
    const auto deadline = http_probe::clock::now() + timeout;
    // A server may register a subscriber only after sending its head: publish markers until one
    // reaches everybody, then wait for the last one published (which follows all others).
    int k = 0;
    for (;;) {
        ++k;
        if (!pub.publish({"", marker(nonce, k)}, error)) return false;
        bool all = true;
        for (auto* r : readers) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - http_probe::clock::now());
            const auto wait = std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(200));
            r->read_until([&](const capture& c) { return saw(c, marker(nonce, k)); }, wait);
            all = all && saw(r->data(), marker(nonce, k));
        }
        if (all) return true;
        if (http_probe::clock::now() >= deadline) break;
    }
    for (auto* r : readers) {
        if (!r->read_until([&](const capture& c) { return saw(c, marker(nonce, k)); }, timeout)) {
            error = "a subscriber did not receive the published sync event '" + marker(nonce, k) +
                    "' within " + std::to_string(timeout.count()) + " ms";
            return false;
        }
    }
    return true;
}

std::vector<seen_event> after_sync(const capture& c, const std::string& nonce) {
    const std::string prefix = "sse-conformance sync " + nonce + "/";
    std::size_t start = 0;
    for (std::size_t i = 0; i < c.events.size(); ++i) {
        if (c.events[i].data.rfind(prefix, 0) == 0) start = i + 1;
    }
    return {c.events.begin() + static_cast<std::ptrdiff_t>(start), c.events.end()};
}

}  // namespace sse::conformance
