#include "sse/validator.hpp"

#include <algorithm>
#include <initializer_list>

#include "sse/detail/field.hpp"
#include "sse/detail/utf8.hpp"

// Severities follow observation.hpp: error = breaks a MUST of 9.2.5 or cannot be read within the
// limits; warning = allowed, but a conforming client ignores or discards part of it, or reads it
// unlike the server evidently meant; info = allowed and read as meant (style, or a risk only with
// non-conforming clients). Each branch below quotes the WHATWG HTML text its grading rests on.

namespace sse {
namespace {

using detail::field_kind;
using ending = detail::line_reader::ending;

constexpr std::string_view bom = "\xEF\xBB\xBF";
constexpr std::string_view known_names[] = {"data", "event", "id", "retry"};

std::string cat(std::initializer_list<std::string_view> parts) {
    std::string s;
    for (const std::string_view p : parts) s.append(p);
    return s;
}

std::string hex_byte(unsigned char b) {
    static constexpr char digits[] = "0123456789ABCDEF";
    return {'0', 'x', digits[b >> 4], digits[b & 0xF]};
}

// `s` in double quotes for a message: its first ~40 bytes, valid UTF-8 kept, control characters
// and ill-formed bytes written as \xNN, so the message is always valid, printable UTF-8.
std::string quoted(std::string_view s) {
    constexpr std::size_t max = 40;
    std::string out = "\"";
    std::size_t i = 0;
    while (i < s.size() && i < max) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b >= 0x80) {
            const std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            const std::string_view seq = s.substr(i, len);
            if (seq.size() == len && detail::utf8_valid_prefix_slow(seq) == len) {
                out.append(seq);
                i += len;
                continue;
            }
        }
        if (b < 0x20 || b >= 0x7F) {
            out.append("\\x").append(hex_byte(b).substr(2));
        } else {
            if (b == '"' || b == '\\') out.push_back('\\');
            out.push_back(static_cast<char>(b));
        }
        ++i;
    }
    if (i < s.size()) out.append("...");
    out.push_back('"');
    return out;
}

std::string_view ending_name(ending e) {
    switch (e) {
    case ending::lf: return "LF";
    case ending::cr: return "CR";
    case ending::crlf: return "CRLF";
    }
    return "?";
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_all_blank(std::string_view s) { return std::all_of(s.begin(), s.end(), is_blank); }

// The known field name that `name` is but for ASCII case and surrounding spaces/tabs, or "".
std::string_view near_miss(std::string_view name) {
    while (!name.empty() && is_blank(name.front())) name.remove_prefix(1);
    while (!name.empty() && is_blank(name.back())) name.remove_suffix(1);
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    for (const std::string_view known : known_names) {
        if (std::equal(name.begin(), name.end(), known.begin(), known.end(),
                       [&](char a, char b) { return lower(a) == b; })) {
            return known;
        }
    }
    return {};
}

// Index of the first byte of `s` that is not well-formed UTF-8, or s.size() if all is.
std::size_t first_invalid_utf8(std::string_view s) {
    const std::size_t ascii = detail::ascii_prefix(s.data(), s.data() + s.size());
    if (ascii == s.size()) return ascii;
    return ascii + detail::utf8_valid_prefix_slow(s.substr(ascii));
}

class collector final : public observer {
public:
    explicit collector(std::vector<observation>& out) : out_(out) {}
    void on_observation(const observation& o) override { out_.push_back(o); }

private:
    std::vector<observation>& out_;
};

}  // namespace

validator::validator(validator_options options)
    : options_(options), reader_(options.limits.max_line_length) {}

void validator::feed(std::string_view bytes, std::vector<observation>& out) {
    collector c(out);
    feed(bytes, c);
}

void validator::finish(std::vector<observation>& out) {
    collector c(out);
    finish(c);
}

void validator::reset() { *this = validator(options_); }

std::uint64_t validator::count(severity s) const noexcept {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < observation_code_count; ++i) {
        const auto c = static_cast<observation_code>(i);
        if (c != observation_code::suppressed && severity_of(c) == s) n += found_[i];
    }
    return n;
}

template <class MakeMessage>
void validator::report(observation_code c, std::uint64_t offset, std::uint64_t line,
                       MakeMessage&& make) {
    const auto i = static_cast<std::size_t>(c);
    ++found_[i];
    if (severity_of(c) < options_.min_severity) return;
    if (reported_[i] >= options_.max_per_code) {
        if (reported_[i] == options_.max_per_code) {
            // Reported whatever min_severity says: the reader must learn the report is partial.
            ++reported_[i];
            constexpr auto s = static_cast<std::size_t>(observation_code::suppressed);
            ++found_[s];
            ++reported_[s];
            out_->on_observation(observation{
                observation_code::suppressed, severity_of(observation_code::suppressed), offset,
                line,
                cat({"more than ", std::to_string(options_.max_per_code), " \"", to_string(c),
                     "\" observations; from here on they are counted but not reported"})});
        }
        return;
    }
    ++reported_[i];
    out_->on_observation(observation{c, severity_of(c), offset, line, make()});
}

void validator::feed(std::string_view bytes, observer& out) {
    const std::uint64_t base = pos_;
    pos_ += bytes.size();
    if (stopped_ || finished_ || bytes.empty()) return;
    out_ = &out;
    const char* const begin = bytes.data();
    const char* const end = begin + bytes.size();
    const char* p = begin;
    if (last_end_.tentative) {
        // The decision line_reader makes on this same byte: a CR followed by LF is one CRLF.
        last_end_.tentative = false;
        if (*p == '\n') {
            last_end_.kind = ending::crlf;
            ++line_start_;
        }
    }
    for (;;) {
        std::string_view line;
        const auto status = reader_.next(p, end, line);
        if (status == detail::line_reader::status::partial) break;
        judge_line_end();
        check_bom();
        if (status == detail::line_reader::status::too_long) {
            // Not a rule of the spec, which sets no limit, but sse::parser with these limits
            // abandons the stream here (errc::line_too_long), so nothing after it is read: error.
            // Reported at the line's start, which does not depend on where the chunks split it.
            report(observation_code::line_too_long, partial_line_start(), lines_ + 1, [&] {
                return cat({"line longer than the limit of ",
                            std::to_string(options_.limits.max_line_length),
                            " bytes: a client with this limit abandons the stream here, and "
                            "validation stops. Split long data over several data: lines, or "
                            "raise the limit"});
            });
            stopped_ = true;
            break;
        }
        const ending kind = reader_.last_ending();
        const std::uint64_t after = base + static_cast<std::uint64_t>(p - begin);
        const std::uint64_t start = after - (kind == ending::crlf ? 2 : 1) - line.size();
        ++lines_;
        on_line(line, start);
        last_end_ = {true, kind == ending::cr && p == end, kind, start + line.size(), lines_};
        line_start_ = after;
        if (stopped_) break;
    }
    out_ = nullptr;
}

void validator::finish(observer& out) {
    if (finished_) return;
    finished_ = true;
    if (stopped_) return;
    out_ = &out;
    check_bom();
    judge_line_end();
    // 9.2.6: "Once the end of the file is reached, any pending data must be discarded. (If the
    // file ends in the middle of an event, before the final empty line, the incomplete event is
    // not dispatched.)" The ABNF ends every line with end-of-line and every event with a blank
    // line, but a stream has no defined end: it stops when the connection does, and the validator
    // cannot tell a server that closed mid-event from a dropped connection or a cut capture. So
    // these are graded by their effect, a certain loss: warning.
    const std::uint64_t start = partial_line_start();
    if (pos_ > start) {
        report(observation_code::unterminated_line, start, lines_ + 1, [&] {
            return cat({"the stream ends inside a line (", std::to_string(pos_ - start),
                        " bytes with no CR or LF after them): a client discards the partial "
                        "line. End every line, and every event with a blank line, before "
                        "closing the stream"});
        });
    }
    if (has_data_ || has_id_) {
        report(observation_code::unterminated_event, first_kept_.offset, first_kept_.line, [&] {
            return std::string(
                "the stream ends before the blank line that would end this event: "
                "a client discards it, so its data is not dispatched and its id is not applied. "
                "End the last event with a blank line before closing the stream");
        });
    }
    out_ = nullptr;
}

std::uint64_t validator::partial_line_start() const noexcept {
    // The stripped BOM belongs to no line.
    return (lines_ == 0 && reader_.bom_stripped()) ? bom.size() : line_start_;
}

void validator::check_bom() {
    if (checked_bom_) return;
    checked_bom_ = true;
    // 9.2.5: "stream = [ bom ] *event", and "The UTF-8 decode algorithm strips one leading UTF-8
    // Byte Order Mark (BOM), if any." Allowed and stripped by conforming clients; hand-written
    // parsers often keep it and so ignore the first line: info.
    if (!reader_.bom_stripped()) return;
    report(observation_code::bom_at_start, 0, 1, [] {
        return std::string(
            "the stream starts with a byte order mark: allowed, and conforming clients strip it, "
            "but clients that do not read the first field name with U+FEFF in front and ignore "
            "that line. UTF-8 needs no BOM; omit it");
    });
}

void validator::judge_line_end() {
    if (!last_end_.pending) return;
    last_end_.pending = false;
    last_end_.tentative = false;
    const ending kind = last_end_.kind;
    // 9.2.5: "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
    // character pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE
    // RETURN (CR) character." A lone CR is allowed, but clients that split on LF alone see one
    // endless line: info, once per stream.
    if (kind == ending::cr && !reported_cr_) {
        reported_cr_ = true;
        report(observation_code::cr_line_ends, last_end_.offset, last_end_.line, [] {
            return std::string(
                "line ends in a lone CR: allowed, but clients that split lines on LF alone see "
                "one endless line. Prefer LF (or CRLF)");
        });
    }
    if (!any_end_) {
        any_end_ = true;
        first_kind_ = kind;
        return;
    }
    // Each line may end its own way, but a stream that mixes them nearly always has two writers
    // or a rewriting proxy, and a stray CR or LF (an LF CR pair reads as two line ends) is a blank
    // line that dispatches the event early, which a client does without complaint: warning, once.
    if (kind != first_kind_ && !reported_mixed_) {
        reported_mixed_ = true;
        report(observation_code::mixed_line_ends, last_end_.offset, last_end_.line, [&] {
            return cat({"this line ends in ", ending_name(kind), " but the first line ended in ",
                        ending_name(first_kind_),
                        ": mixed line ends usually mean two writers or a rewriting proxy, and a "
                        "stray CR or LF makes a blank line that dispatches an event early. End "
                        "every line the same way, preferably LF"});
        });
    }
}

void validator::on_line(std::string_view line, std::uint64_t start) {
    // 9.2.5: "Event streams in this format must always be encoded as UTF-8." A MUST: error. (The
    // client decodes each ill-formed sequence as U+FFFD, so the content is altered.) Checking line
    // by line finds exactly what checking the whole stream would: CR and LF are ASCII, and an
    // ASCII byte always ends an ill-formed sequence.
    if (const std::size_t bad = reader_.line_is_ascii() ? line.size() : first_invalid_utf8(line);
        bad != line.size()) {
        report(observation_code::invalid_utf8, start + bad, lines_, [&] {
            return cat({"byte ", hex_byte(static_cast<unsigned char>(line[bad])),
                        " starts a sequence that is not UTF-8 (the first on this line); a client "
                        "reads U+FFFD instead. Event streams must always be encoded as UTF-8: "
                        "transcode text, and send binary data as base64 or similar"});
        });
    }
    // 9.2.6: "If the line is empty (a blank line): Dispatch the event".
    if (line.empty()) return dispatch();
    // "If the line starts with a U+003A COLON character (:): Ignore the line."
    if (line.front() == ':') return;
    on_field(line, start);
}

void validator::on_field(std::string_view line, std::uint64_t start) {
    // 9.2.5 strips "one leading UTF-8 Byte Order Mark (BOM), if any", at the stream's start. A
    // later U+FEFF is a name-char, so the client sees an unknown field name and ignores the line
    // (a line holding only a BOM is not blank and dispatches nothing). Allowed by the ABNF, but
    // the line is lost: warning.
    if (line.starts_with(bom)) {
        report(observation_code::bom_not_at_start, start, lines_, [] {
            return std::string(
                "U+FEFF (a byte order mark) at the start of a line: only one BOM, at the very "
                "start of the stream, is stripped, so a client reads a field name starting with "
                "U+FEFF and ignores the line. Remove it (it often comes from a per-write encoder "
                "or from concatenated files)");
        });
        return;
    }
    // "Otherwise, the string is not empty but does not contain a U+003A COLON character (:):
    // Process the field using ... the whole line as the field name": a line of spaces is a field,
    // not a blank line, so the event the server meant to end here is not dispatched: warning.
    if (is_all_blank(line)) {
        report(observation_code::whitespace_line, start, lines_, [] {
            return std::string(
                "a line of only spaces or tabs is not blank: a client reads it as a field, "
                "ignores it, and does not dispatch the event here. End events with an empty line");
        });
        return;
    }
    const detail::field f = detail::split_field(line);
    const field_kind kind = f.kind;
    if (kind == field_kind::other) {
        // "Field names must be compared literally, with no case folding performed." and
        // "Otherwise: The field is ignored." A name that is a known one but for case or spacing is
        // almost surely a mistake whose content the client drops: warning. Any other name is a
        // legitimate, ignored extension (or a note): info.
        if (const std::string_view known = near_miss(f.name); !known.empty()) {
            report(observation_code::field_name_near_miss, start, lines_, [&] {
                return cat({"field name ", quoted(f.name), " is not \"", known,
                            "\": names are compared literally, with no case folding or trimming, "
                            "so a client ignores this line. Write \"",
                            known, ":\" exactly, at the start of the line"});
            });
        } else {
            report(observation_code::unknown_field, start, lines_, [&] {
                if (!f.has_colon) {
                    return cat({"line ", quoted(line),
                                " has no colon, so all of it is a field name, which no client "
                                "knows; it is ignored. For content write \"data: ...\", for a "
                                "note a comment \": ...\""});
                }
                return cat({"field ", quoted(f.name),
                            " is not data, event, id or retry; a client ignores it. Use a "
                            "comment (\": ...\") for notes"});
            });
        }
        return;
    }
    const std::uint64_t value_at =
        start + f.name.size() + (f.has_colon ? 1 : 0) + (f.space_removed ? 1 : 0);
    // The ABNF: "field = 1*name-char [ colon [ space ] *any-char ] end-of-line". Both the colon
    // and the space are optional, and clients read the line as meant: info (style).
    if (!f.has_colon) {
        report(observation_code::no_colon, start, lines_, [&] {
            return cat({"\"", f.name, "\" without a colon is the field with an empty value; "
                        "write \"", f.name, ":\" to say so plainly"});
        });
    } else if (!f.space_removed && !f.value.empty()) {
        report(observation_code::no_space_after_colon, value_at, lines_, [&] {
            return cat({"no space after \"", f.name, ":\": allowed (one space is removed when "
                        "present), but write \"", f.name, ": value\"; always writing the space "
                        "keeps values that start with a space intact"});
        });
    }
    on_value(kind, f.value, value_at, {start, lines_});
    if (kind == field_kind::data || kind == field_kind::event) check_event_size(start);
}

void validator::on_value(field_kind kind, std::string_view value, std::uint64_t at,
                         position line) {
    switch (kind) {
    case field_kind::data:
        // "Append the field value to the data buffer, then append a single U+000A LINE FEED
        // (LF) character to the data buffer."
        if (!has_data_ && !has_id_) first_kept_ = line;
        has_data_ = true;
        data_size_ += value.size() + 1;
        return;
    case field_kind::event:
        // "Set the event type buffer to field value." An empty one means "message" again
        // ("If the event type buffer has a value other than the empty string, change the type"),
        // as meant if odd: info. Surrounding whitespace is kept, and listeners registered for
        // the trimmed name never fire: warning.
        type_size_ = value.size();  // input bytes, as parser_limits counts
        has_type_ = !value.empty();
        type_at_ = line;
        if (value.empty()) {
            report(observation_code::event_type_empty, at, lines_, [] {
                return std::string(
                    "empty event type: the event is dispatched as \"message\". Omit the field "
                    "instead");
            });
        } else if (is_blank(value.front()) || is_blank(value.back())) {
            report(observation_code::event_type_whitespace, at, lines_, [&] {
                return cat({"event type ", quoted(value),
                            " starts or ends with whitespace, which clients keep (only one space "
                            "after the colon is removed), so listeners for the trimmed name never "
                            "fire. Remove the extra whitespace"});
            });
        }
        return;
    case field_kind::id:
        // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to
        // the field value. Otherwise, ignore the field." Allowed (any-char), but dropped: warning.
        if (const std::size_t nul = value.find('\0'); nul != std::string_view::npos) {
            report(observation_code::id_contains_nul, at + nul, lines_, [] {
                return std::string(
                    "id contains U+0000 NULL, so a client ignores the whole field and keeps the "
                    "previous last event ID. Use ids without NUL");
            });
        } else {
            if (!has_data_ && !has_id_) first_kept_ = line;
            has_id_ = true;
            id_at_ = line;
        }
        return;
    case field_kind::retry:
        // "If the field value consists of only ASCII digits, then interpret the field value as
        // an integer in base ten, and set the event stream's reconnection time to that integer.
        // Otherwise, ignore the field." Allowed, but dropped: warning.
        if (value.empty()) {
            report(observation_code::retry_empty, at, lines_, [] {
                return std::string(
                    "retry with an empty value is ignored. Send whole milliseconds, e.g. "
                    "\"retry: 3000\", or leave the field out");
            });
        } else if (!detail::is_ascii_digits(value)) {
            report(observation_code::retry_not_digits, at, lines_, [&] {
                return cat({"retry value ", quoted(value),
                            " is not only ASCII digits, so a client ignores it. Send whole "
                            "milliseconds, e.g. \"retry: 3000\": no sign, unit, decimal point or "
                            "spaces"});
            });
        } else if (const std::uint64_t ms = detail::parse_digits_saturating(value);
                   ms > options_.max_retry_ms) {
            // Taken by the spec, but 32-bit timers (setTimeout in EventSource polyfills) wrap
            // such a delay and reconnect at once: warning.
            report(observation_code::retry_too_large, at, lines_, [&] {
                return cat({"retry of ", quoted(value), " ms is above ",
                            std::to_string(options_.max_retry_ms),
                            " ms: clients with 32-bit timers (setTimeout in EventSource "
                            "polyfills) wrap it and reconnect at once. Send a realistic "
                            "reconnection time"});
            });
        }
        return;
    case field_kind::other:
        return;
    }
}

void validator::check_event_size(std::uint64_t start) {
    // Not a rule of the spec, but sse::parser with these limits abandons the stream here
    // (errc::event_too_large), counting exactly these sizes: error, and validation stops.
    if (data_size_ + type_size_ <= options_.limits.max_event_size) return;
    report(observation_code::event_too_large, start, lines_, [&] {
        return cat({"event data plus type exceed the limit of ",
                    std::to_string(options_.limits.max_event_size),
                    " bytes: a client with this limit abandons the stream here, and validation "
                    "stops. Send smaller events, or raise the limit"});
    });
    stopped_ = true;
}

void validator::dispatch() {
    // 9.2.6 "dispatch the event", step 2: "If the data buffer is an empty string, set the data
    // buffer and the event type buffer to the empty string and return." A block with a type but
    // no data was evidently meant as an event, and none fires: warning. A block with only an id
    // just moves the last event ID (step 1), a legitimate checkpoint: info.
    if (has_data_) {
        ++events_;
    } else if (has_type_) {
        report(observation_code::event_without_data, type_at_.offset, type_at_.line, [] {
            return std::string(
                "this event has an event type but no data line, so nothing is dispatched. Add a "
                "data line (\"data:\" for empty data)");
        });
    } else if (has_id_) {
        report(observation_code::id_only_block, id_at_.offset, id_at_.line, [] {
            return std::string(
                "this block sets only the id: no event fires, only the last event ID moves. Fine "
                "as a checkpoint; otherwise send the id with the event's data");
        });
    }
    has_data_ = has_type_ = has_id_ = false;
    data_size_ = type_size_ = 0;
}

}  // namespace sse
