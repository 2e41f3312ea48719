// adapter_stream: one stream instance of the test service: an sse::client::client opened on
// `POST /`, reporting what it observes through a callback_sender (ADAPTERS.md).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <nlohmann/json.hpp>
#include <sse/client/client.hpp>

#include "callback_sender.hpp"

namespace sse::conformance::adapter {

/// The capabilities this adapter announces on `GET /`: what sse::client can do and report.
/// Not announced: `event-type-listeners` (sse::client reports every event type, so no `listen`
/// is needed), `read-timeout` and `restart` (sse::client has neither), `comments` (see the .cpp).
const char* const* capabilities();

class adapter_stream {
public:
    /// Validates the create-stream parameters and starts connecting at once. Throws
    /// std::invalid_argument with a message for the 400 answer when a parameter is invalid.
    /// `executor` runs the client; its io_context must outlive this object.
    adapter_stream(boost::asio::any_io_executor executor, const nlohmann::json& params,
                   callback_sender::logger log);
    /// Calls close().
    ~adapter_stream();
    adapter_stream(const adapter_stream&) = delete;
    adapter_stream& operator=(const adapter_stream&) = delete;

    /// DELETE <stream>: closes the client and waits until the messages reported before it are
    /// sent; afterwards no callback is sent for this stream. Idempotent; from any thread except
    /// the client's I/O thread (it waits for the sender, not for the I/O thread).
    void close();

private:
    std::shared_ptr<callback_sender> sender_;
    std::shared_ptr<sse::client::client> client_;
};

}  // namespace sse::conformance::adapter
