// A subscriber that records the frames the hub gives it, parsed back with sse::parser, so hub
// tests check what a client would see. It can refuse frames past a byte budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>
#include <limits>
#include <string>

#include "sse/parser.hpp"
#include "sse/server/subscriber.hpp"
#include "support/recorder.hpp"

namespace sse::test {

class fake_subscriber final : public sse::server::subscriber {
public:
    explicit fake_subscriber(std::size_t budget = std::numeric_limits<std::size_t>::max())
        : parser_(recorder_), budget_(budget) {}

    bool deliver(const sse::server::frame& f, std::uint64_t id, bool exempt) override {
        ids.push_back(id);
        if (!exempt && counted_ + f->size() > budget_) {
            refused = true;
            return false;
        }
        if (!exempt) counted_ += f->size();
        bytes += *f;
        parser_.feed(*f);
        return true;
    }
    void close(const sse::server::frame& last) override {
        ++closes;
        if (last) bytes += *last;
    }

    std::vector<record> events() const { return recorder_.records; }
    const std::vector<std::string>& comments() const { return recorder_.comments; }
    /// The client's last event ID after what it received (position markers included).
    std::string last_event_id() const { return std::string(parser_.last_event_id()); }

    std::string bytes;
    std::vector<std::uint64_t> ids;  // the id the hub gave with each frame delivered or refused
    bool refused = false;
    int closes = 0;

private:
    recorder recorder_;
    sse::parser parser_;
    std::size_t budget_;
    std::size_t counted_ = 0;
};

}  // namespace sse::test
