// The C ABI between sse::proto and the JS package (wasm/index.js). No embind: plain functions
// with an `sse_` prefix, integers and pointers only.
//
// The hot path is "bytes in, JS event objects out", so a feed costs JS one call into wasm (two when
// the input buffer must grow) and one text decode, however many events it completes:
//   1. JS asks for room with sse_input(n) and copies the bytes into wasm memory (or encodes a
//      string straight into it with TextEncoder.encodeInto);
//   2. sse_parser_feed(p, n, mode) parses them and appends every record it completes to one
//      output arena: 32-bit record words plus one UTF-8 text buffer holding every string field
//      back to back;
//   3. JS decodes the whole text buffer with one TextDecoder call and slices each field out of it.
//      Field lengths are UTF-8 byte counts; when the batch is all ASCII they are also UTF-16
//      lengths (JS sees string.length == bytes), otherwise JS calls sse_to_utf16() once to rewrite
//      them in place.
// Types equal to "message" and types and ids equal to the previous event's are not copied at all:
// a flag tells JS to reuse the string it already has, so a long id cannot be repeated per event.
//
// Lifetimes: the input buffer, the arena and the state block are module-wide (JS is single
// threaded, and reads them right after the call that filled them). The arena's contents and every
// address the state block holds are valid only until the next sse_* call. The input buffer stays
// where it is until sse_input() is asked for more than it holds, so JS keeps its address. Any
// call except sse_output(), sse_parser_state() and sse_to_utf16() may grow memory: JS re-takes
// its heap views after it.
//
// Records in the arena (words; lengths are of fields in the text buffer, in order):
//   event:   head = 0 | flags, type_len, data_len, id_len    (text: type?, data, id?)
//   retry:   head = 1, low 32 bits, high 32 bits             (no text)
//   comment: head = 2, text_len                              (text: the comment, U+FFFD-repaired)
// flags: 0x100 type is "message", 0x200 type as the previous event's, 0x400 id as the previous
// event's; a flagged field has length 0 and no text.
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

namespace {

enum : std::uint32_t {
    record_event = 0,
    record_retry = 1,
    record_comment = 2,
    flag_type_message = 0x100,
    flag_type_same = 0x200,
    flag_id_same = 0x400,
    mode_comments = 1,  // sse_parser_feed: also record comments
};

// What a call leaves for JS, which reads it as 10 words at sse_output(): addresses and sizes.
struct state_block {
    std::uint32_t records = 0;        // address of the first record word
    std::uint32_t record_words = 0;   // number of record words
    std::uint32_t text = 0;           // address of the text buffer
    std::uint32_t text_bytes = 0;     // its size in bytes
    std::uint32_t last_id = 0;        // address of the parser's last event ID string (UTF-8)
    std::uint32_t last_id_bytes = 0;  // its size
    std::uint32_t has_retry = 0;      // 1 if the parser has a reconnection time
    std::uint32_t retry_low = 0;      // its low and high 32 bits
    std::uint32_t retry_high = 0;
    std::uint32_t error = 0;          // the parser's sticky error (sse::errc), 0 if none
};

// The record words: a plain growable array with one capacity check per record (std::vector
// insert cost about 5% more on a feed of small events).
class word_arena {
public:
    std::uint32_t* data() noexcept { return words_.get(); }
    std::size_t size() const noexcept { return size_; }
    void clear() noexcept { size_ = 0; }
    // Room for `n` more words; returns where they go. Aborts (like new) when memory runs out.
    std::uint32_t* append(std::size_t n) {
        if (capacity_ - size_ < n) grow(n);
        std::uint32_t* at = words_.get() + size_;
        size_ += n;
        return at;
    }

private:
    void grow(std::size_t n) {
        const std::size_t capacity = std::max(capacity_ * 2, std::max<std::size_t>(size_ + n, 1024));
        std::unique_ptr<std::uint32_t[]> words(new std::uint32_t[capacity]);
        if (size_ != 0) std::memcpy(words.get(), words_.get(), size_ * sizeof(std::uint32_t));
        words_ = std::move(words);
        capacity_ = capacity;
    }

    std::unique_ptr<std::uint32_t[]> words_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

state_block g_state;
word_arena g_records;
std::string g_text;
std::unique_ptr<char[]> g_input;
std::size_t g_input_capacity = 0;

std::uint32_t address(const void* p) { return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(p)); }

// Starts a new batch. A batch that grew the arena past 4 MiB gives the memory back to the
// allocator (wasm memory itself never shrinks), so one large event does not pin it forever.
void clear_arena() {
    g_records.clear();
    if (g_text.capacity() > (std::size_t{4} << 20)) std::string().swap(g_text);
    g_text.clear();
}

void publish_arena() {
    g_state.records = address(g_records.data());
    g_state.record_words = static_cast<std::uint32_t>(g_records.size());
    g_state.text = address(g_text.data());
    g_state.text_bytes = static_cast<std::uint32_t>(g_text.size());
}

class bridge final : public sse::handler {
public:
    explicit bridge(sse::parser_limits limits) : parser_(*this, limits) {}

    sse::parser& parser() noexcept { return parser_; }
    void set_mode(std::uint32_t mode) noexcept { mode_ = mode; }

    sse::action on_event(const sse::event& e) override {
        std::uint32_t head = record_event;
        std::uint32_t type_len = 0;
        std::uint32_t id_len = 0;
        if (e.type == "message") {
            head |= flag_type_message;
        } else if (e.type == previous_type_) {
            head |= flag_type_same;
        } else {
            previous_type_.assign(e.type);
            g_text.append(e.type);
            type_len = static_cast<std::uint32_t>(e.type.size());
        }
        g_text.append(e.data);
        if (e.last_event_id == previous_id_) {
            head |= flag_id_same;
        } else {
            previous_id_.assign(e.last_event_id);
            g_text.append(e.last_event_id);
            id_len = static_cast<std::uint32_t>(e.last_event_id.size());
        }
        std::uint32_t* w = g_records.append(4);
        w[0] = head;
        w[1] = type_len;
        w[2] = static_cast<std::uint32_t>(e.data.size());
        w[3] = id_len;
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
        const std::size_t before = g_text.size();
        sse::detail::utf8_append_repaired(text, g_text);  // JS decodes the arena as UTF-8
        std::uint32_t* w = g_records.append(2);
        w[0] = record_comment;
        w[1] = static_cast<std::uint32_t>(g_text.size() - before);
        return sse::action::proceed;
    }

private:
    sse::parser parser_;
    std::uint32_t mode_ = 0;
    // What JS last received as an event's type and id (JS starts from the same values).
    std::string previous_type_;
    std::string previous_id_;
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

/// The address of the state block (10 words, see state_block), fixed for the module's lifetime.
EMSCRIPTEN_KEEPALIVE const void* sse_output() { return &g_state; }

/// Room for `n` bytes of input in wasm memory; valid until the next sse_input() call. JS writes
/// the bytes there, then passes their count to sse_parser_feed() or sse_encode(). May grow memory.
EMSCRIPTEN_KEEPALIVE char* sse_input(std::size_t n) {
    if (n > g_input_capacity) {
        const std::size_t capacity = n > 2 * g_input_capacity ? n : 2 * g_input_capacity;
        g_input.reset(new (std::nothrow) char[capacity]);
        g_input_capacity = g_input ? capacity : 0;
    }
    return g_input.get();
}

/// A new parser with the given limits (SIZE_MAX: no limit). Free it with sse_parser_free().
EMSCRIPTEN_KEEPALIVE bridge* sse_parser_new(std::size_t max_line_length, std::size_t max_event_size) {
    return new (std::nothrow) bridge(sse::parser_limits{max_line_length, max_event_size});
}

EMSCRIPTEN_KEEPALIVE void sse_parser_free(bridge* b) { delete b; }

/// Parses the first `n` bytes of the input buffer; `mode` 1 also records comments. Fills the
/// arena with what completed and the state block; returns 0 or the sse::errc value of the
/// (sticky) error, in which case the arena holds the records produced before it.
EMSCRIPTEN_KEEPALIVE std::uint32_t sse_parser_feed(bridge* b, std::size_t n, std::uint32_t mode) {
    clear_arena();
    b->set_mode(mode);
    const sse::feed_result r = b->parser().feed(std::string_view(g_input.get(), n));
    publish_arena();
    publish_parser_state(b->parser());
    return static_cast<std::uint32_t>(r.error.value());
}

/// End of stream: a partial event is dropped. Returns the sticky error, if any. Empties the arena.
EMSCRIPTEN_KEEPALIVE std::uint32_t sse_parser_finish(bridge* b) {
    clear_arena();
    const std::error_code ec = b->parser().finish();
    publish_arena();
    publish_parser_state(b->parser());
    return static_cast<std::uint32_t>(ec.value());
}

/// A new stream on the same parser (reconnection): keeps the last event ID and retry.
EMSCRIPTEN_KEEPALIVE void sse_parser_reset(bridge* b) {
    b->parser().reset();
    publish_parser_state(b->parser());
}

/// Fills the state block's last id, retry and error for `b`. Never grows memory.
EMSCRIPTEN_KEEPALIVE void sse_parser_state(bridge* b) { publish_parser_state(b->parser()); }

/// Rewrites the arena's field lengths from UTF-8 bytes to UTF-16 code units, for JS slicing.
/// Call at most once per batch. Never grows memory.
EMSCRIPTEN_KEEPALIVE void sse_to_utf16() {
    const auto* text = reinterpret_cast<const unsigned char*>(g_text.data());
    std::uint32_t* w = g_records.data();
    std::uint32_t* const end = w + g_records.size();
    while (w < end) {
        const std::uint32_t kind = *w & 0xFF;
        if (kind == record_retry) {
            w += 3;
            continue;
        }
        const int fields = kind == record_event ? 3 : 1;
        for (int i = 1; i <= fields; ++i) {
            const std::uint32_t bytes = w[i];
            w[i] = utf16_length(text, bytes);
            text += bytes;
        }
        w += fields + 1;
    }
}

/// Encodes one block from the input buffer, which holds the type (`type_len` bytes), the data
/// (`data_len` bytes, or none when data_len is -1) and the id (likewise) back to back. On success
/// returns 0 and the text buffer holds the block; otherwise returns the sse::errc value and the
/// text buffer is empty. May grow memory.
EMSCRIPTEN_KEEPALIVE std::uint32_t sse_encode(std::uint32_t type_len, std::int32_t data_len, std::int32_t id_len,
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
    const std::error_code ec = sse::encode(m, g_text);
    publish_arena();
    return static_cast<std::uint32_t>(ec.value());
}

}  // extern "C"
