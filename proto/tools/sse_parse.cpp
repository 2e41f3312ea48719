// sse-parse: reads an event stream from a file or stdin and prints what a conforming client sees,
// one JSON object per line. The tool people point at a captured stream (`curl -N URL | sse-parse`)
// and the reference the test suites compare other parsers with.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sse/detail/utf8.hpp"
#include "sse/parser.hpp"
#include "sse/validator.hpp"
#include "json_writer.hpp"

namespace {

constexpr std::string_view usage = R"(usage: sse-parse [options] [FILE]

Reads a text/event-stream from FILE (or standard input when FILE is absent or "-") and prints,
one JSON object per line, what a WHATWG-conforming client would see:
  {"type":"message","data":"...","id":"..."}   for each dispatched event
  {"retry":3000}                                  whenever `retry` sets the reconnection time

options:
  --chunk N             feed the parser N bytes at a time (default 65536); any N gives the same output
  --comments            also print comments as {"comment":"..."}
  --count               print only totals at the end: {"events":..,"retries":..,"comments":..,"bytes":..,"last_event_id":..}
  --validate            print the validator's observations instead of events:
                        {"severity":"warning","code":"retry-not-digits","offset":..,"line":..,"message":..}
  --max-line-length N   parser limit on one line, in bytes (default 16777216)
  --max-event-size N    parser limit on one event's data + type, in bytes (default 16777216)
  -h, --help            show this help
  --version             print the version

exit status: 0 the stream was read to its end; 1 a parser limit was exceeded (the events before it
are printed), or with --validate, an error-severity observation; 2 bad usage or an unreadable input.

examples:
  curl -sN http://127.0.0.1:8080/events?topic=news | sse-parse
  sse-parse --chunk 1 capture.txt        # same output, fed byte by byte
)";

struct options {
    std::string file = "-";
    std::size_t chunk = 65536;
    bool comments = false;
    bool count = false;
    bool validate = false;
    sse::parser_limits limits;
};

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "sse-parse: %s\nTry 'sse-parse --help'.\n", message.c_str());
    std::exit(2);
}

std::size_t parse_size(std::string_view flag, const char* text) {
    std::size_t value = 0;
    const std::string_view s(text);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size() || value == 0) {
        usage_error(std::string(flag) + " needs a positive whole number, got '" + text + "'");
    }
    return value;
}

options parse_options(int argc, char** argv) {
    options o;
    bool file_seen = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto value = [&]() -> const char* {
            if (i + 1 >= argc) usage_error(std::string(arg) + " needs a value");
            return argv[++i];
        };
        if (arg == "-h" || arg == "--help") {
            std::fputs(usage.data(), stdout);
            std::exit(0);
        } else if (arg == "--version") {
            std::puts("sse-parse (ssekit) " SSE_VERSION);
            std::exit(0);
        } else if (arg == "--chunk") {
            o.chunk = parse_size(arg, value());
        } else if (arg == "--comments") {
            o.comments = true;
        } else if (arg == "--count") {
            o.count = true;
        } else if (arg == "--validate") {
            o.validate = true;
        } else if (arg == "--max-line-length") {
            o.limits.max_line_length = parse_size(arg, value());
        } else if (arg == "--max-event-size") {
            o.limits.max_event_size = parse_size(arg, value());
        } else if (arg.size() > 1 && arg.front() == '-') {
            usage_error("unknown option '" + std::string(arg) + "'");
        } else {
            if (file_seen) usage_error("only one input file, got '" + std::string(arg) + "' too");
            o.file = arg;
            file_seen = true;
        }
    }
    if (o.count && o.validate) usage_error("--count and --validate do not go together");
    return o;
}

// Prints records as the handler receives them.
class printer final : public sse::handler {
public:
    printer(sse::tools::json_writer& out, const options& o) : out_(out), opts_(o) {}

    sse::action on_event(const sse::event& e) override {
        ++events;
        if (!opts_.count) {
            out_.begin_object();
            out_.field("type", e.type);
            out_.field("data", e.data);
            out_.field("id", e.last_event_id);
            out_.end_object();
        }
        return sse::action::proceed;
    }
    sse::action on_retry(std::uint64_t ms) override {
        ++retries;
        if (!opts_.count) {
            out_.begin_object();
            out_.field("retry", ms);
            out_.end_object();
        }
        return sse::action::proceed;
    }
    sse::action on_comment(std::string_view text) override {
        ++comments;
        if (opts_.comments && !opts_.count) {
            sse::detail::utf8_assign(scratch_, text);  // comments are raw bytes; JSON needs UTF-8
            out_.begin_object();
            out_.field("comment", scratch_);
            out_.end_object();
        }
        return sse::action::proceed;
    }

    std::uint64_t events = 0;
    std::uint64_t retries = 0;
    std::uint64_t comments = 0;

private:
    sse::tools::json_writer& out_;
    const options& opts_;
    std::string scratch_;
};

// Reads at least 64 KiB at a time, and at most 16 MiB: a huge --chunk just means "as read",
// since any chunking gives the same output.
std::size_t read_buffer_size(std::size_t chunk) {
    return std::clamp<std::size_t>(chunk, std::size_t{1} << 16, std::size_t{1} << 24);
}

int open_input(const std::string& file) {
    if (file == "-") return STDIN_FILENO;
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        std::fprintf(stderr, "sse-parse: cannot open '%s': %s\n", file.c_str(), std::strerror(errno));
        std::exit(2);
    }
    return fd;
}

// Reads up to buf.size() bytes; returns 0 at end of input, exits on a read error.
std::size_t read_some(int fd, std::vector<char>& buf, const std::string& file) {
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno == EINTR) continue;
        std::fprintf(stderr, "sse-parse: cannot read '%s': %s\n", file.c_str(), std::strerror(errno));
        std::exit(2);
    }
}

int run_parser(const options& o, int fd) {
    sse::tools::json_writer out(stdout);
    printer print(out, o);
    sse::parser p(print, o.limits);
    std::vector<char> buf(read_buffer_size(o.chunk));
    std::uint64_t total = 0;
    std::error_code error;
    while (!error) {
        const std::size_t n = read_some(fd, buf, o.file);
        if (n == 0) break;
        for (std::size_t at = 0; at < n && !error; at += o.chunk) {
            const std::size_t len = std::min(o.chunk, n - at);
            const sse::feed_result r = p.feed(std::string_view(buf.data() + at, len));
            total += r.consumed;
            error = r.error;
        }
        out.flush();  // a live stream's events show as they arrive
    }
    if (!error) error = p.finish();
    if (o.count) {
        out.begin_object();
        out.field("events", print.events);
        out.field("retries", print.retries);
        out.field("comments", print.comments);
        out.field("bytes", total);
        out.field("last_event_id", p.last_event_id());
        out.end_object();
    }
    out.flush();
    if (error) {
        std::fprintf(stderr, "sse-parse: stopped at input byte %llu: %s\n",
                     static_cast<unsigned long long>(total), error.message().c_str());
        return 1;
    }
    return 0;
}

// Prints each observation as a JSON line, as it is found.
class observation_printer final : public sse::observer {
public:
    explicit observation_printer(sse::tools::json_writer& out) : out_(out) {}

    void on_observation(const sse::observation& o) override {
        out_.begin_object();
        out_.field("severity", sse::to_string(o.severity));
        out_.field("code", o.name());
        out_.field("offset", o.offset);
        out_.field("line", o.line);
        out_.field("message", o.message);
        out_.end_object();
    }

private:
    sse::tools::json_writer& out_;
};

int run_validator(const options& o, int fd) {
    sse::tools::json_writer out(stdout);
    observation_printer print(out);
    sse::validator v({.limits = o.limits});
    std::vector<char> buf(read_buffer_size(o.chunk));
    while (const std::size_t n = read_some(fd, buf, o.file)) {
        for (std::size_t at = 0; at < n; at += o.chunk) {
            v.feed(std::string_view(buf.data() + at, std::min(o.chunk, n - at)), print);
        }
        out.flush();
    }
    v.finish(print);
    out.flush();
    return v.count(sse::severity::error) != 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    const options o = parse_options(argc, argv);
    const int fd = open_input(o.file);
    if (o.validate) return run_validator(o, fd);
    return run_parser(o, fd);
}
