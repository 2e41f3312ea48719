// One sse-load worker process: holds its share of the subscriber connections, parses their
// streams with sse::parser, times each event and reports to the parent through a pipe.
#pragma once

#include "load_options.hpp"

namespace sse::load {

/// Runs worker `index` of `opts.processes` until SIGUSR1 or SIGTERM (or the parent's pipe breaks),
/// writing one status line to `report_fd` every 250 ms and a final one (prefixed "F") at the end.
/// Line format: "S|F open connecting failed deliveries untimed bytes err_connect err_status
/// err_closed err_parse|<histogram::serialize()>". Returns the process exit code.
int run_worker(const load_options& opts, unsigned index, int report_fd);

}  // namespace sse::load
