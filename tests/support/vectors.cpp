#include "support/vectors.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sse/error.hpp"

namespace sse::test {
namespace {

using json = nlohmann::json;

// Collects problems with a location prefix; every check that fails adds one line.
class checker {
public:
    checker(std::vector<std::string>& problems, std::string where)
        : problems_(problems), where_(std::move(where)) {}

    bool fail(const std::string& what) {
        problems_.push_back(where_ + ": " + what);
        return false;
    }

    bool only_keys(const json& obj, std::initializer_list<std::string_view> allowed) {
        bool ok = true;
        for (const auto& [key, value] : obj.items()) {
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                ok = fail("unknown key \"" + key + "\"");
            }
        }
        return ok;
    }

    // Reads obj[key] as a string into `out`; `required` says whether absence is a problem.
    bool string_field(const json& obj, const char* key, std::string& out, bool required = true) {
        const auto it = obj.find(key);
        if (it == obj.end()) return required ? fail(std::string("missing \"") + key + "\"") : false;
        if (!it->is_string()) return fail(std::string("\"") + key + "\" must be a string");
        out = it->get<std::string>();
        return true;
    }

private:
    std::vector<std::string>& problems_;
    std::string where_;
};

bool valid_id(std::string_view id) {
    const auto slash = id.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == id.size()) return false;
    if (id.find('/', slash + 1) != std::string_view::npos) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '/';
    });
}

std::optional<record> parse_record(const json& r, checker& check) {
    if (!r.is_object()) {
        check.fail("a record must be an object");
        return std::nullopt;
    }
    if (r.contains("retry")) {
        if (!check.only_keys(r, {"retry"})) return std::nullopt;
        const json& n = r["retry"];
        if (!n.is_number_unsigned()) {
            check.fail("\"retry\" must be a non-negative integer");
            return std::nullopt;
        }
        return record::make_retry(n.get<std::uint64_t>());
    }
    if (!check.only_keys(r, {"type", "data", "id"})) return std::nullopt;
    std::string type, data, id;
    if (!check.string_field(r, "type", type) || !check.string_field(r, "data", data) ||
        !check.string_field(r, "id", id)) {
        return std::nullopt;
    }
    return record::make_event(type, data, id);
}

bool parse_limits(const json& l, parser_limits& out, checker& check) {
    if (!l.is_object()) return check.fail("\"limits\" must be an object");
    if (!check.only_keys(l, {"max_line_length", "max_event_size"})) return false;
    for (const char* key : {"max_line_length", "max_event_size"}) {
        const auto it = l.find(key);
        if (it == l.end()) return check.fail(std::string("\"limits\" needs \"") + key + "\"");
        if (!it->is_number_unsigned()) {
            return check.fail(std::string("\"") + key + "\" must be a non-negative integer");
        }
        const auto v = it->get<std::uint64_t>();
        if (v > std::numeric_limits<std::size_t>::max()) return check.fail("limit out of range");
        (std::string_view(key) == "max_line_length" ? out.max_line_length : out.max_event_size) =
            static_cast<std::size_t>(v);
    }
    return true;
}

std::optional<vector_case> parse_case(const json& c, const std::string& file,
                                      const std::string& suite, std::size_t index,
                                      std::vector<std::string>& problems) {
    checker check(problems, file + " case #" + std::to_string(index));
    if (!c.is_object()) {
        check.fail("a case must be an object");
        return std::nullopt;
    }
    vector_case v;
    v.file = file;
    v.suite = suite;
    bool ok = check.only_keys(c, {"id", "spec", "description", "input", "input_hex", "limits",
                                  "expect", "last_event_id", "error"});
    ok &= check.string_field(c, "id", v.id);
    checker in_case(problems, file + " " + (v.id.empty() ? std::string("#") + std::to_string(index) : v.id));
    if (!v.id.empty() && !valid_id(v.id)) ok = in_case.fail("id must look like area/short-name");
    ok &= in_case.string_field(c, "spec", v.spec);
    if (!v.spec.empty() && v.spec != "9.2.5" && v.spec != "9.2.6" && v.spec != "ssekit") {
        ok = in_case.fail("spec must be 9.2.5, 9.2.6 or ssekit");
    }
    ok &= in_case.string_field(c, "description", v.description);
    if (c.contains("description") && v.description.empty()) ok = in_case.fail("empty description");

    const bool has_text = c.contains("input");
    const bool has_hex = c.contains("input_hex");
    if (has_text == has_hex) {
        ok = in_case.fail("give exactly one of \"input\" and \"input_hex\"");
    } else if (has_text) {
        ok &= in_case.string_field(c, "input", v.input);
    } else {
        std::string hex;
        if (in_case.string_field(c, "input_hex", hex)) {
            if (auto bytes = decode_hex(hex)) {
                v.input = std::move(*bytes);
            } else {
                ok = in_case.fail("\"input_hex\" is not hex bytes");
            }
        } else {
            ok = false;
        }
    }

    if (const auto it = c.find("limits"); it != c.end()) {
        v.has_limits = true;
        ok &= parse_limits(*it, v.limits, in_case);
    }

    if (const auto it = c.find("expect"); it == c.end() || !it->is_array()) {
        ok = in_case.fail("\"expect\" must be an array");
    } else {
        for (const json& r : *it) {
            if (auto rec = parse_record(r, in_case)) {
                v.expect.push_back(std::move(*rec));
            } else {
                ok = false;
            }
        }
    }
    ok &= in_case.string_field(c, "last_event_id", v.last_event_id);

    if (c.contains("error")) {
        std::string name;
        if (in_case.string_field(c, "error", name)) {
            if (!error_from_name(name)) ok = in_case.fail("unknown error \"" + name + "\"");
            v.error = name;
        } else {
            ok = false;
        }
    }
    if (!ok) return std::nullopt;
    return v;
}

void load_file(const std::filesystem::path& path, vector_corpus& out) {
    const std::string file = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        out.problems.push_back(file + ": cannot open");
        return;
    }
    std::ostringstream text;
    text << in.rdbuf();
    const json doc = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    checker check(out.problems, file);
    if (doc.is_discarded()) {
        check.fail("not valid JSON");
        return;
    }
    if (!doc.is_object()) {
        check.fail("the top level must be an object");
        return;
    }
    check.only_keys(doc, {"suite", "cases"});
    std::string suite;
    check.string_field(doc, "suite", suite);
    const auto cases = doc.find("cases");
    if (cases == doc.end() || !cases->is_array()) {
        check.fail("\"cases\" must be an array");
        return;
    }
    std::size_t index = 0;
    for (const json& c : *cases) {
        if (auto v = parse_case(c, file, suite, index++, out.problems)) {
            out.cases.push_back(std::move(*v));
        }
    }
}

}  // namespace

parse_outcome vector_case::expected_outcome() const {
    return {expect, last_event_id, error ? error_from_name(*error) : std::error_code{}};
}

vector_corpus load_vectors(const std::string& dir) {
    vector_corpus out;
    std::error_code ec;
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            paths.push_back(entry.path());
        }
    }
    if (ec) {
        out.problems.push_back(dir + ": " + ec.message());
        return out;
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
        out.files.push_back(path.filename().string());
        load_file(path, out);
    }
    std::set<std::string> ids;
    std::set<std::string> names;
    for (const auto& v : out.cases) {
        if (!ids.insert(v.id).second) out.problems.push_back(v.file + ": duplicate id " + v.id);
        if (!names.insert(test_name(v.id)).second) {
            out.problems.push_back(v.file + ": id " + v.id + " collides with another as a test name");
        }
    }
    return out;
}

const vector_corpus& corpus() {
    static const vector_corpus loaded = load_vectors(SSE_VECTORS_DIR);
    return loaded;
}

std::optional<std::string> decode_hex(std::string_view hex) {
    const auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    int high = -1;
    for (const char c : hex) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (high >= 0) return std::nullopt;  // a byte's two digits must be adjacent
            continue;
        }
        const int d = digit(c);
        if (d < 0) return std::nullopt;
        if (high < 0) {
            high = d;
        } else {
            out.push_back(static_cast<char>((high << 4) | d));
            high = -1;
        }
    }
    if (high >= 0) return std::nullopt;
    return out;
}

std::error_code error_from_name(std::string_view name) {
    if (name == "line_too_long") return errc::line_too_long;
    if (name == "event_too_large") return errc::event_too_large;
    return {};
}

std::string test_name(std::string_view id) {
    std::string out;
    for (const char c : id) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        out.push_back(keep ? c : '_');
    }
    return out;
}

std::string escape_bytes(std::string_view bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\\') {
            out += "\\\\";
        } else if (c >= 0x20 && c < 0x7f) {
            out.push_back(ch);
        } else {
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace sse::test
