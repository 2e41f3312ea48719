#include "sse/error.hpp"

#include <string>

namespace sse {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "sse"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::paused:
            return "parser paused by its handler; feed the remaining bytes to resume";
        case errc::line_too_long:
            return "line longer than parser_limits::max_line_length; raise the limit or "
                   "treat the peer as hostile";
        case errc::event_too_large:
            return "event larger than parser_limits::max_event_size; raise the limit or "
                   "treat the peer as hostile";
        case errc::feed_after_finish:
            return "feed() after finish(); call reset() to start a new stream";
        case errc::type_has_line_break:
            return "event type contains CR or LF, which the event-stream format cannot carry";
        case errc::id_has_line_break:
            return "event id contains CR or LF, which the event-stream format cannot carry";
        case errc::id_has_nul:
            return "event id contains U+0000 NULL; clients ignore such an id";
        case errc::message_too_large:
            return "encoded message larger than a std::string can hold; send the data in parts";
        case errc::type_without_data:
            return "event type set without data; clients dispatch no event without data, so set "
                   "data (empty is fine) or leave the type empty";
        }
        return "unknown sse error " + std::to_string(value);
    }
};

}  // namespace

const std::error_category& sse_category() noexcept {
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), sse_category()};
}

}  // namespace sse
