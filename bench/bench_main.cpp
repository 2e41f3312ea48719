// sse-bench's main: Google Benchmark's usual flags, plus a closing summary that sets the
// results against the project's targets (docs/BENCHMARKS.md), so no script is needed to read them.
//
// The summary goes to stdout after the console table, or to stderr when
// --benchmark_format=json keeps stdout machine-readable. It uses each case's median when
// --benchmark_repetitions gives several runs, else the mean of its runs.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Forwards everything to the reporter the user chose and keeps bytes/s per benchmark name.
class target_summary final : public benchmark::BenchmarkReporter {
public:
    explicit target_summary(std::unique_ptr<benchmark::BenchmarkReporter> inner)
        : inner_(std::move(inner)) {}

    bool ReportContext(const Context& context) override { return inner_->ReportContext(context); }

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            if (run.error_occurred) continue;
            const auto rate = run.counters.find("bytes_per_second");
            if (rate == run.counters.end()) continue;
            rates& r = by_name_[run.run_name.function_name];
            if (run.run_type == Run::RT_Iteration) r.runs.push_back(rate->second.value);
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
                r.median = rate->second.value;
            }
        }
        inner_->ReportRuns(runs);
    }

    void Finalize() override { inner_->Finalize(); }

    /// Bytes per second of one case, if it ran.
    std::optional<double> bytes_per_second(const std::string& name) const {
        const auto it = by_name_.find(name);
        if (it == by_name_.end()) return std::nullopt;
        if (it->second.median) return it->second.median;
        if (it->second.runs.empty()) return std::nullopt;
        double sum = 0;
        for (const double v : it->second.runs) sum += v;
        return sum / static_cast<double>(it->second.runs.size());
    }

private:
    struct rates {
        std::vector<double> runs;
        std::optional<double> median;
    };
    std::unique_ptr<benchmark::BenchmarkReporter> inner_;
    std::map<std::string, rates> by_name_;
};

// One summary row: what, the measured value, the target (or "information"), and a verdict.
void row(std::FILE* out, const char* what, const std::string& value, const char* target,
         const char* verdict) {
    std::fprintf(out, "  %-30s %-44s %-20s %s\n", what, value.c_str(), target, verdict);
}

std::string format(const char* fmt, double a, double b = 0, double c = 0) {
    char buf[128];
    std::snprintf(buf, sizeof buf, fmt, a, b, c);
    return buf;
}

const char* verdict(bool ok) { return ok ? "ok" : "MISS"; }

void print_summary(const target_summary& s, std::FILE* out) {
    const auto rate = [&](const std::string& name) { return s.bytes_per_second(name); };
    std::fprintf(out, "\nssekit targets (rates from CPU time; GB = 1e9 bytes; see docs/BENCHMARKS.md)\n");
    const auto small = rate("parser/small/chunk:16384");
    if (small) {
        row(out, "small events, 16 KiB feeds", format("%.3f GB/s", *small / 1e9), ">= 1.5 GB/s",
            verdict(*small >= 1.5e9));
        if (const auto base = rate("memchr/small/chunk:16384")) {
            row(out, "  vs memchr line count",
                format("%.3f x memchr (%.3f GB/s)", *small / *base, *base / 1e9), "information", "");
        }
    }
    for (const std::string chunk : {"16", "64"}) {
        const std::string bytes = chunk == "16" ? "16384" : "65536";
        const auto parsed = rate("parser/large16k/chunk:" + bytes);
        const auto base = rate("memchr/large16k/chunk:" + bytes);
        if (!parsed || !base) continue;
        row(out, ("16 KiB events, " + chunk + " KiB feeds").c_str(),
            format("%.3f x memchr (%.2f / %.2f GB/s)", *parsed / *base, *parsed / 1e9, *base / 1e9),
            ">= 0.60 x memchr", verdict(*parsed >= 0.6 * *base));
    }
    const auto trickle = rate("parser/small/chunk:1");
    if (small && trickle) {
        row(out, "1-byte feeds slowdown",
            format("%.2f x (%.1f vs %.1f MB/s)", *small / *trickle, *small / 1e6, *trickle / 1e6),
            "<= 20 x", verdict(*small <= 20 * *trickle));
    }
    // Linearity: a parser that rescans a pending line costs more per byte the longer the line.
    const auto one_m = rate("parser/single1m/chunk:1");
    const auto eight_m = rate("parser/single8m/chunk:1");
    if (trickle && one_m && eight_m) {
        row(out, "1-byte feeds, ns/byte",
            format("small %.2f, 1 MiB event %.2f, 8 MiB event %.2f", 1e9 / *trickle, 1e9 / *one_m,
                   1e9 / *eight_m),
            "information", "");
        row(out, "  linearity: 8 MiB / 1 MiB",
            format("%.2f x per byte", *one_m / *eight_m), "~1 (no rescans)", "");
    }
    const auto encoded = rate("encoder/large16k");
    const auto floor = rate("append/large16k");
    if (encoded && floor) {
        row(out, "encoder, 16 KiB events",
            format("%.3f x append (%.2f / %.2f GB/s)", *encoded / *floor, *encoded / 1e9, *floor / 1e9),
            "information", "");
    }
}

// --benchmark_format and --benchmark_counters_tabular, read before Initialize() consumes them.
struct display_options {
    std::string format = "console";
    bool tabular = false;
};

display_options read_display_options(int argc, char** argv) {
    display_options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        constexpr std::string_view format = "--benchmark_format=";
        constexpr std::string_view tabular = "--benchmark_counters_tabular";
        if (arg.starts_with(format)) o.format = std::string(arg.substr(format.size()));
        if (arg == tabular || arg == "--benchmark_counters_tabular=true") o.tabular = true;
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const display_options opts = read_display_options(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    if (opts.format != "console" && opts.format != "json") {
        // CSV (deprecated upstream): plain output, no summary.
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
        return 0;
    }
    std::unique_ptr<benchmark::BenchmarkReporter> inner;
    if (opts.format == "json") {
        inner = std::make_unique<benchmark::JSONReporter>();
    } else {
        int options = benchmark::ConsoleReporter::OO_None;
        if (isatty(STDOUT_FILENO)) options |= benchmark::ConsoleReporter::OO_Color;
        if (opts.tabular) options |= benchmark::ConsoleReporter::OO_Tabular;
        inner = std::make_unique<benchmark::ConsoleReporter>(
            static_cast<benchmark::ConsoleReporter::OutputOptions>(options));
    }
    target_summary summary(std::move(inner));
    benchmark::RunSpecifiedBenchmarks(&summary);
    std::fflush(stdout);
    std::FILE* const out = opts.format == "json" ? stderr : stdout;
    print_summary(summary, out);
    benchmark::Shutdown();
    return 0;
}
