// detail::line_reader: splits a chunked byte stream into lines, the first stage of WHATWG HTML
// 9.2.5 "Parsing an event stream". Shared by sse::parser and sse::validator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sse/detail/byte_buffer.hpp"
#include "sse/detail/scan.hpp"

namespace sse::detail {

/// Turns chunks into complete lines: strips one leading BOM, ends lines at CR, LF or CRLF (a CR
/// ending one chunk and an LF starting the next make one line end), buffers a partial line across
/// chunks, and bounds that buffer.
class line_reader {
public:
    enum class status {
        line,      ///< a complete line is in `line`
        partial,   ///< the input is used up; a partial line (maybe empty) is buffered
        too_long,  ///< the current line exceeds the limit; the reader must be reset
    };

    /// How the previous complete line ended (a CR's CRLF-ness is known one byte later).
    enum class ending : std::uint8_t { lf, cr, crlf };

    explicit line_reader(std::size_t max_line_length) noexcept : max_(max_line_length) {}

    /// Reads the next line from [p, end), advancing `p` past it and its line end.
    /// On status::line, `out` views the line without its line end: into [p, end) when the whole
    /// line lay there (line_in_input() is true), else into this reader's buffer. Either way the
    /// view is valid until the next call to next() or reset().
    ///
    /// Always inlined: it runs once per line, and under wasm a call would keep `p` and `out` in
    /// linear memory, where `out`, written in two halves and read back whole, stalls the store
    /// buffer.
    [[gnu::always_inline]] status next(const char*& p, const char* end, std::string_view& out) {
        if (unsettled_ && !settle(p, end)) return status::partial;
        const char* const start = p;
        const std::size_t pending = buf_.size();
        // A long line is copied into the buffer while it is scanned (scan_line), when the buffer
        // already has room for the rest of the input: then the line that will be left partial at
        // the end of this input, and the rest of a line already partial, need no second pass.
        // The room is there once the stream has had a line that long, so this never allocates;
        // the copy of a line that turns out to end inside the input is wasted but nearly free.
        const line_scan scan = scan_line(p, end, [this](std::size_t n) {
            return buf_.spare_capacity() >= n ? buf_.spare() : nullptr;
        });
        const char* const eol = scan.end;
        if (pending + static_cast<std::size_t>(eol - start) > max_) return status::too_long;
        buf_ascii_ = (static_cast<unsigned>(pending == 0) | buf_ascii_) & scan.ascii;  // no branches
        if (eol == end) {
            keep(start, end, scan.copied);
            p = end;
            return status::partial;
        }
        p = eol + 1;
        if (*eol == '\n') {
            last_ending_ = ending::lf;
        } else if (p != end && *p == '\n') {
            ++p;
            last_ending_ = ending::crlf;
        } else {
            last_ending_ = ending::cr;
            if (p == end) after_cr_ = unsettled_ = true;
        }
        input_ascii_ = input_ascii_ && buf_ascii_;
        if (pending == 0) {
            in_input_ = true;
            out = std::string_view(start, static_cast<std::size_t>(eol - start));
            return status::line;
        }
        keep(start, eol, scan.copied);
        in_input_ = false;
        pending_cleared_ = unsettled_ = true;
        out = buf_.view();
        return status::line;
    }

    /// Marks the start of a new input (one feed) for input_ascii().
    void start_input() noexcept { input_ascii_ = true; }

    /// Whether every byte taken from the input since start_input() was ASCII, as far as the lines
    /// returned since then show (bytes a line took from an earlier input count too).
    bool input_ascii() const noexcept { return input_ascii_; }

    /// Whether the last line returned is all ASCII (so already valid UTF-8).
    bool line_is_ascii() const noexcept { return buf_ascii_; }

    /// Swaps the buffer holding the last line returned (when !line_in_input()) with `other`,
    /// handing over the line without a copy; the reader keeps `other`'s capacity for later lines.
    void take_line(byte_buffer& other) noexcept {
        buf_.swap(other);
        buf_.clear();
        pending_cleared_ = false;
    }

    /// Swaps an empty buffer the caller is done with (the one take_line() handed over) back in as
    /// this reader's buffer, when this reader's is empty too. That buffer was written last, so it
    /// is the one still in the CPU's cache: a stream of long lines then copies each into the same
    /// memory instead of alternating between two buffers, half of whose lines the input has
    /// pushed out of the cache in between.
    void recycle(byte_buffer& other) noexcept {
        if (buf_.empty() && other.empty()) buf_.swap(other);
    }

    /// Whether the last line returned viewed the caller's input (rather than the buffer).
    bool line_in_input() const noexcept { return in_input_; }

    /// Whether a leading BOM was stripped from this stream.
    bool bom_stripped() const noexcept { return bom_stripped_; }

    /// How the last complete line ended. A CR that ended a chunk reads as cr until the next
    /// next() call, which turns it into crlf if an LF follows.
    ending last_ending() const noexcept { return last_ending_; }

    /// Starts a new stream: drops any partial line and re-arms BOM stripping.
    void reset() noexcept {
        buf_.clear();
        unsettled_ = true;
        pending_cleared_ = false;
        bom_ = 0;
        bom_stripped_ = false;
        after_cr_ = false;
        in_input_ = false;
        buf_ascii_ = true;
        last_ending_ = ending::lf;
    }

private:
    // The states next() meets rarely at a line start, which `unsettled_` flags together: the last
    // line came from the buffer (clear it), the stream's first bytes may be a BOM, or a CR ended
    // the last input (an LF starting this one belongs to it). False if the input ran out first.
    bool settle(const char*& p, const char* end) {
        if (pending_cleared_) {
            buf_.clear();
            pending_cleared_ = false;
        }
        if (bom_ < 3 && !strip_bom(p, end)) return false;
        if (after_cr_) {
            if (p == end) return false;
            after_cr_ = false;
            if (*p == '\n') {
                ++p;
                last_ending_ = ending::crlf;
            }
        }
        unsettled_ = false;
        return true;
    }

    // Adds [from, to) to the buffer; `copied`: scan_line already wrote it at buf_.spare().
    void keep(const char* from, const char* to, bool copied) {
        const auto n = static_cast<std::size_t>(to - from);
        if (copied) {
            buf_.commit(n);
        } else if (n == 1) {
            buf_.push_back(*from);  // input fed a byte at a time: cheaper than a call to memcpy
        } else {
            buf_.append(from, n);
        }
    }

    // Consumes a leading EF BB BF. Returns false if the input ran out while it still might be one.
    // A prefix that turns out not to be a BOM is ordinary line content, so it goes to the buffer.
    bool strip_bom(const char*& p, const char* end) {
        static constexpr char bom[3] = {'\xEF', '\xBB', '\xBF'};
        while (bom_ < 3) {
            if (p == end) return false;
            if (*p != bom[bom_]) {
                buf_.append(bom, bom_);
                if (bom_ != 0) buf_ascii_ = false;
                bom_ = 3;
                return true;
            }
            ++p;
            ++bom_;
            input_ascii_ = false;
        }
        bom_stripped_ = true;
        return true;
    }

    byte_buffer buf_;
    std::size_t max_;
    std::uint8_t bom_ = 0;  // BOM bytes matched so far; 3 once the stream start is behind us
    bool bom_stripped_ = false;
    bool unsettled_ = true;         // one of the next three may be set (or bom_ < 3): see settle()
    bool after_cr_ = false;         // the last line ended in CR at the end of a chunk
    bool pending_cleared_ = false;  // buf_ holds the line returned last; clear it on next()
    bool in_input_ = false;
    bool buf_ascii_ = true;  // the partial or last line has only ASCII bytes
    bool input_ascii_ = true;  // see input_ascii()
    ending last_ending_ = ending::lf;
};

}  // namespace sse::detail
