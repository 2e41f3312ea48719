// The C ABI between sse::proto and the JS package (wasm/src/*.js). No embind: plain functions
// with an `sse_` prefix, integers and pointers only. This file: the parser and the encoder;
// bridge_client.cpp: the reconnector and the Content-Type check; bridge_memory.cpp: sse_output()
// and sse_input(); arena.hpp: the memory they share with JS. The validator (bridge_validator.cpp)
// is a second module, dist/ssekit-validator.mjs, with its own memory and the same conventions.
//
// The hot path is "bytes in, JS event objects out", so a feed costs JS one call into wasm (two when
// the input buffer must grow) and at most two text decodes, however many events it completes:
//   1. JS asks for room with sse_input(n) and copies the bytes into wasm memory (or encodes a
//      string straight into it with TextEncoder.encodeInto);
//   2. sse_parser_feed(p, n, mode) parses them and appends every record it completes to one
//      output arena: 32-bit record words plus one UTF-8 text buffer holding the string fields that
//      are not in the input, back to back;
//   3. JS decodes the text buffer with one TextDecoder call and slices those fields out of it, and
//      slices the others (an event's data and id that lay whole in the input, as most do) out of
//      the input itself: decoded once (the first `input_text` bytes of it), or, when JS fed an
//      ASCII string, that very string. Only a field with nothing but ASCII from the input's start
//      to its end is passed that way, so its byte offset and length are UTF-16 ones too; the rest
//      are copied into the text buffer. Text buffer lengths are UTF-8 byte counts; when the batch
//      is all ASCII they are also UTF-16 lengths (JS sees string.length == bytes), otherwise JS
//      calls sse_to_utf16() once to rewrite them in place.
// Types equal to "message" and types and ids equal to the previous event's are not passed at all:
// a flag tells JS to reuse the string it already has, so a long id cannot be repeated per event.
//
// Lifetimes: the input buffer, the arena and the state block are module-wide (JS is single
// threaded, and reads them right after the call that filled them). The arena's contents and every
// address the state block holds are valid only until the next sse_* call. The input buffer stays
// where it is until sse_input() is asked for more than it holds, so JS keeps its address. Any
// call except sse_output(), sse_parser_state() and sse_to_utf16() may grow memory: JS re-takes
// its heap views after it.
//
// Records in the arena (words; lengths are of fields in the text buffer, in order, unless flagged
// as in the input):
//   event:   head = 0 | flags, type_len, data_len, data_at, id_len, id_at
//            (text: type?, data?, id?)
//   retry:   head = 1, low 32 bits, high 32 bits             (no text)
//   comment: head = 2, text_len                              (text: the comment, U+FFFD-repaired)
// flags: 0x100 type is "message", 0x200 type as the previous event's, 0x400 id as the previous
// event's (a field so flagged has length 0 and no text); 0x800 the data is input bytes
// [data_at, data_at + data_len), 0x1000 the id is input bytes [id_at, id_at + id_len) (no text).
//   observation: head = 3, code, severity, offset low, offset high, line, name_len, message_len
//                (text: name, message), from the validator module's sse_validator_feed() /
//                sse_validator_finish() (never in the core module's arena)
//
// The reconnector (EventSourceClient's state machine) reports each action in a second block,
// read at sse_action() as 8 words: kind (sse::action_kind), fire_error, send_last_event_id, the
// last event ID's address and size (UTF-8; valid until the next sse_client_* call), fail reason,
// and `when` (milliseconds, same epoch as the `now` JS passed in) as low and high 32 bits.
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "sse/detail/utf8.hpp"
#include "sse/encoder.hpp"
#include "sse/error.hpp"
#include "sse/handler.hpp"
#include "sse/message.hpp"
#include "sse/parser.hpp"
#include "sse/parser_limits.hpp"
#include "sse/reconnector.hpp"

#include "arena.hpp"

using namespace ssekit_wasm;

// Calls made once per parser, stream, connection or encoded message: compiled for size, since
// this file is otherwise compiled for the feed's speed and the module's download is the cost
// that matters for them (docs/BENCHMARKS.md, "WebAssembly package").
#define SSE_WASM_COLD __attribute__((minsize))

namespace {

class bridge final : public sse::handler {
public:
    explicit bridge(sse::parser_limits limits) : parser_(*this, limits) {}

    sse::parser& parser() noexcept { return parser_; }
    void set_mode(std::uint32_t mode) noexcept { mode_ = mode; }

    /// Parses `input` (the input buffer's first bytes), recording what completes in the arena.
    sse::feed_result feed(std::string_view input) {
        input_ = input;
        const sse::feed_result r = parser_.feed(input);
        // The previous id may view the input, which JS may overwrite before the next feed.
        if (previous_id_in_input_) {
            previous_id_.clear();
            previous_id_.append(previous_id_view_);
            previous_id_view_ = previous_id_.view();
            previous_id_in_input_ = false;
        }
        input_ = {};
        return r;
    }

    sse::action on_event(const sse::event& e) override {
        std::uint32_t* w = g_records.append(6);
        std::uint32_t head = record_event;
        std::uint32_t type_len = 0;
        if (same_bytes(e.type, "message")) {
            head |= flag_type_message;
        } else if (same_bytes(e.type, previous_type_.view())) {
            head |= flag_type_same;
        } else {
            previous_type_.clear();
            previous_type_.append(e.type);
            g_text.append(e.type);
            type_len = static_cast<std::uint32_t>(e.type.size());
        }
        w[2] = static_cast<std::uint32_t>(e.data.size());
        if (const std::uint32_t at = input_offset(e.data); at != not_in_input) {
            head |= flag_data_in_input;
            w[3] = at;
        } else {
            g_text.append(e.data);
            w[3] = 0;
        }
        std::uint32_t id_len = 0;
        std::uint32_t id_at = 0;
        if (same_bytes(e.last_event_id, previous_id_view_)) {
            head |= flag_id_same;
        } else {
            id_len = static_cast<std::uint32_t>(e.last_event_id.size());
            id_at = input_offset(e.last_event_id);
            if (id_at != not_in_input) {
                head |= flag_id_in_input;
                previous_id_view_ = e.last_event_id;  // valid until feed() ends, which copies it
                previous_id_in_input_ = true;
            } else {
                id_at = 0;
                g_text.append(e.last_event_id);
                previous_id_.clear();
                previous_id_.append(e.last_event_id);
                previous_id_view_ = previous_id_.view();
                previous_id_in_input_ = false;
            }
        }
        w[0] = head;
        w[1] = type_len;
        w[4] = id_len;
        w[5] = id_at;
        return sse::action::proceed;
    }

    sse::action on_retry(std::uint64_t milliseconds) override {
        std::uint32_t* w = g_records.append(3);
        w[0] = record_retry;
        w[1] = static_cast<std::uint32_t>(milliseconds);
        w[2] = static_cast<std::uint32_t>(milliseconds >> 32);
        return sse::action::proceed;
    }

    sse::action on_comment(std::string_view text) override {
        if ((mode_ & mode_comments) == 0) return sse::action::proceed;
        g_scratch.clear();
        sse::detail::utf8_append_repaired(text, g_scratch);  // JS decodes the arena as UTF-8
        g_text.append(g_scratch);
        std::uint32_t* w = g_records.append(2);
        w[0] = record_comment;
        w[1] = static_cast<std::uint32_t>(g_scratch.size());
        return sse::action::proceed;
    }

private:
    static constexpr std::uint32_t not_in_input = 0xFFFFFFFF;

    // Where `field` starts in this feed's input, if it lies there whole and every input byte up to
    // its end is ASCII (so JS can slice it from its decoding of the input by byte offset); else
    // not_in_input. The state block's input_text says how far into the input such fields reach.
    [[gnu::always_inline]] std::uint32_t input_offset(std::string_view field) noexcept {
        const auto at = reinterpret_cast<std::uintptr_t>(field.data()) -
                        reinterpret_cast<std::uintptr_t>(input_.data());
        if (at > input_.size() || field.size() > input_.size() - at) return not_in_input;
        // Every byte consumed so far is ASCII: the field's too, and all before it.
        if (!parser_.input_is_ascii()) return not_in_input;
        const std::size_t end = at + field.size();
        if (end > g_state.input_text) g_state.input_text = static_cast<std::uint32_t>(end);
        return static_cast<std::uint32_t>(at);
    }

    sse::parser parser_;
    std::uint32_t mode_ = 0;
    // This feed's input, while feed() runs: fields found in it are passed as offsets.
    std::string_view input_;
    // What JS last received as an event's type and id (JS starts from the same values). The id is
    // compared through previous_id_view_: the input, while the id came from there during this
    // feed (feed() copies it into previous_id_ at the end), else previous_id_.
    text_arena previous_type_{64};
    text_arena previous_id_{64};
    std::string_view previous_id_view_;
    bool previous_id_in_input_ = false;
};

void publish_parser_state(const sse::parser& p) {
    const std::string_view id = p.last_event_id();
    g_state.last_id = address(id.data());
    g_state.last_id_bytes = static_cast<std::uint32_t>(id.size());
    const auto retry = p.retry();
    g_state.has_retry = retry ? 1 : 0;
    g_state.retry_low = retry ? static_cast<std::uint32_t>(*retry) : 0;
    g_state.retry_high = retry ? static_cast<std::uint32_t>(*retry >> 32) : 0;
    g_state.error = static_cast<std::uint32_t>(p.error().value());
}

// UTF-16 code units in valid UTF-8: one per sequence, two for the 4-byte ones (surrogate pairs).
std::uint32_t utf16_length(const unsigned char* p, std::uint32_t n) {
    std::uint32_t units = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        units += (p[i] & 0xC0) != 0x80;
        units += p[i] >= 0xF0;
    }
    return units;
}

}  // namespace

extern "C" {

/// A new parser with the given limits (SIZE_MAX: no limit). Free it with sse_parser_free().
EMSCRIPTEN_KEEPALIVE SSE_WASM_COLD bridge* sse_parser_new(std::size_t max_line_length, std::size_t max_event_size) {
    return new (std::nothrow) bridge(sse::parser_limits{max_line_length, max_event_size});
}

EMSCRIPTEN_KEEPALIVE void sse_parser_free(bridge* b) { delete b; }

/// Parses the first `n` bytes of the input buffer; `mode` 1 also records comments. Fills the
/// arena with what completed and the state block; returns 0 or the sse::errc value of the
/// (sticky) error, in which case the arena holds the records produced before it.
EMSCRIPTEN_KEEPALIVE std::uint32_t sse_parser_feed(bridge* b, std::size_t n, std::uint32_t mode) {
    clear_arena();
    b->set_mode(mode);
    const sse::feed_result r = b->feed(std::string_view(g_input.get(), n));
    publish_arena();
    publish_parser_state(b->parser());
    return static_cast<std::uint32_t>(r.error.value());
}

/// End of stream: a partial event is dropped. Returns the sticky error, if any. Empties the arena.
EMSCRIPTEN_KEEPALIVE SSE_WASM_COLD std::uint32_t sse_parser_finish(bridge* b) {
    clear_arena();
    const std::error_code ec = b->parser().finish();
    publish_arena();
    publish_parser_state(b->parser());
    return static_cast<std::uint32_t>(ec.value());
}

/// A new stream on the same parser (reconnection): keeps the last event ID and retry.
EMSCRIPTEN_KEEPALIVE SSE_WASM_COLD void sse_parser_reset(bridge* b) {
    b->parser().reset();
    publish_parser_state(b->parser());
}

/// Fills the state block's last id, retry and error for `b`. Never grows memory.
EMSCRIPTEN_KEEPALIVE void sse_parser_state(bridge* b) { publish_parser_state(b->parser()); }

/// Rewrites the lengths of the arena's text buffer fields from UTF-8 bytes to UTF-16 code units,
/// for JS slicing (fields in the input are ASCII: their lengths are both already). Call at most
/// once per batch. Never grows memory. (Only for batches with non-ASCII text: compiled for size.)
EMSCRIPTEN_KEEPALIVE SSE_WASM_COLD void sse_to_utf16() {
    const auto* text = reinterpret_cast<const unsigned char*>(g_text.data());
    std::uint32_t* w = g_records.data();
    std::uint32_t* const end = w + g_records.size();
    while (w < end) {
        const std::uint32_t head = *w;
        const std::uint32_t kind = head & 0xFF;
        // Which of the record's words are text buffer lengths, as bits of `lengths` (word 1 up).
        std::uint32_t lengths = 0;
        std::uint32_t words = 0;
        if (kind == record_retry) {
            words = 3;
        } else if (kind == record_comment) {
            lengths = 1u << 1;
            words = 2;
        } else {
            lengths = 1u << 1;  // the type (0 when flagged)
            if ((head & flag_data_in_input) == 0) lengths |= 1u << 2;
            if ((head & flag_id_in_input) == 0) lengths |= 1u << 4;
            words = 6;
        }
        for (std::uint32_t i = 1; i < words; ++i) {
            if ((lengths & (1u << i)) == 0) continue;
            const std::uint32_t bytes = w[i];
            w[i] = utf16_length(text, bytes);
            text += bytes;
        }
        w += words;
    }
}

/// Encodes one block from the input buffer, which holds the type (`type_len` bytes), the data
/// (`data_len` bytes, or none when data_len is -1) and the id (likewise) back to back. On success
/// returns 0 and the text buffer holds the block; otherwise returns the sse::errc value and the
/// text buffer is empty. May grow memory.
EMSCRIPTEN_KEEPALIVE SSE_WASM_COLD std::uint32_t sse_encode(std::uint32_t type_len, std::int32_t data_len, std::int32_t id_len,
                                              std::uint32_t has_retry, std::uint32_t retry_low,
                                              std::uint32_t retry_high) {
    clear_arena();
    const char* p = g_input.get();
    sse::message m;
    m.type = std::string_view(p, type_len);
    p += type_len;
    if (data_len >= 0) {
        m.data = std::string_view(p, static_cast<std::size_t>(data_len));
        p += data_len;
    }
    if (id_len >= 0) m.id = std::string_view(p, static_cast<std::size_t>(id_len));
    if (has_retry) m.retry = (std::uint64_t{retry_high} << 32) | retry_low;
    g_scratch.clear();
    const std::error_code ec = sse::encode(m, g_scratch);
    if (!ec) g_text.append(g_scratch);
    publish_arena();
    return static_cast<std::uint32_t>(ec.value());
}

}  // extern "C"

extern "C" {

// The two reconnector inputs that need the parser (the rest is in bridge_client.cpp).
/// Takes the parser's new last event ID and retry (call after each feed).
EMSCRIPTEN_KEEPALIVE SSE_WASM_COLD void sse_client_update(sse::reconnector* rc, bridge* b) { rc->update_from(b->parser()); }

/// Starts the parser on a new connection, seeded with the reconnector's last event ID.
EMSCRIPTEN_KEEPALIVE SSE_WASM_COLD void sse_client_reset_parser(sse::reconnector* rc, bridge* b) {
    (void)b->parser().reset(rc->last_event_id());  // the reconnector's id has no NUL, CR or LF
}

}  // extern "C"
