#include "conformance_items.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "sse/encoder.hpp"

namespace sse::server::detail {
namespace {

using json = nlohmann::json;

// One echo element into bytes; returns an error message.
std::string encode_element(const json& e, std::string& out) {
    if (!e.is_object()) return "is not an object";
    std::optional<std::string> id, type, data, comment;
    std::optional<std::uint64_t> retry;
    for (const auto& [key, value] : e.items()) {
        if (key == "retry") {
            if (!value.is_number_unsigned()) return "'retry' must be an integer >= 0";
            retry = value.get<std::uint64_t>();
            continue;
        }
        std::optional<std::string>* field = key == "id"        ? &id
                                            : key == "event"   ? &type
                                            : key == "data"    ? &data
                                            : key == "comment" ? &comment
                                                               : nullptr;
        if (!field)
            return "unknown field '" + key + "' (use id, event, data, retry, comment)";
        if (!value.is_string()) return "'" + key + "' must be a string";
        *field = value.get<std::string>();
    }
    if (comment) {
        // A comment line carries nothing else; mixing would leave it unclear what is sent.
        if (id || type || data || retry) return "'comment' cannot be combined with other fields";
        sse::encode_comment(*comment, out);
        return {};
    }
    if (retry && !id && !type && !data) {
        sse::encode_retry(*retry, out);
        return {};
    }
    sse::message m;
    if (type) m.type = *type;
    if (data) m.data = std::string_view(*data);
    if (id) m.id = std::string_view(*id);
    m.retry = retry;
    if (const std::error_code ec = sse::encode(m, out)) return "refused by the encoder: " + ec.message();
    return {};
}

}  // namespace

std::string encode_items(std::string_view json_text, std::vector<script_item>& items) {
    const json list = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    if (list.is_discarded()) return "the events are not valid JSON";
    if (!list.is_array()) return "the events must be a JSON array";
    for (std::size_t i = 0; i < list.size(); ++i) {
        std::string bytes;
        if (std::string e = encode_element(list[i], bytes); !e.empty())
            return "element " + std::to_string(i) + ": " + e;
        items.push_back({std::move(bytes), {}});
    }
    return {};
}

std::string describe_request(const request& req) {
    std::map<std::string, std::string> headers;
    for (const auto& field : req) {
        std::string name(field.name_string());
        for (char& c : name)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        auto [it, fresh] = headers.emplace(std::move(name), std::string(field.value()));
        // RFC 9110 5.3: repeated fields combine into one, comma-separated, in order.
        if (!fresh) it->second += ", " + std::string(field.value());
    }
    const json description = {{"method", std::string(req.method_string())},
                              {"target", std::string(req.target())},
                              {"headers", headers},
                              {"body", req.body()}};
    const std::string data = description.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string out;
    sse::encode({.type = "request", .data = std::string_view(data)}, out);
    return out;
}

count_source::count_source(std::string prefix, std::uint64_t first, std::uint64_t last,
                           std::chrono::milliseconds interval)
    : prefix_(std::move(prefix)), next_(first), last_(last), interval_(interval) {}

std::optional<script_item> count_source::next() {
    if (!prefix_.empty()) {
        script_item item{std::move(prefix_), {}};
        prefix_.clear();
        return item;
    }
    if (done_ || next_ > last_) return std::nullopt;
    const std::string n = std::to_string(next_);
    script_item item;
    sse::encode({.data = std::string_view(n), .id = std::string_view(n)}, item.bytes);
    if (started_) item.delay = interval_;
    started_ = true;
    // `last_` may be the largest uint64: stop instead of wrapping round.
    if (next_ == last_) done_ = true;
    else ++next_;
    return item;
}

}  // namespace sse::server::detail
