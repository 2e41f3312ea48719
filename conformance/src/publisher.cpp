#include "publisher.hpp"

#include "child_process.hpp"
#include "sse/net/error.hpp"

namespace sse::conformance {

std::string data_as_received(std::string_view d) {
    std::string out;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (d[i] == '\r') {
            out += '\n';
            if (i + 1 < d.size() && d[i + 1] == '\n') ++i;
        } else {
            out += d[i];
        }
    }
    return out;
}

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

namespace {

std::string substitute(std::string_view tmpl, const publish_request& e) {
    std::string out;
    for (std::size_t i = 0; i < tmpl.size();) {
        auto try_key = [&](std::string_view key, std::string_view value) {
            if (tmpl.substr(i, key.size()) != key) return false;
            out += percent_encode(value);
            i += key.size();
            return true;
        };
        if (try_key("{data}", e.data) || try_key("{type}", e.type) ||
            try_key("{topic}", "conformance"))
            continue;
        out += tmpl[i++];
    }
    return out;
}

}  // namespace

std::optional<publisher> publisher::make(const std::string& url_template, const std::string& command,
                                         const net::header_list& headers, const probe_settings& settings,
                                         std::chrono::milliseconds timeout, std::string& error) {
    if (url_template.empty() && command.empty()) return std::nullopt;
    publisher p;
    p.timeout_ = timeout;
    p.command_ = command;
    p.headers_ = headers;
    p.settings_ = settings;
    if (!url_template.empty()) {
        net::url u;
        if (auto ec = net::parse_url(url_template, u)) {
            error = "--publish: " + ec.message() + ": " + url_template;
            return std::nullopt;
        }
        const auto q = u.target.find('?');
        if (q != std::string::npos) {
            p.query_ = u.target.substr(q + 1);
            u.target.erase(q);
        }
        if (p.query_.find("{data}") == std::string::npos) {
            error = "--publish: the template has no {data} in its query; e.g. "
                    "'http://127.0.0.1:8080/publish?topic=news&data={data}&type={type}'";
            return std::nullopt;
        }
        if (command.empty()) {
            http_probe reach(settings);
            if (auto ec = reach.connect(u)) {
                error = "--publish: " + (net::is_tls_error(ec) ? "TLS handshake with " + u.origin() + " failed: " +
                                                                     reach.tls_failure().message()
                                                               : "cannot connect to " + u.origin() + ": " + ec.message());
                return std::nullopt;
            }
        }
        p.url_ = u;
    }
    return p;
}

bool publisher::publish(const publish_request& e, std::string& error) const {
    if (!command_.empty()) {
        auto child = child_process::start(command_, {{"SSE_TYPE", e.type}, {"SSE_TOPIC", "conformance"}},
                                          error);
        if (!child) return false;
        const auto deadline = child_process::clock::now() + timeout_;
        child->write(e.data, deadline);
        auto r = child->wait(deadline);
        if (r.timed_out || r.exit_code != 0) {
            error = "--publish-cmd " + std::string(r.timed_out ? "timed out" : "failed") +
                    " (exit " + std::to_string(r.exit_code) + "): " + r.err.substr(0, 200);
            return false;
        }
        return true;
    }
    http_probe probe(settings_);
    if (auto ec = probe.connect(*url_)) {
        error = "--publish: cannot connect to " + url_->origin() + ": " +
                (net::is_tls_error(ec) ? probe.tls_failure().message() : ec.message());
        return false;
    }
    http_request r{"POST", headers_, substitute(query_, e)};
    if (!net::find_header(r.headers, "accept")) r.headers.emplace_back("Accept", "*/*");
    if (!net::find_header(r.headers, "content-type"))
        r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    response_head head;
    if (auto ec = probe.send(http_probe::serialize(*url_, r))) {
        // A server may answer (413, 401) before the body is all sent and close: its answer says
        // more than the broken pipe, when it is still there to read.
        if (!probe.read_head(head) && head.status != 0) {
            std::string body_text;
            probe.read_body(body_text, std::chrono::milliseconds(200));
            while (!body_text.empty() && (body_text.back() == '\n' || body_text.back() == '\r')) body_text.pop_back();
            error = "--publish: " + url_->str() + " answered " + std::to_string(head.status) + " " +
                    body_text.substr(0, 200) + " before the request was sent whole (" + ec.message() + ")";
        } else {
            error = "--publish: " + ec.message();
        }
        return false;
    }
    if (auto ec = probe.read_head(head)) {
        error = "--publish: no answer from " + url_->str() + ": " + ec.message();
        return false;
    }
    if (head.status < 200 || head.status > 299) {
        std::string body_text;
        probe.read_body(body_text, std::chrono::milliseconds(200));
        error = "--publish: " + url_->str() + " answered " + std::to_string(head.status) + " " +
                body_text.substr(0, 200);
        return false;
    }
    return true;
}

std::string publisher::describe() const {
    if (!command_.empty()) return "command: " + command_;
    return "POST " + url_->str() + " (form: " + query_ + ")";
}

}  // namespace sse::conformance
