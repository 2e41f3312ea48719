// The client mode's session: the scenario server, the test service (started by --adapter or
// given by --service) and what the service announced.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sse/conformance/context.hpp"

#include "adapter_process.hpp"
#include "scenario.hpp"
#include "scenario_server.hpp"
#include "service_client.hpp"

namespace sse::conformance::client {

class client_session : public conformance::session {
public:
    /// Starts the scenario server and, with `adapter` non-empty, the named shipped adapter; asks
    /// the service for its capabilities. Throws std::runtime_error (a message saying what to do)
    /// when the service cannot be started or reached.
    client_session(const std::string& service_url, const std::string& adapter);
    ~client_session() override;

    std::string describe() const override;

    scenario_server& server() noexcept { return *server_; }
    const service_client& service() const noexcept { return *service_; }
    const service_info& info() const noexcept { return info_; }
    const service_features& features() const noexcept { return features_; }

private:
    std::unique_ptr<scenario_server> server_;
    std::unique_ptr<adapter_process> adapter_;
    std::unique_ptr<service_client> service_;
    service_info info_;
    service_features features_;
    std::string adapter_name_;
};

/// Parses client mode's own arguments (`--service URL` or `--adapter NAME`). Returns false and
/// sets `error` for anything else, or when neither or both are given.
bool parse_client_args(const std::vector<std::string>& args, std::string& service_url, std::string& adapter,
                       std::string& error);

}  // namespace sse::conformance::client
