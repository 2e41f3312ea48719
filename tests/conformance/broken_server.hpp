// broken_server: a small scripted SSE server for the conformance tests, correct except for one
// deliberate flaw per variant, so each conformance case can be shown to catch what it claims.
//
// It speaks just enough: GET /events (stream, Last-Event-ID resume from one history), POST
// /publish (form: data, type), GET /conformance/ (the contract marker), POST /conformance/echo
// (JSON array, encoded with sse::encode), GET /conformance/count; for the request options of
// sse-conformance: POST /llm (an LLM-style stream: a bearer token and a JSON object body, else
// 401 / 400 / 405; then the /events stream), POST /llm/publish (publish with its own token), and
// /r30N/PATH (any method: status N, Location /PATH); GET /ticker, a stream that publishes on its
// own (`id: N`, `data: tick N`, one every `every` ms, default 50; tick N is due N-1 periods after
// the server started; a Last-Event-ID resume replays the ticks after it; `close_after=K` ends the
// response after K events; `width=W` pads ids with zeros to W digits). A stream request that
// accepts gzip gets a gzip-coded body, flushed on every write. Plain HTTP or TLS; requests are read with
// Beast's parser; with options::h2, HTTP/2 (broken_h2_connection) carries the same routes and flaws. Blocking Asio, one thread per connection; everything bound to 127.0.0.1 and
// joined on stop().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>

namespace sse::test {

enum class flaw {
    none,
    status_202,            ///< the stream answers 202, not 200
    wrong_content_type,    ///< Content-Type: text/plain
    content_length,        ///< a Content-Length on the stream
    no_cache_control,      ///< no Cache-Control header
    invalid_utf8,          ///< a data line with a 0xFF byte
    whitespace_line,       ///< a line of spaces (not blank: no dispatch there)
    nul_in_id,             ///< ids with U+0000
    bad_retry,             ///< `retry: 1s`
    buffered_head,         ///< the head is held back until the first event
    buffered_events,       ///< events are written only three at a time
    fanout_skip,           ///< every second subscriber misses every second event
    lossy_under_load,      ///< a subscriber with more than 10 events pending silently loses the oldest
    resume_repeat,         ///< resume replays the Last-Event-ID event itself again
    echo_drops_last_line,  ///< /conformance/echo loses the last line of multi-line data
    count_ignores_resume,  ///< /conformance/count starts at 1 whatever Last-Event-ID says
    publish_drops_type,    ///< POST /publish ignores the event type
    resume_signals_loss,   ///< a resume sends `event: sse-history-truncated` and continues live
    ticker_ignores_resume,   ///< GET /ticker counts from 1 on every connection, whatever Last-Event-ID says
    ticker_skips_on_resume,  ///< GET /ticker resumes two events after the Last-Event-ID one
    head_delayed,            ///< the stream's head is held 3 s, then sent with nothing published
    no_heartbeat,            ///< an idle stream gets no comment lines
    requires_accept,         ///< the stream answers 406 without `Accept: text/event-stream`
    rejects_unknown_id,      ///< the stream answers 400 to a Last-Event-ID that is not a number
    rejects_long_id,         ///< the stream answers 431 to a Last-Event-ID over 256 bytes
    chunked_to_http10,       ///< an HTTP/1.0 request gets a chunked response
    truncates_large_events,  ///< POST /publish keeps only the first 64 KiB of the data
    reorders_bursts,         ///< events pending together (a burst) go out in swapped pairs
    gzip_buffered,           ///< asked for gzip, the stream's compressor emits nothing until 8 KiB are pending
    // HTTP/2 only (options::h2):
    h2_connection_header,      ///< every h2 response carries `connection: keep-alive` (RFC 9113 8.2.2)
    h2_reset_disturbs_others,  ///< a client's RST_STREAM (CANCEL) on one stream resets every stream
    h2_stream_limit,           ///< SETTINGS_MAX_CONCURRENT_STREAMS 5 (100 otherwise)
};

std::string_view to_string(flaw f);

class broken_server {
public:
    struct options {
        std::shared_ptr<boost::asio::ssl::context> tls;  ///< a server context: serve HTTPS
        std::string token;          ///< POST /llm needs `Authorization: Bearer <token>` (empty: no check)
        std::string publish_token;  ///< POST /llm/publish needs `Authorization: Bearer <publish_token>`
        /// Serve HTTP/2: over TLS when ALPN selects h2 (the server prefers it; it sets an ALPN
        /// callback on `tls`, offering h2 and http/1.1, so a client that offers only http/1.1 gets
        /// HTTP/1.1), on plain TCP as h2c with prior knowledge for every connection.
        bool h2 = false;
    };

    explicit broken_server(flaw f);
    broken_server(flaw f, options o);
    ~broken_server();  ///< stops
    broken_server(const broken_server&) = delete;
    broken_server& operator=(const broken_server&) = delete;

    /// Listening on 127.0.0.1 from construction on.
    std::uint16_t port() const;
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sse::test
