// sse::conformance::reporter: progress while running, and the report formats.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

#include "sse/conformance/result.hpp"

namespace sse::conformance {

/// Receives progress as the runner goes. All calls come from the runner's thread.
class reporter {
public:
    virtual ~reporter() = default;
    virtual void on_start(const run_result& run, std::size_t total) = 0;
    virtual void on_case_start(const test_case& c, std::size_t index, std::size_t total) = 0;
    virtual void on_case_done(const case_result& r, std::size_t index, std::size_t total) = 0;
};

/// The terminal reporter: progress lines on `progress` (stderr), then the summary table and the
/// details of every non-passing case on `out`. Colour only when `colour` is true (the caller
/// decides: a tty and no NO_COLOR).
class terminal_reporter : public reporter {
public:
    terminal_reporter(std::ostream& progress, int verbosity, bool colour);
    void on_start(const run_result& run, std::size_t total) override;
    void on_case_start(const test_case& c, std::size_t index, std::size_t total) override;
    void on_case_done(const case_result& r, std::size_t index, std::size_t total) override;

    /// Writes the summary: per-section table, each non-passing case with expected/actual, raw
    /// bytes (hex + text, bounded), seed and repro command, and a final verdict line.
    void summary(std::ostream& out, const run_result& run) const;

private:
    std::ostream& progress_;
    int verbosity_;
    bool colour_;
};

/// The report formats. Each writes the whole run; errors are the stream's.
void write_json(std::ostream& out, const run_result& run);
void write_junit(std::ostream& out, const run_result& run);
/// One self-contained HTML file (inline CSS, no scripts from elsewhere).
void write_html(std::ostream& out, const run_result& run);

/// Formats bytes as a classic hex dump (offset, 16 hex bytes, printable text), at most
/// `max_bytes` of them (with a note of what was cut).
std::string hex_dump(std::string_view bytes, std::size_t max_bytes = 1024);

/// Bytes as readable text: LF shown as `\n` followed by a line break, CR as `\r`, other controls
/// and bytes that are not UTF-8 as `\xNN`; at most `max` bytes (with a note of what was cut). The
/// result is valid UTF-8.
std::string escape_bytes(std::string_view bytes, std::size_t max);

}  // namespace sse::conformance
