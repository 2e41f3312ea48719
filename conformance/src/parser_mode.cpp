#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include <sse/parser.hpp>

#include "child_process.hpp"
#include "parser_session.hpp"

namespace sse::conformance {

namespace {

struct recorder : sse::handler {
    nlohmann::json* out = nullptr;
    sse::action on_event(const sse::event& e) override {
        out->push_back({{"type", std::string(e.type)}, {"data", std::string(e.data)}, {"id", std::string(e.last_event_id)}});
        return sse::action::proceed;
    }
    sse::action on_retry(std::uint64_t ms) override {
        out->push_back({{"retry", ms}});
        return sse::action::proceed;
    }
};

std::string from_hex(std::string_view hex, bool& ok) {
    std::string out;
    int nibble = -1;
    ok = true;
    for (char c : hex) {
        if (c == ' ' || c == '\n') continue;
        int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (v < 0) {
            ok = false;
            return out;
        }
        if (nibble < 0) {
            nibble = v;
        } else {
            out.push_back(static_cast<char>(nibble * 16 + v));
            nibble = -1;
        }
    }
    ok = nibble < 0;
    return out;
}

}  // namespace

nlohmann::json reference_records(std::string_view input) {
    nlohmann::json out = nlohmann::json::array();
    recorder r;
    r.out = &out;
    sse::parser p(r);
    (void)p.feed(input);
    (void)p.finish();
    return out;
}

bool load_corpus(const std::string& dir, std::vector<vector_case>& out, std::string& error) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        error = "cannot open the vector corpus " + dir;
        return false;
    }
    std::vector<std::string> files;
    while (auto* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > 5 && name.substr(name.size() - 5) == ".json") files.push_back(dir + "/" + name);
    }
    ::closedir(d);
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        try {
            const auto doc = nlohmann::json::parse(text.str());
            for (const auto& c : doc.at("cases")) {
                vector_case v;
                v.id = c.at("id").get<std::string>();
                if (c.contains("input")) {
                    v.input = c["input"].get<std::string>();
                } else {
                    bool ok = false;
                    v.input = from_hex(c.at("input_hex").get<std::string>(), ok);
                    if (!ok) throw std::runtime_error("bad input_hex in " + v.id);
                }
                v.expect = c.at("expect");
                v.uses_limits = c.contains("limits") || c.contains("error");
                out.push_back(std::move(v));
            }
        } catch (const std::exception& e) {
            error = f + ": " + e.what();
            return false;
        }
    }
    return true;
}

std::vector<std::string> chunk(std::string_view bytes, std::uint64_t seed, std::size_t max_chunk) {
    std::mt19937_64 rng(seed);
    std::vector<std::string> out;
    while (!bytes.empty()) {
        const std::size_t n = std::min<std::size_t>(bytes.size(), 1 + rng() % std::max<std::size_t>(max_chunk, 1));
        out.emplace_back(bytes.substr(0, n));
        bytes.remove_prefix(n);
    }
    return out;
}

parser_run parser_session::run(const std::vector<std::string>& chunks) const {
    parser_run r;
    auto child = child_process::start(command, {}, r.error);
    if (!child) return r;
    const auto deadline = child_process::clock::now() + timeout;
    bool written = true;
    for (std::size_t i = 0; i < chunks.size() && written; ++i) {
        written = child->write(chunks[i], deadline);
        // A short pause so the reader usually sees each chunk on its own; a pipe may still
        // coalesce them, so chunk boundaries are a best effort (documented in the README).
        if (chunks.size() > 1 && i < 64) ::usleep(300);
    }
    auto res = child->wait(deadline);
    r.stdout_text = res.out;
    if (res.timed_out) {
        r.error = "the command did not finish within " + std::to_string(timeout.count()) + " ms (killed)";
        return r;
    }
    if (res.signal != 0 || res.exit_code != 0) {
        r.error = "the command " + (res.signal ? "was killed by signal " + std::to_string(res.signal)
                                               : "exited with status " + std::to_string(res.exit_code)) +
                  (written ? "" : " (it stopped reading its input)") + "; stderr: " + res.err.substr(0, 400);
        return r;
    }
    std::istringstream lines(res.out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        try {
            auto j = nlohmann::json::parse(line);
            if (!j.is_object()) throw std::runtime_error("not an object");
            r.records.push_back(std::move(j));
        } catch (const std::exception&) {
            r.error = "output line is not a JSON object (sse-parse's format: {\"type\",\"data\",\"id\"} or "
                      "{\"retry\"}): " + line.substr(0, 200);
            return r;
        }
    }
    r.ok = true;
    return r;
}

mode parser_mode() {
    return mode{
        .name = "parser",
        .summary = "test a parser command (stdin: a stream; stdout: sse-parse's JSON lines)",
        .help = "  parser --cmd 'CMD'   e.g. --cmd 'node conformance/shims/eventsource-parser.mjs'\n",
        .target = target::parser,
        .open = [](const run_options& o, std::string& error) -> std::unique_ptr<session> {
            if (o.parser_cmd.empty()) {
                error = "parser mode needs --cmd 'COMMAND'";
                return nullptr;
            }
            auto s = std::make_unique<parser_session>();
            s->command = o.parser_cmd;
            s->timeout = o.timeout;
            if (!load_corpus(SSE_VECTORS_DIR, s->corpus, s->corpus_error)) s->corpus.clear();
            // Fail early and clearly when the command does not run at all.
            auto probe = s->run({"data: probe\n\n"});
            if (!probe.ok) {
                error = "the parser command does not work: " + probe.error;
                return nullptr;
            }
            return s;
        },
    };
}

}  // namespace sse::conformance
