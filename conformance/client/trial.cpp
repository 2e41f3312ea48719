#include "trial.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

namespace sse::conformance::client {
namespace {

using clock = std::chrono::steady_clock;

// Turns callback bodies into observations, keeping only what the service announced it reports.
std::vector<observation> observations_of(const std::vector<std::string>& callbacks, const service_features& f,
                                         std::vector<std::string>& problems) {
    std::vector<observation> out;
    for (std::size_t i = 0; i < callbacks.size(); ++i) {
        auto j = nlohmann::json::parse(callbacks[i], nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("kind") || !j["kind"].is_string()) {
            problems.push_back("callback " + std::to_string(i + 1) + " is not a JSON object with a \"kind\": " +
                               callbacks[i].substr(0, 120));
            continue;
        }
        const std::string kind = j["kind"];
        auto text = [](const nlohmann::json& o, const char* key) {
            auto it = o.find(key);
            return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        auto state = [&] {
            auto it = j.find("readyState");
            return f.ready_state && it != j.end() && it->is_number_integer() ? it->get<int>() : -1;
        };
        if (kind == "event") {
            const nlohmann::json e = j.value("event", nlohmann::json::object());
            observation o{observation::kind::event, text(e, "type"), text(e, "data"), text(e, "id"), -1};
            // The contract-test protocol lets a service leave out the default type.
            if (o.type.empty()) o.type = "message";
            out.push_back(std::move(o));
        } else if (kind == "error") {
            out.push_back({observation::kind::error, {}, {}, {}, state()});
        } else if (kind == "open") {
            if (f.open) out.push_back({observation::kind::open, {}, {}, {}, state()});
        } else if (kind == "comment") {
            if (f.comments) out.push_back({observation::kind::comment, {}, text(j, "comment"), {}, -1});
        } else {
            problems.push_back("callback " + std::to_string(i + 1) + " has an unknown kind \"" + kind + "\"");
        }
    }
    return out;
}

// HTTP strips leading and trailing whitespace (SP, HTAB) from a field value, so an id such as
// " 7" arrives as "7" from any client: compare what HTTP can carry.
std::optional<std::string> header_value(const std::optional<std::string>& v) {
    if (!v) return v;
    std::size_t b = v->find_first_not_of(" \t"), e = v->find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : v->substr(b, e - b + 1);
}

std::string describe_header(const std::optional<std::string>& v) {
    return v ? "Last-Event-ID: " + escaped(*v) : "no Last-Event-ID header";
}

std::string describe_requests(const std::vector<expected_request>& list) {
    std::string out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        out += "request " + std::to_string(i + 1) + ": ";
        if (list[i].after_redirect) out += "follows the redirect\n";
        else out += describe_header(header_value(list[i].last_event_id)) + "\n";
    }
    return out;
}

std::string describe_requests(const std::vector<request_record>& list) {
    std::string out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        out += "request " + std::to_string(i + 1) + ": " + list[i].method + " " + list[i].target + ", ";
        out += describe_header(list[i].last_event_id);
        if (list[i].beyond_script) out += " (after the script ended: answered 204)";
        out += "\n";
    }
    return out;
}

}  // namespace

trial_report run_trial(client_session& session, const scenario& s, std::string_view tag,
                       std::chrono::milliseconds timeout) {
    trial_report r;
    const service_features& f = session.features();
    r.model = expect(s, f);
    scenario_server& server = session.server();
    const int id = server.add(s);
    const std::string base = server.base_url();

    nlohmann::json params = {{"streamUrl", base + "/scenario/" + std::to_string(id) + "/stream"},
                             {"callbackUrl", base + "/callback/" + std::to_string(id)},
                             {"tag", std::string(tag)}};
    const std::string stream = session.service().create(params);
    struct closer {
        client_session& session;
        scenario_server& server;
        int id;
        const std::string& stream;
        ~closer() {
            server.finish(id);
            try {
                session.service().close(stream);
            } catch (...) {
                // Reported by the next create if the service is really gone.
            }
        }
    } close_at_end{session, server, id, stream};

    if (f.listeners) {
        std::set<std::string> types;
        for (const auto& o : r.model.observations)
            if (o.what == observation::kind::event && o.type != "message") types.insert(o.type);
        for (const auto& t : types)
            session.service().command(stream, {{"command", "listen"}, {"listen", {{"type", t}}}});
    }
    server.arm(id);

    std::vector<std::string> problems;
    auto count = [&](const scenario_state& st) {
        std::vector<std::string> ignored;
        return observations_of(st.callbacks, f, ignored).size();
    };
    const std::size_t want_obs = r.model.observations.size();
    const std::size_t want_req = r.model.requests.size();
    server.wait_until(
        id, [&](const scenario_state& st) { return count(st) >= want_obs && st.requests.size() >= want_req; },
        clock::now() + timeout);
    // Settle: long enough for a client that wrongly reconnects after a failure (several times the
    // reconnection time) or that reports an event twice; bounded either way.
    auto settle = r.model.ends_failed
                      ? std::clamp(4 * r.model.reconnection_time, std::chrono::milliseconds(250),
                                   std::chrono::milliseconds(3000))
                      : std::chrono::milliseconds(150);
    r.seen = server.wait_until(
        id, [&](const scenario_state& st) { return count(st) > want_obs || st.requests.size() > want_req; },
        clock::now() + settle);

    std::vector<observation> got = observations_of(r.seen.callbacks, f, problems);
    r.expected = describe(r.model.observations) + describe_requests(r.model.requests) +
                 (r.model.ends_failed ? "then no further request\n" : "");
    r.actual = describe(got) + describe_requests(r.seen.requests);
    for (const auto& p : r.seen.callback_problems) problems.push_back(p);

    auto fail = [&](std::string m) {
        if (r.ok) r.message = std::move(m);
        r.ok = false;
    };
    if (!problems.empty()) fail("the test service sent a malformed callback: " + problems.front());
    for (std::size_t i = 0; r.ok && i < std::max(got.size(), want_obs); ++i) {
        if (i >= got.size())
            fail("observation " + std::to_string(i + 1) + " missing: expected " + describe(r.model.observations[i]) +
                 " (nothing more arrived within " + std::to_string(timeout.count()) + " ms)");
        else if (i >= want_obs)
            fail("unexpected observation " + std::to_string(i + 1) + ": " + describe(got[i]));
        else if (!(got[i] == r.model.observations[i]))
            fail("observation " + std::to_string(i + 1) + " differs: expected " + describe(r.model.observations[i]) +
                 ", got " + describe(got[i]));
    }
    const auto& reqs = r.seen.requests;
    for (std::size_t i = 0; r.ok && i < std::max(reqs.size(), want_req); ++i) {
        if (i >= reqs.size()) {
            fail("request " + std::to_string(i + 1) + " never arrived (the client did not reconnect)");
        } else if (i >= want_req || reqs[i].beyond_script) {
            fail(r.model.ends_failed ? "the client connected again after the connection had failed (request " +
                                           std::to_string(i + 1) + ")"
                                     : "unexpected extra request " + std::to_string(i + 1));
        } else if (!r.model.requests[i].after_redirect &&
                   header_value(reqs[i].last_event_id) != header_value(r.model.requests[i].last_event_id)) {
            // 9.2.3: "Let lastEventIDValue be the EventSource object's last event ID string, encoded
            // as UTF-8." The comparison is bytewise, so a Latin-1 header shows up as a difference.
            fail("request " + std::to_string(i + 1) + ": expected " +
                 describe_header(header_value(r.model.requests[i].last_event_id)) + " (UTF-8), got " +
                 describe_header(reqs[i].last_event_id));
        }
    }
    return r;
}

}  // namespace sse::conformance::client
