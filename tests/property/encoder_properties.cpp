// Properties of sse::encode and friends, checked against ssekit's own parser.
//
// The defining one: parse(encode(e)) == normalise(e), where normalise turns CR and CRLF in data
// into LF, an empty type into "message", and fills in the last event id the way a client tracks it
// across a stream (an id sets it at the dispatch of its block, and later events report it).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sse/detail/utf8.hpp"
#include "sse/encoder.hpp"
#include "sse/message.hpp"
#include "support/recorder.hpp"

namespace {

using sse::test::parse_outcome;
using sse::test::record;

// ---- values -------------------------------------------------------------------------------------

std::string escaped(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u >= 0x7f) {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// A message that owns its strings, so RapidCheck can keep, shrink and print it.
struct owned_message {
    std::string type;
    std::optional<std::string> data;
    std::optional<std::string> id;
    std::optional<std::uint64_t> retry;

    sse::message view() const {
        sse::message m{.type = type};
        if (data) m.data = *data;
        if (id) m.id = *id;
        m.retry = retry;
        return m;
    }
};

std::ostream& operator<<(std::ostream& os, const owned_message& m) {
    os << "{type " << escaped(m.type);
    if (m.data) os << " data " << escaped(*m.data);
    if (m.id) os << " id " << escaped(*m.id);
    if (m.retry) os << " retry " << *m.retry;
    return os << "}";
}

// One thing a server writes: a message, a comment, or a standalone retry.
struct item {
    enum class kind { message, comment, retry } what = kind::message;
    owned_message message;
    std::string comment;
    std::uint64_t retry = 0;
};

std::ostream& operator<<(std::ostream& os, const item& i) {
    switch (i.what) {
    case item::kind::message: return os << i.message;
    case item::kind::comment: return os << "{comment " << escaped(i.comment) << "}";
    case item::kind::retry: return os << "{retry " << i.retry << "}";
    }
    return os;
}

// ---- generators ---------------------------------------------------------------------------------

std::string utf8_of(std::uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

// Any Unicode scalar value above ASCII, as UTF-8.
rc::Gen<std::string> gen_non_ascii() {
    return rc::gen::map(
        rc::gen::suchThat(rc::gen::inRange<std::uint32_t>(0x80, 0x110000),
                          [](std::uint32_t cp) { return cp < 0xD800 || cp > 0xDFFF; }),
        utf8_of);
}

// A piece of text: mostly letters, often the bytes the wire format cares about (line breaks,
// space, colon, NUL), sometimes things that look like fields, a BOM, or any non-ASCII character.
rc::Gen<std::string> gen_piece() {
    static const std::vector<std::string> special = {
        " ", ":", "\r", "\n", "\r\n", std::string(1, '\0'), "\t", "\n\r", "\r\r\n"};
    static const std::vector<std::string> tricky = {
        "data: ", "id: ", "event: ", "retry: 1", ": ", "\xEF\xBB\xBF", "\xEF\xBF\xBD", "\n\n"};
    return rc::gen::weightedOneOf<std::string>({
        {8, rc::gen::map(rc::gen::inRange<int>('a', 'z' + 1),
                         [](int c) { return std::string(1, static_cast<char>(c)); })},
        {4, rc::gen::elementOf(special)},
        {1, rc::gen::elementOf(tricky)},
        {2, gen_non_ascii()},
    });
}

// Valid UTF-8 text that may hold anything, line breaks and NUL included.
rc::Gen<std::string> gen_text() {
    return rc::gen::map(rc::gen::container<std::vector<std::string>>(gen_piece()),
                        [](const std::vector<std::string>& pieces) {
                            std::string s;
                            for (const auto& p : pieces) s += p;
                            return s;
                        });
}

std::string without(std::string s, std::string_view bytes) {
    std::erase_if(s, [&](char c) { return bytes.find(c) != std::string_view::npos; });
    return s;
}

// Text an `event` field can carry (no CR or LF).
rc::Gen<std::string> gen_type() {
    return rc::gen::map(gen_text(), [](std::string s) { return without(std::move(s), "\r\n"); });
}

const std::string id_breakers("\r\n\0", 3);

// Text an `id` field can carry (no CR, LF or NUL).
rc::Gen<std::string> gen_id() {
    return rc::gen::map(gen_text(),
                        [](std::string s) { return without(std::move(s), id_breakers); });
}

// Text from `clean` with one of `poison` inserted somewhere (maybe more than once).
rc::Gen<std::string> gen_poisoned(rc::Gen<std::string> clean,
                                  const std::vector<std::string>& poison) {
    return rc::gen::exec([clean, poison] {
        std::string s = *clean;
        const std::size_t times = *rc::gen::inRange<std::size_t>(1, 3);
        for (std::size_t i = 0; i < times; ++i) {
            const std::size_t at = *rc::gen::inRange<std::size_t>(0, s.size() + 1);
            s.insert(at, *rc::gen::elementOf(poison));
        }
        return s;
    });
}

template <typename T>
rc::Gen<std::optional<T>> gen_optional(rc::Gen<T> g) {
    const auto some = [](T v) { return std::optional<T>(std::move(v)); };
    return rc::gen::oneOf(rc::gen::just(std::optional<T>{}), rc::gen::map(std::move(g), some));
}

rc::Gen<std::uint64_t> gen_retry() {
    return rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(0, 100000),
                          rc::gen::arbitrary<std::uint64_t>());
}

// A message encode() accepts: a type only together with data.
rc::Gen<owned_message> gen_message() {
    return rc::gen::map(rc::gen::tuple(gen_optional(gen_type()), gen_optional(gen_text()),
                                       gen_optional(gen_id()), gen_optional(gen_retry())),
                        [](const auto& t) {
                            owned_message m;
                            m.data = std::get<1>(t);
                            if (m.data && std::get<0>(t)) m.type = *std::get<0>(t);
                            m.id = std::get<2>(t);
                            m.retry = std::get<3>(t);
                            return m;
                        });
}

item message_item(owned_message m) {
    return {item::kind::message, std::move(m), {}, 0};
}
item comment_item(std::string text) {
    return {item::kind::comment, {}, std::move(text), 0};
}
item retry_item(std::uint64_t ms) {
    return {item::kind::retry, {}, {}, ms};
}

rc::Gen<item> gen_item() {
    return rc::gen::weightedOneOf<item>({
        {6, rc::gen::map(gen_message(), message_item)},
        {1, rc::gen::map(gen_text(), comment_item)},
        {1, rc::gen::map(gen_retry(), retry_item)},
    });
}

rc::Gen<std::vector<item>> gen_stream() {
    return rc::gen::container<std::vector<item>>(gen_item());
}

// ---- the model ----------------------------------------------------------------------------------

// CRLF and lone CR become LF, as the parser's line splitting and data buffer leave them.
std::string to_lf(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string repaired(std::string_view s) {
    std::string out;
    sse::detail::utf8_append_repaired(s, out);
    return out;
}

// What a client must see for these items, in order. `repair` applies the parser's U+FFFD repair,
// for inputs that are not valid UTF-8.
parse_outcome normalise(const std::vector<item>& items, bool repair = false) {
    const auto text = [&](std::string_view s) { return repair ? repaired(s) : std::string(s); };
    parse_outcome out;
    for (const item& i : items) {
        if (i.what == item::kind::retry) out.records.push_back(record::make_retry(i.retry));
        if (i.what != item::kind::message) continue;
        const owned_message& m = i.message;
        if (m.id) out.last_event_id = text(*m.id);  // every block ends in a dispatch
        if (m.retry) out.records.push_back(record::make_retry(*m.retry));
        if (m.data) {
            const std::string type = m.type.empty() ? "message" : text(m.type);
            out.records.push_back(
                record::make_event(type, text(to_lf(*m.data)), out.last_event_id));
        }
    }
    return out;
}

parse_outcome normalise(const owned_message& m, bool repair = false) {
    return normalise({message_item(m)}, repair);
}

std::string encode_all(const std::vector<item>& items) {
    std::string out;
    for (const item& i : items) {
        switch (i.what) {
        case item::kind::message: RC_ASSERT(!sse::encode(i.message.view(), out)); break;
        case item::kind::comment: sse::encode_comment(i.comment, out); break;
        case item::kind::retry: sse::encode_retry(i.retry, out); break;
        }
    }
    return out;
}

std::string encode_one(const owned_message& m) {
    std::string out;
    const std::error_code ec = sse::encode(m.view(), out);
    RC_ASSERT(!ec);
    RC_ASSERT(out.size() == sse::encoded_size(m.view()));
    return out;
}

// Parses `bytes` in two feeds split at `at`.
parse_outcome parse_split(std::string_view bytes, std::size_t at) {
    sse::test::recorder rec;
    sse::parser p(rec);
    RC_ASSERT(p.feed(bytes.substr(0, at)).consumed == at);
    RC_ASSERT(p.feed(bytes.substr(at)).consumed == bytes.size() - at);
    return {std::move(rec.records), std::string(p.last_event_id()), p.finish()};
}

// The reference rejection rule, written from the header's documentation.
std::error_code expected_error(const owned_message& m) {
    if (m.type.find_first_of("\r\n") != std::string::npos) return sse::errc::type_has_line_break;
    if (m.id && m.id->find_first_of("\r\n") != std::string::npos)
        return sse::errc::id_has_line_break;
    if (m.id && m.id->find('\0') != std::string::npos) return sse::errc::id_has_nul;
    if (!m.type.empty() && !m.data) return sse::errc::type_without_data;
    return {};
}

// ---- properties ---------------------------------------------------------------------------------

RC_GTEST_PROP(encoder_properties, parse_of_encode_is_normalise, ()) {
    const owned_message m = *gen_message();
    RC_CLASSIFY(m.data && m.data->find("\r\n") != std::string::npos, "data has CRLF");
    RC_CLASSIFY(m.data && m.data->find_first_of("\r\n") == std::string::npos, "one data line");
    RC_CLASSIFY(m.data && m.data->starts_with(' '), "data starts with a space");
    RC_CLASSIFY(!m.type.empty(), "typed");
    RC_CLASSIFY(m.id.has_value(), "has id");
    RC_CLASSIFY(!m.data, "no data");
    const std::string bytes = encode_one(m);
    RC_ASSERT(sse::test::parse_chunked(bytes, 0) == normalise(m));
}

RC_GTEST_PROP(encoder_properties, a_stream_parses_as_its_messages_with_the_id_carried_across, ()) {
    const std::vector<item> items = *gen_stream();
    RC_ASSERT(sse::test::parse_chunked(encode_all(items), 0) == normalise(items));
}

RC_GTEST_PROP(encoder_properties, a_stream_split_anywhere_parses_the_same, ()) {
    const std::vector<item> items = *gen_stream();
    const std::string bytes = encode_all(items);
    const std::size_t at = *rc::gen::inRange<std::size_t>(0, bytes.size() + 1);
    RC_ASSERT(parse_split(bytes, at) == normalise(items));
}

RC_GTEST_PROP(encoder_properties, a_stream_in_any_chunks_and_pauses_parses_the_same, ()) {
    const std::vector<item> items = *gen_stream();
    const std::string bytes = encode_all(items);
    const std::size_t chunk = *rc::gen::inRange<std::size_t>(1, 17);
    const std::size_t pause_every = *rc::gen::inRange<std::size_t>(0, 4);
    RC_ASSERT(sse::test::parse_chunked(bytes, chunk, {}, pause_every) == normalise(items));
}

RC_GTEST_PROP(encoder_properties, encode_rejects_exactly_the_unencodable_and_appends_nothing, ()) {
    static const std::vector<std::string> breaks = {"\r", "\n", "\r\n"};
    const std::string nul(1, '\0');
    const std::vector<std::string> id_poison = {"\r", "\n", "\r\n", nul, nul, nul};
    owned_message m;
    m.type = *rc::gen::weightedOneOf<std::string>({{2, rc::gen::just(std::string())},
                                                   {2, gen_type()},
                                                   {1, gen_poisoned(gen_type(), breaks)}});
    m.data = *gen_optional(gen_text());
    m.id = *rc::gen::weightedOneOf<std::optional<std::string>>({
        {1, rc::gen::just(std::optional<std::string>())},
        {1, gen_optional(gen_id())},
        {2, gen_optional(gen_poisoned(gen_id(), id_poison))},
    });
    m.retry = *gen_optional(gen_retry());
    const std::error_code expected = expected_error(m);
    RC_TAG(expected ? expected.message().substr(0, 30) : std::string("accepted"));

    const std::string before = *gen_text();
    std::string out = before;
    RC_ASSERT(sse::encode(m.view(), out) == expected);
    if (expected) {
        RC_ASSERT(out == before);
        RC_ASSERT(sse::encoded_size(m.view()) == 0u);
    } else {
        RC_ASSERT(out.compare(0, before.size(), before) == 0);
        RC_ASSERT(out.size() - before.size() == sse::encoded_size(m.view()));
    }
}

// A block is field lines and exactly one blank line, at its end, all ending in LF: no line break
// inside a value can escape and start a field, a comment or a dispatch of its own.
RC_GTEST_PROP(encoder_properties, a_block_is_field_lines_and_one_final_blank_line, ()) {
    const owned_message m = *gen_message();
    const std::string bytes = encode_one(m);
    RC_ASSERT(bytes.find('\r') == std::string::npos);
    RC_ASSERT(bytes.ends_with("\n\n") || bytes == "\n");
    const std::string_view body = std::string_view(bytes).substr(0, bytes.size() - 1);
    std::size_t data_lines = 0;
    std::size_t start = 0;
    while (start < body.size()) {
        const std::size_t eol = body.find('\n', start);
        RC_ASSERT(eol != std::string_view::npos);
        const std::string_view line = body.substr(start, eol - start);
        const bool known = line.starts_with("id: ") || line.starts_with("event: ") ||
                           line.starts_with("retry: ") || line.starts_with("data: ");
        RC_ASSERT(known);
        if (line.starts_with("data: ")) ++data_lines;
        start = eol + 1;
    }
    const std::size_t expected_lines =
        m.data ? 1 + static_cast<std::size_t>(std::ranges::count(to_lf(*m.data), '\n')) : 0;
    RC_ASSERT(data_lines == expected_lines);
}

RC_GTEST_PROP(encoder_properties, each_block_dispatches_exactly_one_event_iff_it_has_data, ()) {
    const auto messages = *rc::gen::container<std::vector<owned_message>>(gen_message());
    std::string bytes;
    std::size_t with_data = 0;
    for (const owned_message& m : messages) {
        RC_ASSERT(!sse::encode(m.view(), bytes));
        if (m.data) ++with_data;
    }
    std::size_t events = 0;
    for (const record& r : sse::test::parse_chunked(bytes, 0).records) events += r.is_retry ? 0 : 1;
    RC_ASSERT(events == with_data);
}

RC_GTEST_PROP(encoder_properties, comments_arrive_line_by_line_and_dispatch_nothing, ()) {
    const std::string text = *gen_text();
    std::string bytes;
    sse::encode_comment(text, bytes);
    sse::test::recorder rec;
    sse::parser p(rec);
    RC_ASSERT(!p.feed(bytes).error);
    RC_ASSERT(!p.finish());
    RC_ASSERT(rec.records.empty());
    std::vector<std::string> lines(1);
    for (const char c : to_lf(text)) {
        if (c == '\n')
            lines.emplace_back();
        else
            lines.back() += c;
    }
    RC_ASSERT(rec.comments == lines);
}

// Bytes that are not UTF-8 are copied, not checked; the client repairs them, and that is all it
// does differently.
RC_GTEST_PROP(encoder_properties, invalid_utf8_arrives_repaired_and_otherwise_intact, ()) {
    const auto bytes_or_text = rc::gen::oneOf(rc::gen::arbitrary<std::string>(), gen_text());
    owned_message m;
    m.data = *gen_optional(bytes_or_text);
    if (m.data) m.type = without(*bytes_or_text, "\r\n");
    m.id = *gen_optional(bytes_or_text);
    if (m.id) m.id = without(*m.id, id_breakers);
    const std::string bytes = encode_one(m);
    RC_ASSERT(sse::test::parse_chunked(bytes, 0) == normalise(m, true));
}

}  // namespace
