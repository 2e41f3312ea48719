#include "request_cli.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "redactor.hpp"
#include "sse/net/header.hpp"

namespace sse::conformance {

namespace {

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    return static_cast<bool>(in) || in.eof();
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

}  // namespace

bool parse_duration(std::string_view s, std::chrono::milliseconds& out) {
    std::uint64_t n = 0;
    std::uint64_t scale = 1;
    if (s.size() > 2 && s.substr(s.size() - 2) == "ms") {
        s.remove_suffix(2);
    } else if (s.size() > 1 && s.back() == 's') {
        s.remove_suffix(1);
        scale = 1000;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty() || n == 0 || n > 3'600'000 / scale) return false;
    out = std::chrono::milliseconds(n * scale);
    return true;
}

std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") ==
                          std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

bool parse_request_option(const std::string& a, const std::function<bool(std::string&)>& take,
                          request_options& r, request_args& args, const std::function<void(std::string)>& fail) {
    std::string v;
    auto bad = [&](std::string why) {  // reported; the option was still one of ours
        fail(std::move(why));
        return true;
    };
    auto header = [&](const std::string& flag, std::vector<std::pair<std::string, std::string>>& into) {
        std::pair<std::string, std::string> h;
        std::string why;
        if (!net::parse_header_line(v, h, why)) return fail(flag + ": " + why);
        into.push_back(std::move(h));
    };
    auto duration = [&](std::chrono::milliseconds& d) {
        if (take(v) && !parse_duration(v, d))
            fail(a + " needs a duration like 5000, 500ms or 10s, at most an hour (got '" + v + "')");
    };
    if (a == "-H" || a == "--header") {
        if (!take(v)) return true;
        if (!v.empty() && v.front() == '@') return bad(a + " @FILE: use --header-file FILE");
        const auto before = r.headers.size();
        header(a, r.headers);
        if (r.headers.size() > before) args.inline_header.push_back(true);
    } else if (a == "--header-file") {
        if (!take(v)) return true;
        std::string text;
        if (!read_file(v, text)) return bad("--header-file: cannot read '" + v + "'");
        args.header_files.push_back(v);
        std::istringstream lines(text);
        std::string line;
        for (int n = 1; std::getline(lines, line); ++n) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.find_first_not_of(" \t") == std::string::npos || line.front() == '#') continue;
            std::pair<std::string, std::string> h;
            std::string why;
            if (!net::parse_header_line(line, h, why)) return bad("--header-file " + v + " line " + std::to_string(n) + ": " + why);
            r.headers.push_back(std::move(h));
            args.inline_header.push_back(false);
        }
    } else if (a == "-X" || a == "--method") {
        if (!take(v)) return true;
        if (!net::is_token(v)) return bad(a + " needs an HTTP method (a token such as POST), got '" + v + "'");
        r.method = v;
        args.method_given = true;
    } else if (a == "-d" || a == "--data" || a == "--data-file") {
        if (!take(v)) return true;
        if (args.data_given && !args.body_replaceable) return bad("the body is given twice (-d, --data-file): give it once");
        if (args.body_replaceable) {  // a comparison target's own body, over the common one
            r.body.clear();
            args.data_file.clear();
            args.body_replaceable = false;
        }
        args.data_given = true;
        if (a == "--data-file" || (!v.empty() && v.front() == '@')) {
            const std::string path = a == "--data-file" ? v : v.substr(1);
            if (!read_file(path, r.body)) return bad(a + ": cannot read '" + path + "'");
            args.data_file = path;
        } else {
            r.body = v;
        }
    } else if (a == "-b" || a == "--cookie") {
        if (!take(v)) return true;
        if (v.find('=') == std::string::npos)
            return bad(a + " needs 'name=value' (cookie files are not read)");
        if (!net::is_field_value(v)) return bad(a + ": the cookie contains CR, LF or NUL");
        if (args.cookie_replaceable) {  // a comparison target's own cookies, instead of the common ones
            r.cookie.clear();
            args.cookie_replaceable = false;
        }
        if (!r.cookie.empty()) r.cookie += "; ";
        r.cookie += v;
    } else if (a == "-k" || a == "--insecure") {
        r.insecure = true;
    } else if (a == "--cacert") {
        if (take(v)) r.ca_file = v;
    } else if (a == "-L" || a == "--location") {
        r.follow_redirects = true;
    } else if (a == "--max-redirs") {
        std::size_t n = 0;
        if (take(v)) {
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc{} || p != v.data() + v.size() || v.empty() || n > 1000)
                fail("--max-redirs needs a number from 0 to 1000 (got '" + v + "')");
            r.max_redirects = n;
        }
    } else if (a == "--connect-timeout") {
        duration(r.connect_timeout);
    } else if (a == "--first-byte-timeout") {
        duration(r.first_byte_timeout);
    } else if (a == "--idle-timeout") {
        duration(r.idle_timeout);
    } else if (a == "--http1.1" || a == "--http2" || a == "--h2c") {
        r.protocol = a == "--http1.1" ? http_protocol::http1_1 : a == "--http2" ? http_protocol::http2 : http_protocol::h2c;
    } else if (a == "--publish-header") {
        if (take(v)) header(a, r.publish_headers);
    } else {
        return false;
    }
    args.any = true;
    return true;
}

void finish_request_options(request_options& r, const request_args& args) {
    if (args.data_given && !args.method_given) r.method = "POST";
    if (args.data_given && !net::find_header(r.headers, "content-type"))
        r.content_type = nlohmann::json::accept(r.body) ? "application/json" : "application/x-www-form-urlencoded";
}

std::string request_repro(const request_options& r, const request_args& args) {
    std::string p;
    auto header = [&](const char* flag, const std::pair<std::string, std::string>& h) {
        p += std::string(" ") + flag + " " + shell_quote(h.first + ": " + redactor::mask(h.first, h.second));
    };
    if (args.method_given) p += " -X " + shell_quote(r.method);
    for (std::size_t i = 0; i < args.inline_header.size() && i < r.headers.size(); ++i)
        if (args.inline_header[i]) header("-H", r.headers[i]);
    for (const auto& f : args.header_files) p += " --header-file " + shell_quote(f);
    if (args.data_given) p += args.data_file.empty() ? " -d " + shell_quote(r.body) : " --data-file " + shell_quote(args.data_file);
    if (!r.cookie.empty()) p += " -b " + shell_quote(redactor::mask("cookie", r.cookie));
    if (r.protocol == http_protocol::http1_1) p += " --http1.1";
    if (r.protocol == http_protocol::http2) p += " --http2";
    if (r.protocol == http_protocol::h2c) p += " --h2c";
    if (r.insecure) p += " -k";
    if (!r.ca_file.empty()) p += " --cacert " + shell_quote(r.ca_file);
    if (r.follow_redirects) p += " -L";
    if (r.max_redirects != 20) p += " --max-redirs " + std::to_string(r.max_redirects);
    if (r.connect_timeout.count() > 0) p += " --connect-timeout " + ms(r.connect_timeout);
    if (r.first_byte_timeout.count() > 0) p += " --first-byte-timeout " + ms(r.first_byte_timeout);
    if (r.idle_timeout.count() > 0) p += " --idle-timeout " + ms(r.idle_timeout);
    for (const auto& h : r.publish_headers) header("--publish-header", h);
    return p;
}

const char* request_options_help() {
    return R"(server mode, the request (curl's names; every case that opens the stream sends the same
request, resume cases add Last-Event-ID):
  -H, --header 'Name: value'  a request header (repeatable)
  --header-file FILE   headers from FILE, one 'Name: value' per line ('#' comments), so secrets
                       stay out of shell history and CI logs
  -X, --method METHOD  the request method (default GET; POST when a body is given)
  -d, --data STRING    the request body; -d @FILE reads it from FILE (byte for byte)
  --data-file FILE     the same as -d @FILE
                       Content-Type defaults to application/json when the body parses as JSON,
                       else application/x-www-form-urlencoded; -H 'Content-Type: ...' sets it
  -b, --cookie 'name=value'  a cookie (repeatable; sent as one Cookie header)
  -L, --location       follow redirects (307/308 keep method and body; 303, and 301/302 of a POST,
                       become GET; credentials are not sent to another origin). Without -L a 3xx
                       is reported: server/status/1 fails with its Location
  --max-redirs N       redirects -L follows (default 20)
  --http1.1            HTTP/1.1 only (no ALPN offered)
  --http2              https:// only: offer only h2 by ALPN; the run stops (exit 2) unless the
                       server selects it
  --h2c                http:// only: HTTP/2 with prior knowledge (RFC 9113 3.3), no Upgrade
                       Default: https:// offers h2 and http/1.1 by ALPN and runs over whichever
                       the server selects; http:// is HTTP/1.1. The run header says which was
                       agreed. Over HTTP/2 every case runs on a stream of its own connection;
                       the HTTP/1.x-only cases (server/http10/1) are skipped, the server/h2/*
                       cases run (skipped over HTTP/1.1). A --publish URL of the same origin
                       uses the same protocol; another origin is asked over HTTP/1.1 (ALPN for
                       https://)
  -k, --insecure       https without verifying the certificate (the report says so)
  --cacert FILE        trust this CA (PEM) instead of the system's trust store
  --connect-timeout D  TCP connect + TLS handshake (default: --timeout)
  --first-byte-timeout D  request sent -> complete response head (default: --timeout); raise it for
                       an endpoint that thinks before it answers (an LLM)
  --idle-timeout D     the longest silence a read of an open stream waits (default: none but
                       --timeout)
  --publish-header 'Name: value'  a header for --publish requests (repeatable)
  Header and cookie values are secrets: every report (terminal, JSON, JUnit, HTML, the
  reproduction command, raw bytes) shows them redacted, e.g. 'Authorization: Bearer ***'.
  A TLS failure (unknown CA, name mismatch, expired, alert, ...) is one line and exit status 2.
)";
}

}  // namespace sse::conformance
