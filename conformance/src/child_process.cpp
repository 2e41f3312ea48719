#include "child_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sse::conformance {

namespace {

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

int ms_until(child_process::clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - child_process::clock::now());
    return static_cast<int>(std::clamp<long long>(left.count(), 0, 1000));
}

}  // namespace

std::unique_ptr<child_process> child_process::start(
    const std::string& command, const std::vector<std::pair<std::string, std::string>>& env,
    std::string& error) {
    std::signal(SIGPIPE, SIG_IGN);
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return nullptr;
    }
    if (::pipe2(out, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        ::close(in[0]);
        ::close(in[1]);
        return nullptr;
    }
    if (::pipe2(err, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
        return nullptr;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group, so a timeout kills the shell and whatever it started.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t def;
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &def);

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string sh = "/bin/sh", dash_c = "-c", cmd = command;
    char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};

    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        error = std::string("cannot start /bin/sh: ") + std::strerror(rc);
        for (int fd : {in[1], out[0], err[0]}) ::close(fd);
        return nullptr;
    }
    std::unique_ptr<child_process> c(new child_process());
    c->pid_ = pid;
    c->in_ = in[1];
    c->out_ = out[0];
    c->err_ = err[0];
    for (int fd : {c->in_, c->out_, c->err_}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return c;
}

child_process::~child_process() {
    close_fd(in_);
    if (pid_ > 0) {
        kill_now();
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    close_fd(out_);
    close_fd(err_);
}

void child_process::kill_now() {
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
    }
}

void child_process::drain(int timeout_ms) {
    pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    if (::poll(fds, 2, timeout_ms) <= 0) return;
    char buf[65536];
    for (int i = 0; i < 2; ++i) {
        int& fd = i == 0 ? out_ : err_;
        if (fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            std::string& dst = i == 0 ? r_.out : r_.err;
            const std::size_t room = max_output - std::min(max_output, dst.size());
            if (static_cast<std::size_t>(n) > room) r_.truncated = true;
            dst.append(buf, std::min(room, static_cast<std::size_t>(n)));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            close_fd(fd);
            fds[i].fd = -1;
        }
    }
}

bool child_process::write(std::string_view bytes, clock::time_point deadline) {
    while (!bytes.empty()) {
        if (in_ < 0 || clock::now() >= deadline) return false;
        pollfd fds[3] = {{in_, POLLOUT, 0}, {out_, POLLIN, 0}, {err_, POLLIN, 0}};
        if (::poll(fds, 3, ms_until(deadline)) < 0 && errno != EINTR) return false;
        if (fds[1].revents || fds[2].revents) drain(0);
        if (fds[0].revents & (POLLERR | POLLHUP)) {
            close_fd(in_);
            return false;
        }
        if (fds[0].revents & POLLOUT) {
            const ssize_t n = ::write(in_, bytes.data(), bytes.size());
            if (n > 0) {
                bytes.remove_prefix(static_cast<std::size_t>(n));
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                close_fd(in_);  // EPIPE: the child closed its stdin
                return false;
            }
        }
    }
    return true;
}

void child_process::close_stdin() { close_fd(in_); }

child_process::result child_process::wait(clock::time_point deadline) {
    close_stdin();
    while ((out_ >= 0 || err_ >= 0) && clock::now() < deadline) drain(ms_until(deadline));
    int status = 0;
    pid_t done = 0;
    while ((done = ::waitpid(pid_, &status, WNOHANG)) == 0 && clock::now() < deadline) {
        ::usleep(2000);
    }
    if (done == 0) {
        r_.timed_out = true;
        kill_now();
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    pid_ = -1;
    if (WIFEXITED(status)) r_.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r_.signal = WTERMSIG(status);
    // A grandchild may still hold the pipes; we read what is there and stop.
    drain(0);
    close_fd(out_);
    close_fd(err_);
    return std::move(r_);
}

}  // namespace sse::conformance
