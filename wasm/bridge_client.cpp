// The C ABI for EventSourceClient: sse::reconnector (the EventSource state machine) and
// sse::is_event_stream. Conventions as in bridge.cpp (whose header comment describes the arena,
// the action block and lifetimes); shared memory in arena.hpp. The validator is a module of its
// own (bridge_validator.cpp).
#include <emscripten/emscripten.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>

#include "arena.hpp"
#include "sse/content_type.hpp"
#include "sse/parser_limits.hpp"
#include "sse/reconnect_policy.hpp"
#include "sse/reconnector.hpp"

using namespace ssekit_wasm;

// ---- the reconnector: EventSourceClient's state machine ----------------------------------------

namespace {

struct action_block {
    std::uint32_t kind = 0;
    std::uint32_t fire_error = 0;
    std::uint32_t send_last_event_id = 0;
    std::uint32_t last_id = 0;
    std::uint32_t last_id_bytes = 0;
    std::uint32_t reason = 0;
    std::uint32_t when_low = 0;
    std::uint32_t when_high = 0;
};

action_block g_action;

// Times cross the boundary as doubles (JS numbers; a wasm i64 would need BigInt glue): whole
// milliseconds of performance.now(), far below 2^53.
std::chrono::milliseconds to_ms(double t) {
    return std::chrono::milliseconds(t > 0 ? static_cast<std::int64_t>(t) : 0);
}

std::uint32_t publish_action(const sse::reconnect_action& a) {
    g_action.kind = static_cast<std::uint32_t>(a.kind);
    g_action.fire_error = a.fire_error ? 1 : 0;
    g_action.send_last_event_id = a.send_last_event_id ? 1 : 0;
    g_action.last_id = address(a.last_event_id.data());
    g_action.last_id_bytes = static_cast<std::uint32_t>(a.last_event_id.size());
    g_action.reason = static_cast<std::uint32_t>(a.reason);
    const auto when = static_cast<std::uint64_t>(std::max<std::int64_t>(a.when.count(), 0));
    g_action.when_low = static_cast<std::uint32_t>(when);
    g_action.when_high = static_cast<std::uint32_t>(when >> 32);
    return g_action.kind;
}

}  // namespace

extern "C" {

/// The address of the action block (8 words, see action_block), fixed for the module's lifetime.
EMSCRIPTEN_KEEPALIVE const void* sse_action() { return &g_action; }

/// A new reconnector with this policy (out-of-range values clamped as sse::reconnector does; a
/// negative initial time means the browser default). Free it with sse_client_free().
EMSCRIPTEN_KEEPALIVE sse::reconnector* sse_client_new(double initial_ms, double backoff_multiplier,
                                                       double max_delay_ms, double jitter,
                                                       std::uint32_t seed_low, std::uint32_t seed_high,
                                                       std::uint32_t max_attempts) {
    sse::reconnect_policy policy;
    if (initial_ms >= 0) policy.initial_reconnection_time = to_ms(initial_ms);
    policy.backoff_multiplier = backoff_multiplier;
    policy.max_delay = to_ms(max_delay_ms);
    policy.jitter = jitter;
    policy.seed = (std::uint64_t{seed_high} << 32) | seed_low;
    policy.max_attempts = max_attempts;
    return new (std::nothrow) sse::reconnector(policy);
}

EMSCRIPTEN_KEEPALIVE void sse_client_free(sse::reconnector* rc) { delete rc; }

// Each input returns the action's kind and fills the action block. The last event ID in it lives
// in the reconnector: valid until the next call on it.
EMSCRIPTEN_KEEPALIVE std::uint32_t sse_client_start(sse::reconnector* rc, double now) {
    return publish_action(rc->start(to_ms(now)));
}

/// The response arrived: `status`, and its Content-Type value in the first `n` bytes of the input
/// buffer (n = 0: no header).
EMSCRIPTEN_KEEPALIVE std::uint32_t sse_client_response(sse::reconnector* rc, double now, int status,
                                                       std::size_t n) {
    const std::string_view content_type = n == 0 ? std::string_view() : std::string_view(g_input.get(), n);
    return publish_action(rc->on_response(to_ms(now), status, content_type));
}

EMSCRIPTEN_KEEPALIVE std::uint32_t sse_client_end_of_stream(sse::reconnector* rc, double now) {
    return publish_action(rc->on_end_of_stream(to_ms(now)));
}

EMSCRIPTEN_KEEPALIVE std::uint32_t sse_client_network_error(sse::reconnector* rc, double now) {
    return publish_action(rc->on_network_error(to_ms(now)));
}

EMSCRIPTEN_KEEPALIVE std::uint32_t sse_client_timer(sse::reconnector* rc, double now) {
    return publish_action(rc->on_timer(to_ms(now)));
}

EMSCRIPTEN_KEEPALIVE std::uint32_t sse_client_abort(sse::reconnector* rc, double now) {
    return publish_action(rc->on_abort(to_ms(now)));
}

EMSCRIPTEN_KEEPALIVE void sse_client_close(sse::reconnector* rc) { rc->close(); }

/// Sets the last event ID to the first `n` bytes of the input buffer (a saved position). Returns
/// 0, or the sse::errc value when the id holds NUL, CR or LF (then nothing changes).
EMSCRIPTEN_KEEPALIVE std::uint32_t sse_client_set_last_event_id(sse::reconnector* rc, std::size_t n) {
    return static_cast<std::uint32_t>(rc->on_last_event_id(std::string_view(g_input.get(), n)).value());
}

/// readyState: 0 connecting, 1 open, 2 closed.
EMSCRIPTEN_KEEPALIVE std::uint32_t sse_client_ready_state(const sse::reconnector* rc) {
    return static_cast<std::uint32_t>(rc->state());
}

/// The reconnection time in milliseconds (saturated to what a double holds exactly enough).
EMSCRIPTEN_KEEPALIVE double sse_client_reconnection_time(const sse::reconnector* rc) {
    return static_cast<double>(rc->reconnection_time().count());
}

/// 1 if the first `n` bytes of the input buffer are a Content-Type value whose MIME essence is
/// text/event-stream (as browsers decide), else 0.
EMSCRIPTEN_KEEPALIVE std::uint32_t sse_is_event_stream(std::size_t n) {
    return sse::is_event_stream(std::string_view(g_input.get(), n)) ? 1 : 0;
}

}  // extern "C"
