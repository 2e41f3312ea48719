// A redis-sentinel child process for one test, monitoring one primary under a name, with short
// timeouts so a failover takes a second or two (failover-timeout may be raised: it is also how
// long Sentinel leaves a replica that names another primary address before "fixing" it).
// Stopped (and its directory removed) by the destructor.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/redis_server.hpp"

namespace sse::test {

class redis_sentinel {
public:
    redis_sentinel(const std::string& name, std::uint16_t primary_port,
                   std::chrono::milliseconds failover_timeout = std::chrono::milliseconds(2000)) {
        char tmpl[] = "/tmp/sse-sentinel-XXXXXX";
        if (const char* d = ::mkdtemp(tmpl)) dir_ = d;
        port_ = free_port();
        const std::string conf = dir_ + "/sentinel.conf";
        {
            std::ofstream out(conf);
            out << "port " << port_ << "\nbind 127.0.0.1\ndir " << dir_ << "\n"
                << "logfile " << dir_ << "/sentinel.log\n"
                << "sentinel monitor " << name << " 127.0.0.1 " << primary_port << " 1\n"
                << "sentinel down-after-milliseconds " << name << " 400\n"
                << "sentinel failover-timeout " << name << " " << failover_timeout.count()
                << "\n";
        }
        std::vector<std::string> args = {"redis-sentinel", conf};
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (::posix_spawnp(&pid_, "redis-sentinel", nullptr, nullptr, argv.data(), environ) != 0)
            pid_ = -1;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline && pid_ > 0) {
            if (primary_port_now(name) == primary_port) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    ~redis_sentinel() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        std::error_code ignored;
        if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
    }
    redis_sentinel(const redis_sentinel&) = delete;
    redis_sentinel& operator=(const redis_sentinel&) = delete;

    std::uint16_t port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

    /// The port Sentinel gives for `name` now (SENTINEL get-master-addr-by-name), 0 if none.
    std::uint16_t primary_port_now(const std::string& name) const {
        timeval tv{1, 0};
        redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
        if (!c || c->err) {
            if (c) redisFree(c);
            return 0;
        }
        auto* r = static_cast<redisReply*>(
            redisCommand(c, "SENTINEL get-master-addr-by-name %s", name.c_str()));
        std::uint16_t port = 0;
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
            port = static_cast<std::uint16_t>(std::stoi(std::string(r->element[1]->str,
                                                                    r->element[1]->len)));
        if (r) freeReplyObject(r);
        redisFree(c);
        return port;
    }

private:
    std::string dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace sse::test
