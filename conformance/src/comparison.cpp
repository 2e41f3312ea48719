#include "comparison.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace sse::conformance {

const case_result* target_result::find(std::string_view id) const noexcept {
    for (const auto& r : run.cases) {
        if (r.spec->id == id) return &r;
    }
    return nullptr;
}

std::string_view target_result::outcome_of(std::string_view id) const noexcept {
    if (!reachable()) return "unreachable";
    const auto* r = find(id);
    return r ? to_string(r->grade) : std::string_view("-");
}

std::vector<const test_case*> comparison::rows() const {
    std::vector<const test_case*> out;
    std::set<std::string_view> seen;
    for (const auto* spec : cases) {
        if (seen.insert(spec->id).second) out.push_back(spec);
    }
    for (const auto& t : targets) {
        for (const auto& r : t.run.cases) {
            if (seen.insert(r.spec->id).second) out.push_back(r.spec);
        }
    }
    return out;
}

int comparison::exit_status() const noexcept {
    int status = 0;
    for (const auto& t : targets) {
        if (!t.reachable()) return 2;
        if (t.run.exit_status() != 0) status = 1;
    }
    return status;
}

bool split_shell_words(std::string_view text, std::vector<std::string>& words, std::string& error) {
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else if (c == '#' && !in_word) {
            break;  // a comment, as in the shell: an unquoted # that starts a word, to the end of the line
        } else if (c == '\'') {
            const auto end = text.find('\'', i + 1);
            if (end == std::string_view::npos) {
                error = "unterminated ' quote";
                return false;
            }
            word.append(text.substr(i + 1, end - i - 1));
            i = end;
            in_word = true;
        } else if (c == '"') {
            std::size_t j = i + 1;
            for (; j < text.size() && text[j] != '"'; ++j) {
                if (text[j] == '\\' && j + 1 < text.size() && std::string_view("\\\"$`").find(text[j + 1]) != std::string_view::npos)
                    ++j;
                word += text[j];
            }
            if (j >= text.size()) {
                error = "unterminated \" quote";
                return false;
            }
            i = j;
            in_word = true;
        } else if (c == '\\') {
            if (i + 1 >= text.size()) {
                error = "a backslash at the end of the line";
                return false;
            }
            word += text[++i];
            in_word = true;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(std::move(word));
    return true;
}

bool parse_targets(std::istream& in, const std::string& file_name, std::vector<target_spec>& out,
                   std::string& error) {
    std::string line;
    std::size_t n = 0;
    std::set<std::string> names;
    auto fail = [&](const std::string& why) {
        error = file_name + ":" + std::to_string(n) + ": " + why;
        return false;
    };
    while (std::getline(in, line)) {
        ++n;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        std::vector<std::string> words;
        std::string why;
        if (!split_shell_words(line, words, why)) return fail(why);
        if (words.size() < 2) return fail("a target needs a name and a URL: NAME URL [OPTIONS...]");
        target_spec t;
        t.name = words[0];
        t.url = words[1];
        t.line = n;
        if (t.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
            std::string::npos)
            return fail("the name '" + t.name + "' may use only letters, digits, '.', '_' and '-'");
        if (!names.insert(t.name).second) return fail("the name '" + t.name + "' is used twice");
        if (t.url.rfind("http://", 0) != 0 && t.url.rfind("https://", 0) != 0)
            return fail("the URL of '" + t.name + "' must start with http:// or https:// (got '" + t.url + "')");
        for (std::size_t i = 2; i < words.size(); ++i) {
            const auto& w = words[i];
            if (w.rfind("expect=", 0) == 0) {
                t.expect_file = w.substr(7);
                if (t.expect_file.empty()) return fail("expect= needs a file name");
                continue;
            }
            const auto flag = w.substr(0, w.find('='));
            for (const char* report : {"--json", "--junit", "--html", "--targets", "--expect", "--seed", "--list"}) {
                if (flag == report)
                    return fail(flag + " is for the whole comparison, not one target" +
                                (flag == "--expect" ? " (use expect=FILE on the target's line)" : ""));
            }
            t.args.push_back(w);
        }
        out.push_back(std::move(t));
    }
    if (in.bad()) return fail("read error");
    if (out.empty()) {
        error = file_name + ": no target (one NAME URL [OPTIONS...] per line)";
        return false;
    }
    return true;
}

namespace {

std::string_view mark(std::string_view outcome) {
    if (outcome == "pass") return "pass";
    if (outcome == "fail") return "FAIL";
    if (outcome == "warning") return "warn";
    if (outcome == "skipped") return "skip";
    if (outcome == "unreachable") return "unreach";
    return outcome;  // info, -
}

}  // namespace

void write_comparison_table(std::ostream& out, const comparison& c) {
    const auto rows = c.rows();
    std::size_t id_width = 13;  // "total skipped"
    for (const auto* r : rows) id_width = std::max(id_width, r->id.size());
    std::vector<std::size_t> widths;
    for (const auto& t : c.targets) widths.push_back(std::max<std::size_t>(t.name.size(), 7));
    auto cell = [&](std::string_view text, std::size_t width) {
        out << "  " << text << std::string(width > text.size() ? width - text.size() : 0, ' ');
    };
    cell("case", id_width);
    cell("level", 6);
    for (std::size_t i = 0; i < c.targets.size(); ++i) cell(c.targets[i].name, widths[i]);
    out << "\n";
    for (const auto* r : rows) {
        cell(r->id, id_width);
        cell(to_string(r->level), 6);
        for (std::size_t i = 0; i < c.targets.size(); ++i) {
            const auto* result = c.targets[i].find(r->id);
            std::string m(mark(c.targets[i].outcome_of(r->id)));
            if (result && result->expectation && result->grade != verdict::pass)
                m += result->expectation->matched ? "*" : "!";
            cell(m, widths[i]);
        }
        out << "\n";
    }
    for (auto v : {verdict::pass, verdict::fail, verdict::warning, verdict::info, verdict::skipped}) {
        cell(std::string("total ") + std::string(to_string(v)), id_width);
        cell("", 6);
        for (std::size_t i = 0; i < c.targets.size(); ++i) {
            const auto& t = c.targets[i];
            cell(t.reachable() ? std::to_string(t.run.count(v)) : "-", widths[i]);
        }
        out << "\n";
    }
    cell("verdict", id_width);
    cell("", 6);
    for (std::size_t i = 0; i < c.targets.size(); ++i) {
        const auto& t = c.targets[i];
        cell(!t.reachable() ? "UNREACH" : t.run.exit_status() == 0 ? "PASS" : "FAIL", widths[i]);
    }
    out << "\n";
    bool expected = false;
    for (const auto& t : c.targets) {
        for (const auto& r : t.run.cases) expected = expected || (r.expectation && r.grade != verdict::pass);
    }
    if (expected)
        out << "\n* a known deviation (the target's expectations file lists it); ! not the outcome it lists\n";
    for (const auto& t : c.targets) {
        if (!t.reachable()) out << "\n" << t.name << " (" << t.url << ") was not reached: " << t.error << "\n";
    }
    out << "\nseed " << c.seed << "; rerun one target alone:\n";
    for (const auto& t : c.targets) out << "  " << t.name << ": " << t.repro << "\n";
    const int status = c.exit_status();
    out << (status == 0 ? "PASS: every target passed its MUST cases (or matched its expectations)\n"
            : status == 1 ? "FAIL: a target has a blocking result (see its column)\n"
                          : "FAIL: a target could not be reached\n");
}

}  // namespace sse::conformance
