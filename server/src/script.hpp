// script: a scripted response (a conformance route's exact byte sequence), produced by the router
// and played by a scripted_session.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace sse::server::detail {

/// One write of a script: `bytes`, sent `delay` after the previous write completed.
struct script_item {
    std::string bytes;
    std::chrono::milliseconds delay{0};
};

/// Produces a script's items one at a time, so a long script (a count to a million) costs no
/// memory up front. Called on the connection's I/O thread only.
class script_source {
public:
    virtual ~script_source() = default;
    /// The next item, or std::nullopt after the last one.
    virtual std::optional<script_item> next() = 0;
};

/// Items given in full (an echo list, a retry route's two lines).
class list_source final : public script_source {
public:
    explicit list_source(std::vector<script_item> items) : items_(std::move(items)) {}
    std::optional<script_item> next() override {
        if (at_ == items_.size()) return std::nullopt;
        return std::move(items_[at_++]);
    }

private:
    std::vector<script_item> items_;
    std::size_t at_ = 0;
};

/// `bytes` in pieces of `chunk` bytes (0: one piece), `delay` apart. Empty bytes: no item.
class chunk_source final : public script_source {
public:
    chunk_source(std::string bytes, std::size_t chunk, std::chrono::milliseconds delay)
        : bytes_(std::move(bytes)), chunk_(chunk == 0 ? bytes_.size() : chunk), delay_(delay) {}
    std::optional<script_item> next() override {
        if (at_ >= bytes_.size()) return std::nullopt;
        script_item item{bytes_.substr(at_, chunk_), at_ == 0 ? std::chrono::milliseconds(0) : delay_};
        at_ += item.bytes.size();
        return item;
    }

private:
    std::string bytes_;
    std::size_t chunk_;
    std::chrono::milliseconds delay_;
    std::size_t at_ = 0;
};

/// What a scripted route answers: the response head (status and headers, no Content-Length: the
/// body ends when the connection closes), the items, and whether the stream then stays open.
struct script {
    boost::beast::http::response<boost::beast::http::string_body> head;
    std::unique_ptr<script_source> source;
    bool hold = false;  ///< then=hold: keep the stream open (heartbeats) after the last item
};

}  // namespace sse::server::detail
