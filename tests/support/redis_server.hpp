// A redis-server child process for one test: on a free loopback port, with its own temporary
// directory and no snapshots (--save ''), stopped (and its directory removed) by the destructor.
// Also a blocking hiredis client for the test's own commands (CLIENT KILL, GET, ...). Every wait
// has a deadline.
#pragma once

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace sse::test {

/// A port nobody listens on right now (bound and released; good enough on a test machine).
inline std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

/// One redis-server. `extra` flags are appended (e.g. {"--appendonly", "yes"}).
class redis_server {
public:
    explicit redis_server(std::vector<std::string> extra = {}) : extra_(std::move(extra)) {
        char tmpl[] = "/tmp/sse-redis-XXXXXX";
        if (const char* d = ::mkdtemp(tmpl)) dir_ = d;
        port_ = free_port();
        start();
    }
    ~redis_server() {
        stop();
        std::error_code ignored;
        if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
    }
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    const std::string& dir() const { return dir_; }
    bool running() const { return pid_ > 0; }

    /// Starts it (again, on the same port and directory) and waits until it answers PING.
    bool start() {
        if (pid_ > 0) return true;
        std::vector<std::string> args = {"redis-server", "--port", std::to_string(port_),
                                         "--bind", "127.0.0.1", "--dir", dir_, "--save", "",
                                         "--daemonize", "no", "--loglevel", "warning",
                                         "--logfile", dir_ + "/redis.log"};
        args.insert(args.end(), extra_.begin(), extra_.end());
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (::posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0) {
            pid_ = -1;
            return false;
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            // With --requirepass, PING answers NOAUTH: up all the same.
            const auto pong = command({"PING"});
            if (pong && (*pong == "PONG" || pong->rfind("NOAUTH", 0) == 0)) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

    /// SIGTERM (Redis flushes its AOF, if any) and waits for the exit; SIGKILL after 20 s.
    void stop() { signal_and_wait(SIGTERM); }

    /// SIGKILL: nothing is flushed.
    void kill9() { signal_and_wait(SIGKILL); }

    /// Stops and starts again on the same port and directory.
    bool restart() {
        stop();
        return start();
    }

    /// Runs one command on a new blocking connection; returns the reply as text (integers in
    /// decimal, arrays' elements joined with '\n', nil as "(nil)", errors as "ERR ..."), or
    /// std::nullopt if Redis could not be reached.
    std::optional<std::string> command(const std::vector<std::string>& argv) const {
        timeval tv{2, 0};
        redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
        if (!c || c->err) {
            if (c) redisFree(c);
            return std::nullopt;
        }
        redisSetTimeout(c, tv);
        std::vector<const char*> args;
        std::vector<std::size_t> lengths;
        for (const std::string& a : argv) {
            args.push_back(a.data());
            lengths.push_back(a.size());
        }
        auto* r = static_cast<redisReply*>(
            redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lengths.data()));
        std::optional<std::string> out;
        if (r) out = text(r);
        if (r) freeReplyObject(r);
        redisFree(c);
        return out;
    }

private:
    static std::string text(const redisReply* r) {
        switch (r->type) {
        case REDIS_REPLY_INTEGER: return std::to_string(r->integer);
        case REDIS_REPLY_NIL: return "(nil)";
        case REDIS_REPLY_ARRAY: {
            std::string s;
            for (std::size_t i = 0; i < r->elements; ++i) {
                if (i) s += '\n';
                s += text(r->element[i]);
            }
            return s;
        }
        default: return std::string(r->str, r->len);
        }
    }

    void signal_and_wait(int sig) {
        if (pid_ <= 0) return;
        ::kill(pid_, sig);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        pid_ = -1;
    }

    std::vector<std::string> extra_;
    std::string dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace sse::test
