#include "redis_reply.hpp"

#include <hiredis/hiredis.h>

#include <charconv>

namespace sse::server::detail {

redis_reply redis_reply::from(const redisReply* r) {
    redis_reply out;
    if (!r) return out;
    switch (r->type) {
    case REDIS_REPLY_INTEGER:
        out.type = kind::integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        out.type = r->type == REDIS_REPLY_STRING   ? kind::string
                   : r->type == REDIS_REPLY_STATUS ? kind::status
                                                   : kind::error;
        out.text.assign(r->str, r->len);
        break;
    case REDIS_REPLY_ARRAY:
        out.type = kind::array;
        out.elements.reserve(r->elements);
        for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(from(r->element[i]));
        break;
    default:  // REDIS_REPLY_NIL
        break;
    }
    return out;
}

std::optional<std::uint64_t> redis_reply::as_u64() const {
    if (type == kind::integer) {
        if (integer < 0) return std::nullopt;
        return static_cast<std::uint64_t>(integer);
    }
    if (type != kind::string && type != kind::status) return std::nullopt;
    std::uint64_t v = 0;
    const char* const end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, v);
    if (text.empty() || r.ec != std::errc{} || r.ptr != end) return std::nullopt;
    return v;
}

}  // namespace sse::server::detail
