#include "sse/conformance/expectations.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sse/conformance/registry.hpp"

namespace sse::conformance {

bool expectations::load(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read expectations file " + path + " (check the path)";
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path, error);
}

bool expectations::parse(std::string_view text, std::string_view name, std::string& error) {
    const std::string where(name);
    nlohmann::ordered_json doc;
    try {
        doc = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::ordered_json::parse_error& e) {
        error = where + ": not valid JSON: " + e.what();
        return false;
    }
    if (!doc.is_object() || !doc.contains("cases") || !doc["cases"].is_object()) {
        error = where + ": expected an object {\"target\": .., \"cases\": {CASE-ID: {\"outcome\": .., "
                        "\"reason\": ..}}}";
        return false;
    }
    if (doc.contains("target")) {
        if (!doc["target"].is_string()) {
            error = where + ": \"target\" must be a string";
            return false;
        }
        target_ = doc["target"].get<std::string>();
    }
    for (const auto& [key, value] : doc["cases"].items()) {
        if (!value.is_object() || !value.contains("outcome") || !value["outcome"].is_string()) {
            error = where + ": case '" + key + "': expected {\"outcome\": \"pass|fail|warning|info|"
                                                "skipped\", \"reason\": \"..\"}";
            return false;
        }
        const auto v = parse_verdict(value["outcome"].get<std::string>());
        if (!v) {
            error = where + ": case '" + key + "': unknown outcome '" +
                    value["outcome"].get<std::string>() + "' (pass, fail, warning, info, skipped)";
            return false;
        }
        entry e{*v, value.value("reason", std::string{})};
        if (e.outcome != verdict::pass && e.reason.empty()) {
            error = where + ": case '" + key + "': a known deviation needs a \"reason\"";
            return false;
        }
        if (key.find_first_of("*?") != std::string::npos) {
            globs_.emplace_back(key, std::move(e));
        } else {
            exact_.emplace(key, std::move(e));
        }
    }
    return true;
}

const expectations::entry* expectations::find(std::string_view case_id) const {
    if (auto it = exact_.find(case_id); it != exact_.end()) return &it->second;
    for (const auto& [glob, e] : globs_) {
        if (glob_match(glob, case_id)) return &e;
    }
    return nullptr;
}

}  // namespace sse::conformance
