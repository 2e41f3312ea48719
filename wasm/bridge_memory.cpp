// The two entry points every ssekit wasm module has (the core, dist/ssekit.mjs, and the validator,
// dist/ssekit-validator.mjs): where JS finds the state block, and room for input. Each module has
// its own memory, so its own copies of the globals in arena.hpp. Conventions in bridge.cpp.
#include <emscripten/emscripten.h>

#include <cstddef>
#include <new>

#include "arena.hpp"

using namespace ssekit_wasm;

extern "C" {

/// The address of the state block (12 words, see state_block), fixed for the module's lifetime.
EMSCRIPTEN_KEEPALIVE const void* sse_output() { return &g_state; }

/// Room for `n` bytes of input in wasm memory; valid until the next sse_input() call. JS writes
/// the bytes there, then passes their count to the call that reads them. May grow memory.
/// Returns null (0) when memory runs out.
EMSCRIPTEN_KEEPALIVE char* sse_input(std::size_t n) {
    if (n > g_input_capacity) {
        const std::size_t capacity = n > 2 * g_input_capacity ? n : 2 * g_input_capacity;
        g_input.reset(new (std::nothrow) char[capacity]);
        g_input_capacity = g_input ? capacity : 0;
    }
    return g_input.get();
}

}  // extern "C"
