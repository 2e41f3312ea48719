#include "client_session.hpp"

#include <stdexcept>

namespace sse::conformance::client {

client_session::client_session(const std::string& service_url, const std::string& adapter)
    : server_(std::make_unique<scenario_server>()), adapter_name_(adapter) {
    std::string url = service_url;
    if (!adapter.empty()) {
        adapter_ = std::make_unique<adapter_process>(adapter);
        url = adapter_->url();
    }
    service_ = std::make_unique<service_client>(url);
    info_ = service_->info();
    features_.open = info_.has("open");
    features_.ready_state = info_.has("ready-state");
    features_.comments = info_.has("comments");
    features_.listeners = info_.has("event-type-listeners");
}

client_session::~client_session() {
    if (adapter_) {
        service_->stop();
        adapter_->stop();
    }
}

std::string client_session::describe() const {
    std::string name = info_.name.empty() ? "SSE client" : info_.name;
    if (!info_.version.empty()) name += " " + info_.version;
    std::string how = adapter_ ? "adapter " + adapter_name_ + " at " + service_->base_url()
                               : "test service at " + service_->base_url();
    std::string caps;
    for (const auto& c : info_.capabilities) caps += (caps.empty() ? "" : ", ") + c;
    return name + " (" + how + "; capabilities: " + (caps.empty() ? "none" : caps) + ")";
}

bool parse_client_args(const std::vector<std::string>& args, std::string& service_url, std::string& adapter,
                       std::string& error) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= args.size()) {
                error = a + " needs a value";
                return false;
            }
            out = args[++i];
            return true;
        };
        if (a == "--service") {
            if (!value(service_url)) return false;
        } else if (a.starts_with("--service=")) {
            service_url = a.substr(10);
        } else if (a == "--adapter") {
            if (!value(adapter)) return false;
        } else if (a.starts_with("--adapter=")) {
            adapter = a.substr(10);
        } else {
            error = "client mode: unknown argument \"" + a + "\" (give --service URL or --adapter NAME)";
            return false;
        }
    }
    if (service_url.empty() == adapter.empty()) {
        error = "client mode needs exactly one of --service URL (a running test service, see "
                "conformance/ADAPTERS.md) or --adapter NAME, one of:\n" + adapter_list();
        return false;
    }
    return true;
}

}  // namespace sse::conformance::client
