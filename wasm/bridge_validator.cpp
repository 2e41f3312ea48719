// The C ABI of the validator module (dist/ssekit-validator.mjs): sse::validator, graded
// observations into the arena. A module of its own because its messages and rules are a third of
// the core's size and only the inspector and tools use it: the package loads it on first use
// (SseValidator.load() in src/validator.js). Conventions and the arena layout as in bridge.cpp;
// sse_output() and sse_input() come from bridge_memory.cpp.
#include <emscripten/emscripten.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>

#include "arena.hpp"
#include "sse/observation.hpp"
#include "sse/parser_limits.hpp"
#include "sse/validator.hpp"

using namespace ssekit_wasm;

namespace {

// Record: head = 3, code, severity, offset low, offset high, line, name_len, message_len
// (text: name, message).
class observation_writer final : public sse::observer {
public:
    void on_observation(const sse::observation& o) override {
        const std::string_view name = o.name();
        g_text.append(name);
        g_text.append(o.message);  // valid UTF-8 by the validator's contract
        std::uint32_t* w = g_records.append(8);
        w[0] = record_observation;
        w[1] = static_cast<std::uint32_t>(o.code);
        w[2] = static_cast<std::uint32_t>(o.severity);
        w[3] = static_cast<std::uint32_t>(o.offset);
        w[4] = static_cast<std::uint32_t>(o.offset >> 32);
        w[5] = static_cast<std::uint32_t>(o.line);
        w[6] = static_cast<std::uint32_t>(name.size());
        w[7] = static_cast<std::uint32_t>(o.message.size());
    }
};

}  // namespace

extern "C" {

/// A new validator judging by these parser limits (SIZE_MAX: none), or null when memory runs
/// out. Free it with sse_validator_free().
EMSCRIPTEN_KEEPALIVE sse::validator* sse_validator_new(std::size_t max_line_length, std::size_t max_event_size) {
    sse::validator_options options;
    options.limits = sse::parser_limits{max_line_length, max_event_size};
    return new (std::nothrow) sse::validator(options);
}

EMSCRIPTEN_KEEPALIVE void sse_validator_free(sse::validator* v) { delete v; }

/// Validates the first `n` bytes of the input buffer; the arena holds the observations.
EMSCRIPTEN_KEEPALIVE void sse_validator_feed(sse::validator* v, std::size_t n) {
    clear_arena();
    observation_writer out;
    v->feed(std::string_view(g_input.get(), n), out);
    publish_arena();
}

/// End of the stream; the arena holds what the end leaves undone.
EMSCRIPTEN_KEEPALIVE void sse_validator_finish(sse::validator* v) {
    clear_arena();
    observation_writer out;
    v->finish(out);
    publish_arena();
}

EMSCRIPTEN_KEEPALIVE void sse_validator_reset(sse::validator* v) { v->reset(); }

}  // extern "C"
