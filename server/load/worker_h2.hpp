// An sse-load worker whose subscribers are HTTP/2 streams (--http2 over TLS with ALPN, --h2c with
// prior knowledge), multiplexed over connections of --streams-per-connection streams each (fewer
// when the server's SETTINGS_MAX_CONCURRENT_STREAMS is lower). It reports exactly as the HTTP/1.1
// worker does (worker.hpp), counting subscribers, not connections.
#pragma once

#include "load_options.hpp"

namespace sse::load {

/// Runs worker `index` of `opts.processes` with HTTP/2 subscribers until SIGUSR1 or SIGTERM (or
/// the parent's pipe breaks); same status lines and exit code as run_worker().
int run_h2_worker(const load_options& opts, unsigned index, int report_fd);

}  // namespace sse::load
