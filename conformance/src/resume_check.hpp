// resume_check: grades what a stream sent after a Last-Event-ID reconnection against what the
// client had already received, by the order its ids follow (no publish hook needed).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sse/conformance/outcome.hpp"
#include "stream_capture.hpp"

namespace sse::conformance {

/// How a stream's ids are ordered (--id-order).
enum class id_order {
    automatic,  ///< integer when the ids received so far are consecutive integers, else opaque
    integer,    ///< decimal integers, one more per event: a jump is a gap
    lexical,    ///< increasing in byte order (timestamps, ULIDs): not after the last is a repeat
    opaque,     ///< no order: only an id received again is a repeat; the rest is reported
};

/// `auto`, `int`, `lexical` or `opaque`; nullopt for anything else.
std::optional<id_order> parse_id_order(std::string_view name) noexcept;

/// Grades a resume: `before` are the events received before the disconnection (the last one's id
/// was sent as Last-Event-ID; it must not be empty), `after` the events of the resumed stream.
/// An event of `after` whose id was received before, or (integer, lexical) is not after the
/// last one, is a repeat: fail. With integer ids a jump over ids is a gap: fail, unless
/// `is_signal` held for an event before any other (a truncation signal). Opaque ids: info, with
/// the ids received. Nullopt when `after` has no event but signals.
std::optional<outcome> check_resume(const std::vector<seen_event>& before, const std::vector<seen_event>& after,
                                    id_order order, const std::function<bool(const seen_event&)>& is_signal);

}  // namespace sse::conformance
