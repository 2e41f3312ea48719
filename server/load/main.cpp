// sse-load: opens N subscriber connections to any SSE server, publishes timestamped events at a
// fixed rate and reports deliveries/s, latency percentiles, errors and the server's memory.
//
// Process layout: the parent forks --processes workers (worker.cpp) that hold the connections,
// and itself runs the publisher (publisher.cpp) and merges the workers' status lines, which
// arrive through one pipe per worker every 250 ms. Workers are forked before any thread exists.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "histogram.hpp"
#include "load_options.hpp"
#include "publisher.hpp"
#include "worker.hpp"

namespace {

using namespace sse::load;
using clock_type = std::chrono::steady_clock;

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_sigint(int) { interrupted = 1; }

struct totals {
    std::uint64_t open = 0, connecting = 0, failed = 0, deliveries = 0, untimed = 0, bytes = 0;
    std::uint64_t err_connect = 0, err_status = 0, err_closed = 0, err_parse = 0;
    histogram hist;
};

struct worker_link {
    pid_t pid = -1;
    int fd = -1;
    std::string pending;
    totals last;
    bool final_seen = false;
};

bool parse_line(const std::string& line, totals& t) {
    const auto bar = line.find('|');
    if (line.size() < 2 || bar == std::string::npos) return false;
    std::istringstream in(line.substr(2, bar - 2));
    totals n;
    in >> n.open >> n.connecting >> n.failed >> n.deliveries >> n.untimed >> n.bytes >> n.err_connect >>
        n.err_status >> n.err_closed >> n.err_parse;
    if (!in || !n.hist.deserialize(line.substr(bar + 1))) return false;
    t = std::move(n);
    return true;
}

// Reads whatever the workers sent within `timeout`; true while at least one pipe is open.
bool pump(std::vector<worker_link>& workers, int timeout_ms) {
    std::vector<pollfd> fds;
    for (auto& w : workers)
        if (w.fd >= 0) fds.push_back({w.fd, POLLIN, 0});
    if (fds.empty()) return false;
    ::poll(fds.data(), fds.size(), timeout_ms);
    char buf[1 << 16];
    for (auto& w : workers) {
        if (w.fd < 0) continue;
        for (const auto& p : fds) {
            if (p.fd != w.fd || !(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = ::read(w.fd, buf, sizeof buf);
            if (n <= 0) {
                ::close(w.fd);
                w.fd = -1;
                break;
            }
            w.pending.append(buf, static_cast<std::size_t>(n));
            std::size_t nl;
            while ((nl = w.pending.find('\n')) != std::string::npos) {
                const std::string line = w.pending.substr(0, nl);
                w.pending.erase(0, nl + 1);
                if (parse_line(line, w.last) && line[0] == 'F') w.final_seen = true;
            }
        }
    }
    return true;
}

totals sum(const std::vector<worker_link>& workers) {
    totals t;
    for (const auto& w : workers) {
        const auto& l = w.last;
        t.open += l.open;
        t.connecting += l.connecting;
        t.failed += l.failed;
        t.deliveries += l.deliveries;
        t.untimed += l.untimed;
        t.bytes += l.bytes;
        t.err_connect += l.err_connect;
        t.err_status += l.err_status;
        t.err_closed += l.err_closed;
        t.err_parse += l.err_parse;
        t.hist.merge(l.hist);
    }
    return t;
}

// VmRSS and PPid of one process from /proc/PID/status; rss -1 if unreadable.
std::pair<long, long> rss_and_parent(const std::string& pid) {
    std::ifstream in("/proc/" + pid + "/status");
    std::string line;
    long rss = -1, ppid = -1;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) rss = std::stol(line.substr(6));
        else if (line.rfind("PPid:", 0) == 0) ppid = std::stol(line.substr(5));
    }
    return {rss, ppid};
}

// VmRSS of `pid` plus that of its direct children (nginx's workers), in KiB, or -1. Pages shared
// between them (nchan's shared memory zone) are counted once per process that touched them.
long rss_kib(std::optional<long> pid) {
    if (!pid) return -1;
    long total = rss_and_parent(std::to_string(*pid)).first;
    if (total < 0) return -1;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto [rss, ppid] = rss_and_parent(name);
        if (ppid == *pid && rss > 0) total += rss;
    }
    return total;
}

std::string ms(std::uint64_t us) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f ms", static_cast<double>(us) / 1000.0);
    return b;
}

std::string si(double v) {
    char b[32];
    if (v >= 1e6) std::snprintf(b, sizeof b, "%.2fM", v / 1e6);
    else if (v >= 1e3) std::snprintf(b, sizeof b, "%.1fk", v / 1e3);
    else std::snprintf(b, sizeof b, "%.0f", v);
    return b;
}

}  // namespace

int main(int argc, char** argv) {
    const load_options o = parse_options(argc, argv);
    const long rss_before = rss_kib(o.server_pid);
    if (o.server_pid && rss_before < 0)
        std::cerr << "sse-load: cannot read /proc/" << *o.server_pid << "/status; no RSS figures\n";

    std::vector<worker_link> workers(o.processes);
    for (unsigned i = 0; i < o.processes; ++i) {
        int fds[2];
        if (::pipe(fds) != 0) {
            std::perror("sse-load: pipe");
            return 1;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::perror("sse-load: fork");
            return 1;
        }
        if (pid == 0) {
            ::close(fds[0]);
            for (unsigned j = 0; j < i; ++j) ::close(workers[j].fd);
            std::_Exit(run_worker(o, i, fds[1]));
        }
        ::close(fds[1]);
        workers[i].pid = pid;
        workers[i].fd = fds[0];
    }
    std::signal(SIGINT, on_sigint);
    std::signal(SIGTERM, on_sigint);
    std::signal(SIGPIPE, SIG_IGN);

    const auto t0 = clock_type::now();
    auto last_print = t0;
    std::uint64_t last_deliveries = 0;
    auto progress = [&](const char* phase, std::uint64_t published) {
        const auto now = clock_type::now();
        if (o.quiet || now - last_print < std::chrono::seconds(1)) return;
        const totals t = sum(workers);
        const double dt = std::chrono::duration<double>(now - last_print).count();
        std::fprintf(stderr,
                     "[%5.1fs %s] open %llu/%llu connecting %llu failed %llu | published %llu | "
                     "delivered %s (%s/s) p99 %s | errors %llu\n",
                     std::chrono::duration<double>(now - t0).count(), phase,
                     static_cast<unsigned long long>(t.open), static_cast<unsigned long long>(o.connections),
                     static_cast<unsigned long long>(t.connecting), static_cast<unsigned long long>(t.failed),
                     static_cast<unsigned long long>(published), si(static_cast<double>(t.deliveries)).c_str(),
                     si(static_cast<double>(t.deliveries - last_deliveries) / dt).c_str(),
                     ms(t.hist.quantile(0.99)).c_str(),
                     static_cast<unsigned long long>(t.err_connect + t.err_status + t.err_closed + t.err_parse));
        last_print = now;
        last_deliveries = t.deliveries;
    };

    // 1. Connect.
    const auto connect_deadline = t0 + std::chrono::duration<double>(o.connect_timeout_s);
    while (!interrupted) {
        pump(workers, 100);
        const totals t = sum(workers);
        if (t.open + t.failed >= o.connections && t.connecting == 0) break;
        if (clock_type::now() > connect_deadline) {
            std::cerr << "sse-load: connect timeout: " << t.open << " of " << o.connections << " open\n";
            break;
        }
        progress("connect", 0);
    }
    const double connect_seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    // Let the server settle (allocations after the response head) before sampling its memory.
    for (auto until = clock_type::now() + std::chrono::seconds(1); !interrupted && clock_type::now() < until;)
        pump(workers, 100);
    const long rss_held = rss_kib(o.server_pid);
    const totals at_connected = sum(workers);

    // 2. Publish, or hold.
    publisher pub(o);
    totals at_start = at_connected, at_stop = at_connected;
    const auto run_until = clock_type::now() + std::chrono::duration<double>(o.duration_s);
    if (!o.idle && !interrupted) pub.start();
    while (!interrupted && clock_type::now() < run_until) {
        pump(workers, 100);
        progress(o.idle ? "hold" : "publish", pub.published());
    }
    if (!o.idle) pub.stop();
    pump(workers, 0);
    at_stop = sum(workers);
    for (auto until = clock_type::now() + std::chrono::duration<double>(o.idle ? 0 : o.drain_s);
         !interrupted && clock_type::now() < until;) {
        pump(workers, 100);
        progress("drain", pub.published());
    }
    const long rss_end = rss_kib(o.server_pid);

    // 3. Stop the workers and collect their final lines.
    for (const auto& w : workers) ::kill(w.pid, SIGUSR1);
    const auto collect_deadline = clock_type::now() + std::chrono::seconds(30);
    while (pump(workers, 100) && clock_type::now() < collect_deadline) {
    }
    for (const auto& w : workers) {
        int status = 0;
        ::waitpid(w.pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            std::cerr << "sse-load: worker " << w.pid << " exited abnormally (status " << status << ")\n";
    }
    const totals t = sum(workers);

    const double window = o.idle ? 0.0 : pub.seconds();
    const double window_rate = window > 0 ? static_cast<double>(at_stop.deliveries - at_start.deliveries) / window : 0;
    const std::uint64_t expected = pub.published() * at_connected.open;
    const std::uint64_t timed = t.hist.count();
    const std::uint64_t held = at_stop.open;
    const double per_conn = (rss_before >= 0 && rss_held >= 0 && at_connected.open > 0)
                                ? static_cast<double>(rss_held - rss_before) * 1024.0 / static_cast<double>(at_connected.open)
                                : -1;

    const histogram& answers = pub.answer_latency();
    nlohmann::json j = {
        {"subscribe_url", o.subscribe.str()},
        {"protocol", o.http == http_mode::http2 ? "h2" : o.http == http_mode::h2c ? "h2c" : "http/1.1"},
        {"connections", {{"requested", o.connections}, {"open_after_connect", at_connected.open},
                         {"open_at_end", held}, {"failed", t.failed}, {"connect_seconds", connect_seconds},
                         {"processes", o.processes}, {"source_ips", o.source_ips}}},
        {"publish", {{"rate_target", o.idle ? 0.0 : o.rate}, {"published", pub.published()},
                     {"errors", pub.errors()}, {"skipped", pub.skipped()}, {"seconds", window},
                     {"event_bytes", o.size},
                     {"answer_ms", {{"count", answers.count()}, {"p50", answers.quantile(0.5) / 1000.0},
                                    {"p99", answers.quantile(0.99) / 1000.0},
                                    {"p999", answers.quantile(0.999) / 1000.0},
                                    {"max", answers.max() / 1000.0}}}}},
        {"deliveries", {{"total", t.deliveries}, {"expected", expected}, {"per_second", window_rate},
                        {"untimed", t.untimed}}},
        {"latency_ms", {{"count", timed}, {"p50", t.hist.quantile(0.5) / 1000.0},
                        {"p99", t.hist.quantile(0.99) / 1000.0}, {"p999", t.hist.quantile(0.999) / 1000.0},
                        {"max", t.hist.max() / 1000.0}}},
        {"bytes_received", t.bytes},
        {"errors", {{"connect", t.err_connect}, {"status", t.err_status}, {"closed", t.err_closed},
                    {"parse", t.err_parse}}},
        {"interrupted", interrupted != 0},
    };
    if (o.publish) j["publish_url"] = o.publish->str();
    if (o.server_pid) {
        j["server_rss_kib"] = {{"before", rss_before}, {"held", rss_held}, {"end", rss_end},
                               {"per_connection_bytes", per_conn}};
    }
    if (o.json) {
        std::cout << j.dump(2) << "\n";
    } else {
        std::printf("sse-load report%s\n", interrupted ? " (interrupted)" : "");
        std::printf("  subscribe       %s over %s\n", j["subscribe_url"].get<std::string>().c_str(),
                    j["protocol"].get<std::string>().c_str());
        std::printf("  connections     %llu requested, %llu open after %.1f s, %llu open at end, %llu failed (%u processes, %u source IPs)\n",
                    static_cast<unsigned long long>(o.connections), static_cast<unsigned long long>(at_connected.open),
                    connect_seconds, static_cast<unsigned long long>(held), static_cast<unsigned long long>(t.failed),
                    o.processes, o.source_ips);
        if (!o.idle) {
            std::printf("  published       %llu events of %zu bytes in %.1f s (%.1f/s, target %.1f/s), %llu errors, %llu skipped\n",
                        static_cast<unsigned long long>(pub.published()), o.size, window,
                        window > 0 ? static_cast<double>(pub.published()) / window : 0.0, o.rate,
                        static_cast<unsigned long long>(pub.errors()), static_cast<unsigned long long>(pub.skipped()));
            std::printf("  publish answer  p50 %s  p99 %s  p999 %s  max %s  (%llu answered)\n",
                        ms(answers.quantile(0.5)).c_str(), ms(answers.quantile(0.99)).c_str(),
                        ms(answers.quantile(0.999)).c_str(), ms(answers.max()).c_str(),
                        static_cast<unsigned long long>(answers.count()));
            std::printf("  deliveries      %llu of %llu expected (%.2f%%); %s/s during the publish window\n",
                        static_cast<unsigned long long>(t.deliveries), static_cast<unsigned long long>(expected),
                        expected ? 100.0 * static_cast<double>(t.deliveries) / static_cast<double>(expected) : 0.0,
                        si(window_rate).c_str());
            std::printf("  latency         p50 %s  p99 %s  p999 %s  max %s  (%llu timed, %llu untimed)\n",
                        ms(t.hist.quantile(0.5)).c_str(), ms(t.hist.quantile(0.99)).c_str(),
                        ms(t.hist.quantile(0.999)).c_str(), ms(t.hist.max()).c_str(),
                        static_cast<unsigned long long>(timed), static_cast<unsigned long long>(t.untimed));
        }
        std::printf("  bytes received  %llu\n", static_cast<unsigned long long>(t.bytes));
        std::printf("  errors          connect %llu, bad status %llu, closed by server %llu, parse %llu\n",
                    static_cast<unsigned long long>(t.err_connect), static_cast<unsigned long long>(t.err_status),
                    static_cast<unsigned long long>(t.err_closed), static_cast<unsigned long long>(t.err_parse));
        if (o.server_pid)
            std::printf("  server RSS      before %ld KiB, all connected %ld KiB, end %ld KiB: %.0f bytes per connection\n",
                        rss_before, rss_held, rss_end, per_conn);
    }
    return (t.err_connect + t.err_status + t.err_parse + pub.errors()) == 0 ? 0 : 1;
}
