// recorder: an sse::handler that keeps what the parser produced, as the vector corpus and
// sse-parse spell it ({"type","data","id"} events and {"retry"} records, in stream order).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sse/handler.hpp"
#include "sse/parser.hpp"

namespace sse::test {

/// One record: an event (is_retry == false) or a reconnection time set by `retry`.
struct record {
    bool is_retry = false;
    std::string type;
    std::string data;
    std::string id;
    std::uint64_t retry = 0;

    static record make_event(std::string_view type, std::string_view data, std::string_view id) {
        return record{false, std::string(type), std::string(data), std::string(id), 0};
    }
    static record make_retry(std::uint64_t ms) { return record{true, {}, {}, {}, ms}; }

    friend bool operator==(const record&, const record&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const record& r) {
    if (r.is_retry) return os << "{retry " << r.retry << "}";
    return os << "{type \"" << r.type << "\" data \"" << r.data << "\" id \"" << r.id << "\"}";
}

/// Records every event and retry; can pause after every N records to exercise pausing.
class recorder final : public handler {
public:
    std::vector<record> records;
    std::vector<std::string> comments;
    std::size_t pause_every = 0;  // 0: never pause

    action on_event(const event& e) override {
        records.push_back(record::make_event(e.type, e.data, e.last_event_id));
        return maybe_pause();
    }
    action on_retry(std::uint64_t ms) override {
        records.push_back(record::make_retry(ms));
        return maybe_pause();
    }
    action on_comment(std::string_view text) override {
        comments.emplace_back(text);
        return action::proceed;
    }

private:
    action maybe_pause() {
        return (pause_every != 0 && records.size() % pause_every == 0) ? action::pause
                                                                       : action::proceed;
    }
};

/// What parsing a whole input produced.
struct parse_outcome {
    std::vector<record> records;
    std::string last_event_id;
    std::error_code error;  // the sticky error, if any (never errc::paused)

    friend bool operator==(const parse_outcome&, const parse_outcome&) = default;
};

/// Parses `input` fed in chunks of `chunk` bytes (0: all at once), resuming after pauses, then
/// finish(). The reference point every split and every pause pattern must agree with.
inline parse_outcome parse_chunked(std::string_view input, std::size_t chunk,
                                   parser_limits limits = {}, std::size_t pause_every = 0) {
    recorder rec;
    rec.pause_every = pause_every;
    parser p(rec, limits);
    if (chunk == 0) chunk = input.size() == 0 ? 1 : input.size();
    std::error_code error;
    for (std::size_t at = 0; at < input.size() && !error;) {
        std::string_view piece = input.substr(at, chunk);
        while (!piece.empty()) {
            const feed_result r = p.feed(piece);
            at += r.consumed;
            piece.remove_prefix(r.consumed);
            if (r.error == errc::paused) continue;
            if (r.error) {
                error = r.error;
                break;
            }
        }
    }
    const std::error_code fin = p.finish();
    if (!error) error = fin;
    return {std::move(rec.records), std::string(p.last_event_id()), error};
}

}  // namespace sse::test
