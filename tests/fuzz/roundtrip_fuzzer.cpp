// Fuzz target: the encoder round trip, parse(encode(m)) == normalise(m), with the parser as the
// client. Also checks encode()'s errors against the documented rules, encoded_size(), comments,
// and that the encoded stream parses the same at any chunk size.
//
// Input layout: 4 control bytes, an optional 8-byte retry value, then the fields.
//   [0] bit 0: has id, bit 1: has data, bit 2: has retry, bit 3: a comment before the message,
//       bits 4-7: chunk size - 1 for the split check
//   [1] type length, [2] id length, [3] comment length (each cut to what the input has)
//   then: retry (8 bytes, little-endian, if bit 2), type, id, comment; the rest is the data.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "sse/detail/utf8.hpp"
#include "sse/encoder.hpp"
#include "sse/parser.hpp"
#include "support/recorder.hpp"

namespace {

using sse::test::record;

// Reads fields off the input after the control bytes.
class field_reader {
public:
    explicit field_reader(std::string_view rest) noexcept : rest_(rest) {}

    std::string_view take(std::size_t n) noexcept {
        const std::string_view part = rest_.substr(0, n);
        rest_.remove_prefix(part.size());
        return part;
    }
    std::uint64_t take_u64() noexcept {
        std::uint64_t v = 0;
        const std::string_view bytes = take(8);
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            v |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
        }
        return v;
    }
    std::string_view rest() const noexcept { return rest_; }

private:
    std::string_view rest_;
};

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// `s` with invalid UTF-8 replaced as a client decodes it.
std::string repaired(std::string_view s) {
    std::string out;
    sse::detail::utf8_append_repaired(s, out);
    return out;
}

// Lines of `s` split at CR, LF and CRLF (a trailing break gives an empty last line).
std::vector<std::string> lines_of(std::string_view s) {
    std::vector<std::string> lines(1);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' || s[i] == '\n') {
            if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
            lines.emplace_back();
        } else {
            lines.back().push_back(s[i]);
        }
    }
    return lines;
}

// 9.2.6: the client joins data lines with LF, so every CR, LF and CRLF comes back as LF.
std::string normalised_data(std::string_view data) {
    std::string out;
    const std::vector<std::string> lines = lines_of(data);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i != 0) out.push_back('\n');
        out += lines[i];
    }
    return out;
}

// The error encode() must return, in its documented order of checks.
std::error_code expected_error(const sse::message& m) {
    if (has_line_break(m.type)) return sse::errc::type_has_line_break;
    if (m.id && has_line_break(*m.id)) return sse::errc::id_has_line_break;
    if (m.id && m.id->find('\0') != std::string_view::npos) return sse::errc::id_has_nul;
    if (!m.type.empty() && !m.data) return sse::errc::type_without_data;
    return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sse::fuzz::control_bytes control(data, size, 4);
    const std::uint8_t flags = control.next();
    const std::size_t type_length = control.next();
    const std::size_t id_length = control.next();
    const std::size_t comment_length = control.next();
    field_reader fields(std::string_view(reinterpret_cast<const char*>(data) + control.used(),
                                         size - control.used()));

    sse::message m;
    if (flags & 4u) m.retry = fields.take_u64();
    m.type = fields.take(type_length);
    if (flags & 1u) m.id = fields.take(id_length);
    const bool with_comment = (flags & 8u) != 0;
    const std::string_view comment = with_comment ? fields.take(comment_length) : "";
    if (flags & 2u) m.data = fields.rest();
    const std::size_t chunk = 1 + (flags >> 4);

    std::string out;
    if (with_comment) sse::encode_comment(comment, out);
    const std::string before = out;
    const std::error_code expected = expected_error(m);
    const std::error_code ec = sse::encode(m, out);
    SSE_FUZZ_CHECK(ec == expected);
    if (ec) {
        SSE_FUZZ_CHECK(out == before);  // nothing appended on error
        SSE_FUZZ_CHECK(sse::encoded_size(m) == 0);
    } else {
        SSE_FUZZ_CHECK(sse::encoded_size(m) == out.size() - before.size());
    }

    // The client's view of the stream.
    sse::test::recorder rec;
    sse::parser p(rec);
    const sse::feed_result r = p.feed(out);
    SSE_FUZZ_CHECK(r.consumed == out.size() && !r.error);
    SSE_FUZZ_CHECK(!p.finish());

    std::vector<std::string> expected_comments;
    if (with_comment) expected_comments = lines_of(comment);
    SSE_FUZZ_CHECK(rec.comments == expected_comments);

    std::vector<record> expected_records;
    std::string expected_id;
    if (!ec) {
        if (m.retry) expected_records.push_back(record::make_retry(*m.retry));
        if (m.id) expected_id = repaired(*m.id);
        if (m.data) {
            const std::string type = m.type.empty() ? std::string("message") : repaired(m.type);
            expected_records.push_back(
                record::make_event(type, repaired(normalised_data(*m.data)), expected_id));
        }
    }
    SSE_FUZZ_CHECK(rec.records == expected_records);
    SSE_FUZZ_CHECK(p.last_event_id() == expected_id);

    // Encoder output is an ordinary stream: any split parses the same.
    const sse::test::parse_outcome split = sse::test::parse_chunked(out, chunk);
    SSE_FUZZ_CHECK(split.records == expected_records && split.last_event_id == expected_id &&
                   !split.error);
    return 0;
}
