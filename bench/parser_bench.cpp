// Parser throughput: sse::parser against a memchr line count over the same bytes.
//
// Every input is built once, deterministically, and ends at an event boundary, so one parser
// can be fed the same buffer again and again as one endless stream. Each iteration checks the
// event count, so a parser that silently drops events fails loudly instead of looking fast.
// docs/BENCHMARKS.md explains the cases, the targets and how to read the numbers.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "sse/parser.hpp"

namespace {

constexpr std::size_t kib = 1024;
constexpr std::size_t mib = 1024 * kib;

// Deterministic printable ASCII without CR, LF or ':' (no accidental fields), so runs compare.
class filler {
public:
    char next() noexcept {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 7;
        state_ ^= state_ << 17;
        static constexpr std::string_view alphabet =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 {}\",._-+=";
        return alphabet[state_ % alphabet.size()];
    }
    void append(std::string& out, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) out.push_back(next());
    }

private:
    std::uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

// A stream of events with `id: <n>`, `event: <type>` and one `data` line of `data_size` bytes,
// at least `total` bytes long.
struct stream {
    std::string bytes;
    std::size_t events = 0;
};

stream make_events(std::size_t data_size, std::size_t total) {
    static constexpr std::array<std::string_view, 4> types = {"update", "tick", "quote",
                                                              "presence"};
    filler fill;
    stream s;
    s.bytes.reserve(total + data_size + 64);
    while (s.bytes.size() < total) {
        s.bytes += "id: ";
        s.bytes += std::to_string(s.events);
        s.bytes += "\nevent: ";
        s.bytes += types[s.events % types.size()];
        s.bytes += "\ndata: ";
        fill.append(s.bytes, data_size);
        s.bytes += "\n\n";
        ++s.events;
    }
    return s;
}

// One event whose single data line is `size` bytes: the worst case for a parser that rescans.
stream make_single_event(std::size_t size) {
    filler fill;
    stream s;
    s.bytes.reserve(size + 16);
    s.bytes += "data: ";
    fill.append(s.bytes, size);
    s.bytes += "\n\n";
    s.events = 1;
    return s;
}

// Built on first use only, so a --benchmark_filter run pays for what it runs.
const stream& small_events() {
    static const stream s = make_events(64, 1 * mib);
    return s;
}
const stream& large_events() {
    static const stream s = make_events(16 * kib, 1 * mib);
    return s;
}
const stream& single_event_1m() {
    static const stream s = make_single_event(1 * mib);
    return s;
}
const stream& single_event_8m() {
    static const stream s = make_single_event(8 * mib);
    return s;
}

// Counts events and touches every field, as a real consumer would.
class counting_handler final : public sse::handler {
public:
    std::uint64_t events = 0;
    std::uint64_t bytes = 0;

    sse::action on_event(const sse::event& e) override {
        ++events;
        bytes += e.data.size() + e.type.size() + e.last_event_id.size();
        benchmark::DoNotOptimize(e.data.data());
        return sse::action::proceed;
    }
};

// Feeds all of `input` in pieces of `chunk` bytes; false on any error (there should be none).
bool feed_all(sse::parser& p, std::string_view input, std::size_t chunk) {
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        if (p.feed(input.substr(at, chunk)).error) return false;
    }
    return true;
}

void report(benchmark::State& state, const stream& s, std::uint64_t events) {
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.bytes.size()));
    state.counters["events"] = benchmark::Counter(static_cast<double>(events),
                                                  benchmark::Counter::kIsRate);
}

void parse(benchmark::State& state, const stream& (*input)(), std::size_t chunk) {
    const stream& s = input();
    counting_handler h;
    sse::parser p(h);
    for (auto _ : state) {
        const std::uint64_t before = h.events;
        if (!feed_all(p, s.bytes, chunk)) {
            state.SkipWithError("parser reported an error");
            return;
        }
        if (h.events - before != s.events) {
            state.SkipWithError("parser produced the wrong number of events");
            return;
        }
        benchmark::DoNotOptimize(h.bytes);
    }
    report(state, s, h.events);
}

// The baseline: the least any line-based parser must do, one memchr per line.
void memchr_lines(benchmark::State& state, const stream& (*input)(), std::size_t chunk) {
    const stream& s = input();
    const std::string_view all = s.bytes;
    std::uint64_t lines = 0;
    for (auto _ : state) {
        for (std::size_t at = 0; at < all.size(); at += chunk) {
            const std::string_view piece = all.substr(at, chunk);
            const char* p = piece.data();
            const char* const end = p + piece.size();
            while (const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
                ++lines;
                p = static_cast<const char*>(nl) + 1;
            }
        }
        benchmark::DoNotOptimize(lines);
    }
    // Each event is 4 lines (id, event, data, blank) in the multi-event streams, 2 in the single.
    const std::uint64_t per_event = s.events == 1 ? 2 : 4;
    report(state, s, lines / per_event);
}

struct input_case {
    const char* name;
    const stream& (*input)();
};

constexpr std::array<input_case, 4> inputs = {{
    {"small", small_events},
    {"large16k", large_events},
    {"single1m", single_event_1m},
    {"single8m", single_event_8m},
}};

// Names are family/input/chunk:N; bench_main.cpp's target summary looks them up by name.
struct registration {
    registration() {
        const auto add = [](const char* family, auto fn, const input_case& in, std::size_t chunk) {
            const std::string name =
                std::string(family) + "/" + in.name + "/chunk:" + std::to_string(chunk);
            benchmark::RegisterBenchmark(name.c_str(), fn, in.input, chunk)
                ->Unit(benchmark::kMicrosecond);
        };
        const input_case& small = inputs[0];
        const input_case& large = inputs[1];
        const input_case& single1m = inputs[2];
        const input_case& single8m = inputs[3];
        // (a) small events in 16 KiB chunks, (c) the same bytes one at a time.
        add("parser", parse, small, 16 * kib);
        add("parser", parse, small, 1);
        add("memchr", memchr_lines, small, 16 * kib);
        // (b) 16 KiB events in 16 KiB and 64 KiB chunks.
        add("parser", parse, large, 16 * kib);
        add("parser", parse, large, 64 * kib);
        add("memchr", memchr_lines, large, 16 * kib);
        add("memchr", memchr_lines, large, 64 * kib);
        // Linearity: one huge event, byte at a time, at two sizes; per-byte cost must not grow.
        add("parser", parse, single1m, 1);
        add("parser", parse, single8m, 1);
        add("parser", parse, single8m, 16 * kib);
        add("memchr", memchr_lines, single8m, 16 * kib);
    }
} const registered;

}  // namespace
