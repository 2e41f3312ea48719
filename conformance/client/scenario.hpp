// What the scenario server plays to a client under test, and what a conforming client observes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sse::conformance::client {

/// How a response body ends once its chunks are written.
enum class body_end {
    hold,       ///< keep the connection open (and idle) until the case is over: the last step
    clean,      ///< end the response properly (chunked terminator, or FIN for close-delimited)
    truncated,  ///< chunked only: close (FIN) without the terminating chunk, a network error
};

/// The response to one request of a scenario, in arrival order.
struct response_step {
    int status = 200;
    /// The Content-Type header value; std::nullopt sends no Content-Type at all.
    std::optional<std::string> content_type = std::string("text/event-stream");
    /// Body bytes; each chunk is written (and flushed) on its own, so chunk boundaries reach the
    /// client as separate reads whenever the network allows.
    std::vector<std::string> chunks;
    /// Transfer-Encoding: chunked; otherwise the body is delimited by closing the connection.
    bool chunked = true;
    body_end end = body_end::clean;
    /// Milliseconds to wait between chunks (0: none): lets chunk boundaries survive Nagle and the
    /// client's read buffering more often. Never needed for correctness.
    int chunk_delay_ms = 0;

    /// True for 301/302/303/307/308: the server adds a Location to the next request's path.
    bool is_redirect() const noexcept {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
};

/// A scripted conversation with one client: one response_step per request, in order.
struct scenario {
    std::vector<response_step> steps;
    /// Event types (other than "message") the scenario's streams use: sent as `listen` commands
    /// to services with the event-type-listeners capability before the first response.
    std::vector<std::string> event_types;
};

/// One thing a client reports through its adapter (ADAPTERS.md "Callbacks").
struct observation {
    enum class kind { event, comment, error, open };
    kind what = kind::event;
    std::string type;      ///< event: the event type
    std::string data;      ///< event: data; comment: the comment text
    std::string id;        ///< event: the last event ID string at dispatch
    int ready_state = -1;  ///< error and open: readyState right after, -1 when not reported

    bool operator==(const observation&) const = default;
};

/// Which optional observations a service reports (its capabilities).
struct service_features {
    bool open = false;         ///< "open": reports open events
    bool ready_state = false;  ///< "ready-state": error and open carry readyState
    bool comments = false;     ///< "comments": reports comment lines
    bool listeners = false;    ///< "event-type-listeners": needs a listen command per type
};

/// A request the scenario server should see, in order.
struct expected_request {
    /// The Last-Event-ID header value, std::nullopt when the header must be absent.
    std::optional<std::string> last_event_id;
    /// True for the request that follows a redirect: its headers are not checked.
    bool after_redirect = false;
};

/// What a conforming client does with a scenario, computed by sse::parser and sse::reconnector.
struct expectation {
    std::vector<observation> observations;  ///< filtered by service_features
    std::vector<expected_request> requests;
    /// The last step fails the connection (readyState CLOSED): no request may follow.
    bool ends_failed = false;
    /// The reconnection time in force at the end (ms): how long the settle period waits for.
    std::chrono::milliseconds reconnection_time{3000};
};

/// Runs `s` through ssekit's parser and reconnector (browser defaults: 3000 ms initial
/// reconnection time, no backoff, reconnect forever) and returns what a conforming client
/// reports. Steps after the one that fails the connection, or after a `hold`, are never reached
/// and are ignored. Observations the service does not report are left out (never guessed).
expectation expect(const scenario& s, const service_features& features);

/// `s` in double quotes with CR, LF, quotes, control bytes and invalid UTF-8 escaped, for reports.
std::string escaped(std::string_view s);

/// One-line JSON-ish rendering of an observation, for reports ("event message "a\nb" id=7").
std::string describe(const observation& o);

/// The events, comments, errors and opens the spec requires of a client for `s`, rendered one per
/// line, for a report's "expected" column.
std::string describe(const std::vector<observation>& list);

}  // namespace sse::conformance::client
