// parse_split: like parse_chunked, but the chunks end at arbitrary cut points, so a test can
// split an input at every offset or at random places.
#pragma once

#include <algorithm>
#include <string_view>
#include <system_error>
#include <vector>

#include "support/recorder.hpp"

namespace sse::test {

/// Feeds `input` as the chunks delimited by `cuts` (offsets into `input`, any order, duplicates
/// and out-of-range values allowed: they are sorted, clamped and make empty chunks), resuming
/// after pauses, then finish(). Each chunk is copied into its own buffer, which is overwritten
/// after its feed(), so a parser that keeps a view into the caller's bytes is caught.
inline parse_outcome parse_split(std::string_view input, std::vector<std::size_t> cuts,
                                 parser_limits limits = {}, std::size_t pause_every = 0) {
    for (auto& c : cuts) c = std::min(c, input.size());
    std::sort(cuts.begin(), cuts.end());
    cuts.push_back(input.size());
    recorder rec;
    rec.pause_every = pause_every;
    parser p(rec, limits);
    std::error_code error;
    std::size_t start = 0;
    for (const std::size_t end : cuts) {
        if (error) break;
        std::string chunk(input.substr(start, end - start));
        std::string_view piece = chunk;
        // An empty feed is legal and must change nothing.
        for (;;) {
            const feed_result r = p.feed(piece);
            piece.remove_prefix(r.consumed);
            if (r.error == errc::paused && r.consumed == 0) {
                // A record always completes at least one byte: a pause without progress would
                // loop forever. Report it as an outcome no vector expects.
                error = std::make_error_code(std::errc::resource_deadlock_would_occur);
                break;
            }
            if (r.error == errc::paused) continue;
            if (r.error) error = r.error;
            break;
        }
        chunk.assign(chunk.size(), '\xA5');
        start = end;
    }
    const std::error_code fin = p.finish();
    if (!error) error = fin;
    return {std::move(rec.records), std::string(p.last_event_id()), error};
}

}  // namespace sse::test
