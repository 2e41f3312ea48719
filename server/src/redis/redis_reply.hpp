// redis_reply: a Redis reply copied out of hiredis's redisReply, so callers never hold hiredis
// memory (which hiredis frees as soon as the reply callback returns).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct redisReply;

namespace sse::server::detail {

/// One RESP2 value. A null reply (nil bulk string or nil array) has kind::nil.
struct redis_reply {
    enum class kind : std::uint8_t { nil, integer, string, status, error, array };

    kind type = kind::nil;
    long long integer = 0;              ///< kind::integer
    std::string text;                   ///< kind::string, status and error
    std::vector<redis_reply> elements;  ///< kind::array

    /// A deep copy of `r` (null: a nil reply).
    static redis_reply from(const redisReply* r);

    bool is_error() const noexcept { return type == kind::error; }
    bool is_nil() const noexcept { return type == kind::nil; }
    /// The value as an unsigned integer: an integer reply, or a string of decimal digits.
    /// std::nullopt for anything else (negative, empty, not a number).
    std::optional<std::uint64_t> as_u64() const;
};

}  // namespace sse::server::detail
