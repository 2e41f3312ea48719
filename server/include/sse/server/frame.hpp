// sse::server::frame: bytes encoded once and shared by every subscriber that sends them.
#pragma once

#include <memory>
#include <string>

namespace sse::server {

/// Immutable encoded bytes (an event block, a comment, a response head). One publish encodes one
/// frame; fan-out copies the pointer, never the bytes, and the bytes live as long as any queue or
/// the history holds them.
using frame = std::shared_ptr<const std::string>;

/// Wraps `bytes` into a frame.
inline frame make_frame(std::string bytes) {
    return std::make_shared<const std::string>(std::move(bytes));
}

}  // namespace sse::server
