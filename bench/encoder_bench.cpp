// Encoder throughput: sse::encode into one reused buffer, as a server's write loop would.
//
// Bytes counted are bytes written (the encoded stream). A memcpy of the same payloads into the
// same kind of buffer is the floor any encoder pays, reported next to it.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sse/encoder.hpp"

namespace {

constexpr std::size_t batch = 1024;  // messages per iteration

// Deterministic printable ASCII payloads, with a LF every `line` bytes when `line` != 0.
std::string payload(std::size_t size, std::size_t line, std::uint64_t seed) {
    static constexpr std::string_view alphabet =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 {}\":,._-+=";
    std::string s;
    s.reserve(size);
    for (std::size_t i = 0; i < size; ++i) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        s.push_back(line != 0 && i % line == line - 1 ? '\n' : alphabet[seed % alphabet.size()]);
    }
    return s;
}

// `batch` messages with ids, types and payloads that differ a little, as real ones do.
struct message_set {
    std::vector<std::string> ids;
    std::vector<std::string> payloads;
    std::vector<sse::message> messages;
};

message_set make_messages(std::size_t data_size, std::size_t line) {
    static constexpr std::array<std::string_view, 4> types = {"update", "tick", "quote",
                                                              "presence"};
    message_set set;
    set.ids.reserve(batch);
    set.payloads.reserve(batch);
    for (std::size_t i = 0; i < batch; ++i) {
        set.ids.push_back(std::to_string(1000000 + i));
        set.payloads.push_back(payload(data_size, line, 0x9E3779B97F4A7C15ull + i));
    }
    for (std::size_t i = 0; i < batch; ++i) {
        sse::message m;
        m.id = set.ids[i];
        m.type = types[i % types.size()];
        m.data = set.payloads[i];
        set.messages.push_back(m);
    }
    return set;
}

// Bytes written and messages encoded per second, the same way for every case.
void report(benchmark::State& state, std::size_t bytes) {
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["events"] = benchmark::Counter(
        static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
}

void encode(benchmark::State& state, std::size_t data_size, std::size_t line) {
    const message_set set = make_messages(data_size, line);
    std::string out;
    std::size_t bytes = 0;
    for (auto _ : state) {
        out.clear();
        for (const sse::message& m : set.messages) {
            if (sse::encode(m, out)) {
                state.SkipWithError("encode rejected a valid message");
                return;
            }
        }
        bytes += out.size();
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report(state, bytes);
}

// The floor: append each payload with no framing at all.
void append_payloads(benchmark::State& state, std::size_t data_size) {
    const message_set set = make_messages(data_size, 0);
    std::string out;
    std::size_t bytes = 0;
    for (auto _ : state) {
        out.clear();
        for (const std::string& p : set.payloads) out.append(p);
        bytes += out.size();
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report(state, bytes);
}

struct registration {
    registration() {
        const auto unit = benchmark::kMicrosecond;
        benchmark::RegisterBenchmark("encoder/small", encode, std::size_t{64}, std::size_t{0})
            ->Unit(unit);
        benchmark::RegisterBenchmark("encoder/large16k", encode, std::size_t{16384}, std::size_t{0})
            ->Unit(unit);
        // 4 KiB payloads with a line break every 64 bytes: 64 `data:` lines per event.
        benchmark::RegisterBenchmark("encoder/multiline4k", encode, std::size_t{4096}, std::size_t{64})
            ->Unit(unit);
        benchmark::RegisterBenchmark("append/large16k", append_payloads, std::size_t{16384})
            ->Unit(unit);
    }
} const registered;

}  // namespace
