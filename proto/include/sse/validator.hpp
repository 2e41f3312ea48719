// sse::validator: what a strict reader would say about a raw event stream.
//
// The parser never rejects syntax (WHATWG HTML 9.2: every byte string is an event stream). The
// validator reads the same bytes, chunked the same way, and reports graded observations: what
// breaks a MUST of the spec, what a conforming client would ignore or discard, and style notes.
// It backs `sse-parse --validate`, the conformance suite's server grading and the server's debug
// mode. Sans-I/O like the rest of proto/: bytes in, observations out, no clocks, no exceptions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sse/detail/field.hpp"
#include "sse/detail/line_reader.hpp"
#include "sse/observation.hpp"
#include "sse/parser_limits.hpp"

namespace sse {

/// Receives observations as the validator finds them.
class observer {
public:
    virtual ~observer() = default;

    /// One observation. `o` is valid only during this call; copy what you keep.
    virtual void on_observation(const observation& o) = 0;
};

/// How a validator reads and reports.
struct validator_options {
    /// The parser limits to judge the stream by (a stream that exceeds one is reported with an
    /// error and not validated further, since sse::parser with these limits abandons it there).
    parser_limits limits;
    /// Observations below this severity are counted (validator::count) but not reported.
    severity min_severity = severity::info;
    /// After this many reported observations of one code, one `suppressed` note is reported and
    /// further ones of that code are only counted. Bounds the report whatever the peer sends.
    std::size_t max_per_code = 100;
    /// A `retry` above this many milliseconds is reported as retry-too-large. The default,
    /// 2^31 - 1, is the largest delay a 32-bit timer holds: JavaScript's setTimeout (used by
    /// EventSource polyfills) converts its delay with ToInt32, so anything larger wraps and the
    /// client reconnects at once.
    std::uint64_t max_retry_ms = 2147483647;
};

/// An incremental event-stream validator for one stream.
///
/// - Observations do not depend on chunking: the same bytes split anywhere give the same
///   observations (codes, offsets, lines, messages) in the same order.
/// - Order: each line's observations when the line ends; an event's when its blank line (or the
///   end of the stream) arrives; a line end's just before the next line's. Offsets point at the
///   cause, so they are not always increasing (an event's observations point at the field line
///   concerned, which came before the blank line).
/// - Memory is bounded: it keeps no stream contents beyond one partial line (bounded by
///   limits.max_line_length), and reports at most max_per_code + 1 observations per code.
/// - It mirrors what sse::parser does with the stream (same line splitting, field split, limits),
///   so "the client ignores this" means exactly what ssekit's own parser does.
class validator {
public:
    /// A validator at the start of a stream.
    explicit validator(validator_options options = {});

    /// Validates the next chunk of the stream, reporting to `out` in stream order. All of `bytes`
    /// is taken; a partial line is kept for the next call. `bytes` need only live for the call.
    /// After a limit error (line-too-long, event-too-large) or finish(), input is counted but not
    /// validated.
    void feed(std::string_view bytes, observer& out);

    /// As above, appending the observations to `out`.
    void feed(std::string_view bytes, std::vector<observation>& out);

    /// Marks the end of the stream and reports what the end leaves undone (a partial line, an
    /// event without its blank line). Calling it again does nothing.
    void finish(observer& out);

    /// As above, appending the observations to `out`.
    void finish(std::vector<observation>& out);

    /// Starts over with a new stream (e.g. the next response), same options, all counts zeroed.
    void reset();

    /// How many observations of `c` the stream produced so far, reported or not (suppressed or
    /// below min_severity).
    std::uint64_t count(observation_code c) const noexcept {
        const auto i = static_cast<std::size_t>(c);
        return i < observation_code_count ? found_[i] : 0;
    }

    /// How many observations of severity `s` the stream produced so far, reported or not; the
    /// `suppressed` notes, being about the report rather than the stream, are not included.
    std::uint64_t count(severity s) const noexcept;

    /// Bytes fed so far.
    std::uint64_t bytes() const noexcept { return pos_; }

    /// Complete lines read so far.
    std::uint64_t lines() const noexcept { return lines_; }

    /// Events a conforming client would have dispatched so far (blocks with data).
    std::uint64_t events() const noexcept { return events_; }

    /// Whether a limit error stopped validation (the stream is abandoned, as the parser does).
    bool has_stopped() const noexcept { return stopped_; }

    /// Whether finish() was called.
    bool is_finished() const noexcept { return finished_; }

    /// The options this validator was made with (valid as long as the validator).
    const validator_options& options() const noexcept { return options_; }

private:
    using ending = detail::line_reader::ending;

    // The end of the last complete line. A CR ending a chunk may still turn out to be half a
    // CRLF, so a line end is judged only once the next line (or the end of the stream) arrives.
    struct line_end {
        bool pending = false;
        bool tentative = false;  // a CR that ended its chunk: CRLF if the next byte is LF
        ending kind = ending::lf;
        std::uint64_t offset = 0;
        std::uint64_t line = 0;
    };

    // Where a line starts, and its number.
    struct position {
        std::uint64_t offset = 0;
        std::uint64_t line = 0;
    };

    void on_line(std::string_view line, std::uint64_t start);
    void on_field(std::string_view line, std::uint64_t start);
    void on_value(detail::field_kind kind, std::string_view value, std::uint64_t at,
                  position line);
    void dispatch();
    void check_event_size(std::uint64_t start);
    void check_bom();
    void judge_line_end();
    std::uint64_t partial_line_start() const noexcept;

    template <class MakeMessage>
    void report(observation_code c, std::uint64_t offset, std::uint64_t line, MakeMessage&& make);

    validator_options options_;
    detail::line_reader reader_;
    observer* out_ = nullptr;  // set only during feed() and finish()

    std::uint64_t pos_ = 0;         // stream offset of the next byte fed
    std::uint64_t lines_ = 0;       // complete lines so far
    std::uint64_t line_start_ = 0;  // offset just after the last complete line's end
    std::uint64_t events_ = 0;
    line_end last_end_;
    ending first_kind_ = ending::lf;
    bool any_end_ = false;
    bool reported_mixed_ = false;
    bool reported_cr_ = false;
    bool checked_bom_ = false;

    // The event being read, as far as what a client does with it (no contents are kept).
    bool has_data_ = false;  // the data buffer is not empty
    bool has_type_ = false;  // the event type buffer is not empty
    bool has_id_ = false;    // an `id` field set the last event ID buffer in this block
    position first_kept_;    // the first data or id line: where the end of the stream cuts
    position type_at_;       // the `event` line that set the type
    position id_at_;         // the `id` line that set the last event ID buffer
    std::uint64_t data_size_ = 0;  // as parser_limits counts it: data lines plus one LF each
    std::uint64_t type_size_ = 0;  // the event type buffer's size after UTF-8 repair

    bool stopped_ = false;
    bool finished_ = false;
    std::array<std::uint64_t, observation_code_count> found_{};
    std::array<std::uint64_t, observation_code_count> reported_{};
};

}  // namespace sse
