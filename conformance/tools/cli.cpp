#include "cli.hpp"

#include "request_cli.hpp"
#include "resume_check.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace sse::conformance {

namespace {

bool parse_u64(std::string_view s, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

}  // namespace

command_line parse_command_line(int argc, const char* const* argv, int own_from) {
    command_line cl;
    std::vector<std::string> args(argv + 1, argv + argc);
    auto fail = [&](std::string msg) {
        if (cl.error.empty()) cl.error = std::move(msg);
    };
    std::vector<std::string> positional;
    std::vector<std::string> server_only;  // options given that only server mode takes
    bool own = false;  // past own_from: a comparison target's own options
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::size_t first = i;
        if (!own && own_from > 0 && i + 1 >= static_cast<std::size_t>(own_from)) {
            own = true;
            cl.request.body_replaceable = cl.request.data_given;
            cl.request.cookie_replaceable = true;
        }
        bool for_run = true;  // kept in run_args (a comparison's per-target command line)
        std::string a = args[i];
        std::string value;
        bool inline_value = false;
        if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
            value = a.substr(a.find('=') + 1);
            a = a.substr(0, a.find('='));
            inline_value = true;
        } else if (a.size() > 2 && a[0] == '-' && std::string_view("HXdb").find(a[1]) != std::string_view::npos &&
                   !(positional.size() >= 1 && positional.front() == "client")) {
            value = a.substr(2);  // curl's attached form: -H'Name: value', -XPOST
            a = a.substr(0, 2);
            inline_value = true;
        }
        auto take = [&](std::string& dst) {
            if (inline_value) {
                dst = value;
                return true;
            }
            if (i + 1 >= args.size()) {
                fail(a + " needs a value");
                return false;
            }
            dst = args[++i];
            return true;
        };
        std::string v;
        const bool client_mode = !positional.empty() && positional.front() == "client";
        if (!client_mode && parse_request_option(a, take, cl.options.request, cl.request, fail)) {
            // kept in run_args: a comparison's targets send the common request options too
        } else if (a == "-h" || a == "--help") {
            cl.help = true;
        } else if (a == "--version") {
            cl.version = true;
        } else if (a == "--list") {
            cl.list = true;
        } else if (a == "--strict") {
            cl.options.strict = true;
        } else if (a == "-q" || a == "--quiet") {
            cl.options.verbosity = 0;
        } else if (a == "-v" || a == "--verbose") {
            cl.options.verbosity = 2;
        } else if (a == "--case") {
            if (take(v)) cl.include.push_back(v);
        } else if (a == "--skip") {
            if (take(v)) cl.exclude.push_back(v);
        } else if (a == "--seed") {
            if (take(v) && (!parse_u64(v, cl.options.seed) || cl.options.seed == 0))
                fail("--seed needs a positive integer (got '" + v + "')");
            cl.seed_given = true;
        } else if (a == "--max-success") {
            if (take(v) && (!parse_u64(v, cl.options.max_success) || cl.options.max_success == 0 ||
                            cl.options.max_success > 100000))
                fail("--max-success needs an integer from 1 to 100000 (got '" + v + "')");
        } else if (a == "--timeout") {
            if (take(v) && !parse_duration(v, cl.options.timeout))
                fail("--timeout needs a duration like 5000, 500ms or 10s, at most an hour (got '" + v + "')");
        } else if (a == "--json") {
            take(cl.json_file);
            for_run = false;
        } else if (a == "--junit") {
            take(cl.junit_file);
            for_run = false;
        } else if (a == "--html") {
            take(cl.html_file);
            for_run = false;
        } else if (a == "--both") {
            cl.both = true;
            for_run = false;
        } else if (a == "--targets") {
            take(cl.targets_file);
            for_run = false;
        } else if (a == "--expect") {
            take(cl.expect_file);
        } else if (a == "--publish") {
            take(cl.options.publish_url);
        } else if (a == "--publish-cmd") {
            take(cl.options.publish_cmd);
        } else if (a == "--truncation-event") {
            if (take(cl.options.truncation_event) && cl.options.truncation_event.empty())
                fail("--truncation-event needs an event type (e.g. sse-history-truncated)");
        } else if (a == "--head-timeout-warn") {
            if (take(v) && !parse_duration(v, cl.options.head_warn))
                fail("--head-timeout-warn needs a duration like 1000, 500ms or 2s (got '" + v + "')");
            server_only.push_back(a);
        } else if (a == "--soak") {
            if (take(v) && !parse_duration(v, cl.options.soak))
                fail("--soak needs a duration like 130s, at most an hour (got '" + v + "')");
            server_only.push_back(a);
        } else if (a == "--heartbeat-max") {
            if (take(v) && (!parse_duration(v, cl.options.heartbeat_max) || cl.options.heartbeat_max.count() == 0))
                fail("--heartbeat-max needs a positive duration like 30s (got '" + v + "')");
            server_only.push_back(a);
        } else if (a == "--id-order") {
            if (take(cl.options.id_order) && !parse_id_order(cl.options.id_order))
                fail("--id-order needs auto, int, lexical or opaque (got '" + cl.options.id_order + "')");
        } else if (a == "--profile") {
            if (take(v)) {
                if (v.empty()) fail("--profile needs a profile name (--list shows them)");
                else if (std::find(cl.options.profiles.begin(), cl.options.profiles.end(), v) == cl.options.profiles.end())
                    cl.options.profiles.push_back(v);
            }
            server_only.push_back(a);
        } else if (a == "--cmd") {
            take(cl.options.parser_cmd);
        } else if (a.size() > 1 && a[0] == '-') {
            if (!positional.empty() && positional.front() == "client") {
                cl.options.mode_args.push_back(args[i]);  // the client mode parses its own options
            } else {
                fail("unknown option '" + a + "' (see --help)");
            }
        } else {
            positional.push_back(a);
            if (positional.size() > 1 && positional.front() == "client") cl.options.mode_args.push_back(a);
            for_run = positional.front() == "client";
        }
        if (for_run) cl.run_args.insert(cl.run_args.end(), args.begin() + static_cast<std::ptrdiff_t>(first),
                                        args.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    }
    if (!positional.empty()) {
        cl.mode = positional.front();
        if (cl.mode == "server") {
            cl.urls.assign(positional.begin() + 1, positional.end());
            if (cl.urls.empty() && cl.targets_file.empty())
                fail("server mode takes a URL: sse-conformance server http://HOST:PORT/PATH "
                     "(several URLs, or --targets FILE, compare servers)");
            else if (cl.urls.size() == 1 && cl.targets_file.empty()) cl.options.url = cl.urls.front();
            if (!cl.targets_file.empty() && !cl.urls.empty())
                fail("give the targets either as URLs or with --targets FILE, not both");
            if (cl.both && (cl.urls.size() != 1 || !cl.targets_file.empty()))
                fail("--both runs one URL over HTTP/1.1 and over HTTP/2: give one URL, no --targets");
            if (cl.both && cl.options.request.protocol != http_protocol::automatic)
                fail("--both chooses the protocols itself: leave out --http1.1, --http2 and --h2c");
            if (is_comparison(cl) && !cl.both && !cl.expect_file.empty())
                fail("--expect is per target in a comparison: put expect=FILE on the target's line of --targets FILE");
        } else if (cl.mode == "parser") {
            if (positional.size() != 1) fail("parser mode takes no positional argument: use --cmd 'COMMAND'");
            if (cl.options.parser_cmd.empty() && !cl.list) fail("parser mode needs --cmd 'COMMAND' (e.g. --cmd 'sse-parse')");
        } else if (cl.mode != "client") {
            fail("unknown mode '" + cl.mode + "': use server, parser or client (or nothing for the embedded server)");
        }
    }
    if (cl.both && cl.mode != "server") fail("--both is for server mode: sse-conformance server URL --both");
    if (!cl.targets_file.empty() && cl.mode != "server")
        fail("--targets is for server mode: sse-conformance server --targets FILE");
    if (cl.mode != "parser" && !cl.options.parser_cmd.empty()) fail("--cmd is for parser mode: sse-conformance parser --cmd 'COMMAND'");
    if ((!cl.options.publish_url.empty() || !cl.options.publish_cmd.empty()) && cl.mode != "server")
        fail("--publish and --publish-cmd are for server mode (the embedded server publishes by itself)");
    if (!cl.options.truncation_event.empty() && cl.mode != "server" && !cl.mode.empty())
        fail("--truncation-event is for server mode: sse-conformance server URL --truncation-event TYPE");
    if (!server_only.empty() && cl.mode != "server" && !cl.mode.empty())
        fail(server_only.front() + " is for server mode (and the embedded default)");
    if (!cl.options.id_order.empty() && cl.mode != "server" && !cl.mode.empty())
        fail("--id-order is for server mode: sse-conformance server URL --id-order int|lexical|opaque");
    if (cl.request.any && cl.mode != "server")
        fail("the request options (-H, -X, -d, -b, -k, --cacert, -L, the timeouts, --publish-header) are for "
             "server mode: sse-conformance server URL -H 'Name: value' ...");
    finish_request_options(cl.options.request, cl.request);
    return cl;
}

std::string usage(const std::string& modes_help) {
    return R"(sse-conformance: does this Server-Sent Events server, client or parser follow the spec?

usage:
  sse-conformance [OPTIONS]                        run the server suite against an embedded sse-server
  sse-conformance server URL [OPTIONS]             test the SSE server streaming at URL (http:// or https://)
  sse-conformance server URL1 URL2 ... [OPTIONS]   compare servers: the same cases (same seed) against each
  sse-conformance server --targets FILE [OPTIONS]  compare the servers listed in FILE
  sse-conformance parser --cmd 'CMD' [OPTIONS]     test a parser: CMD reads a stream on stdin and prints
                                                   sse-parse's JSON lines
  sse-conformance client ... [OPTIONS]             test a client through an adapter (conformance/ADAPTERS.md)

modes' own options:
)" + modes_help + R"(
)" + request_options_help() + R"(
server mode, active cases (any server):
  --publish TEMPLATE   publish with POST: the URL's query, {data} {type} {topic} substituted
                       (percent-encoded), is sent as a form body (with --publish-header headers,
                       over TLS for https:// with -k/--cacert as above); e.g. for sse-server:
                       --publish 'http://127.0.0.1:8080/publish?topic=news&data={data}&type={type}'
  --publish-cmd CMD    publish by running CMD (sh -c): data on stdin, SSE_TYPE and SSE_TOPIC set
  A server offering ssekit's conformance routes (GET /conformance/) gets its active cases without them.
  --truncation-event TYPE
                       the event type the server sends when a Last-Event-ID resume cannot be
                       complete (server/resume/1 accepts it instead of the missed events);
                       default: any type containing "truncat", e.g. sse-server's sse-history-truncated

server mode, protocol profiles:
  --profile NAME       add the cases of a protocol built on SSE (repeatable); their ids start
                       with NAME/. --list shows every profile's cases. With --case 'NAME/*' only
                       the profile runs (for an endpoint that is not a plain GET stream)
                       openai-chat, openai-responses, anthropic: one answer to the request as
                       given (-d, -H) is read to its end, within --timeout, and graded
                       mcp: the URL is the MCP endpoint; each case opens its own session; -d is
                       the JSON-RPC request whose answer the stream cases read (default: ping),
                       executed 3 times (a tools/call with side effects runs 3 times)
                       graphql-sse: -d is the operation (default: {"query":"{ __typename }"}),
                       executed once per case, 5 times (so is a mutation's side effect)
                       mercure: the URL is the hub's subscription (...?topic=T); the resume
                       cases publish with --publish and --publish-header (a publisher JWT);
                       mercure/heartbeat/1 runs with --soak (40s unless --heartbeat-max)

server mode, both protocols:
  --both               run the suite over HTTP/1.1 and over HTTP/2 (h2 by ALPN for https://, h2c
                       prior knowledge for http://) and report them side by side, as a comparison
                       of two targets named http1.1 and h2 (JSON "mode":"compare", a JUnit
                       testsuite per protocol); --expect FILE applies to both. Exit status: the
                       worse protocol's

server mode, comparing servers (one report, a column per target):
  --targets FILE       one target per line: NAME URL [OPTIONS...], the options as shell words
                       (request options, --publish ..., --profile ...) and expect=FILE for that
                       target's known deviations; a word starting with # starts a comment, and
                       any other word that is not an option or its value is an error. A target's
                       option replaces the common one (-d/--data-file the body, -b all the
                       common cookies, -X, --timeout, --publish, ...); its -H, --header-file and
                       --publish-header replace a common header of the same name and add the
                       others; its --case, --skip and --profile add to the common ones.
                       Bare URLs are named by their position (t1, t2, ...). --json, --junit and
                       --html write the comparison (JSON "mode":"compare", one JUnit testsuite
                       per target); the terminal shows each target's progress, then a table of
                       every case by target. A target that cannot be reached is a column of
                       "unreachable" (exit 2 after the report).

server mode, timing:
  --head-timeout-warn D
                       a response head later than D with nothing published is a warning
                       (server/flush/1: a buffering proxy or an unflushed response; default 1s)
  --soak D             keep an idle stream open for D (e.g. 130s) and grade its keep-alive
                       (server/heartbeat/2, and mercure/heartbeat/1 with --profile mercure;
                       without --soak they are skipped and server/heartbeat/1 only reports the
                       comments of a short idle stream)
  --heartbeat-max D    server/heartbeat/2: the longest silence accepted (default 30s: common
                       proxies and load balancers cut idle streams at 60s); mercure/heartbeat/1
                       accepts 40s (the Mercure hub's default), or D when D is not 30s
  Timings (head, first body byte, publish-to-arrival p50/p99) are in --json as each case's metrics.

server mode, resume without a hook (server/resume/3, server/resume/4):
  --id-order ORDER     how the stream's ids are ordered: auto (default: consecutive integers are
                       recognised, anything else is opaque), int (one more per event: a jump is
                       a gap), lexical (increasing in byte order: timestamps, ULIDs), opaque (only
                       an id received again is graded; the rest is reported)

options:
  --list               list the cases (of the mode given, else all) and exit
  --case GLOB          run only cases whose id matches (repeatable; * and ? wildcards)
  --skip GLOB          leave out matching cases (repeatable)
  --seed N             RapidCheck seed (default: random, printed; reruns reproduce with it)
  --max-success N      generated cases per property (default 25)
  --timeout D          the per-case bound: every wait in a case, e.g. 5000 (ms), 500ms, 10s
                       (default 5s)
  --strict             SHOULD cases fail instead of warning
  --json FILE          write the results as JSON
  --junit FILE         write JUnit XML (for CI systems)
  --html FILE          write a self-contained HTML report
  --expect FILE        known deviations as data: JSON {"cases": {ID-or-GLOB: {"outcome", "reason"}}};
                       the run passes when outcomes match them (README "Known deviations")
  -q, --quiet          no progress, only the summary
  -v, --verbose        every case's result and more raw bytes
  -h, --help           this text;  --version

examples:
  # an LLM-style streaming API: POST, a bearer token from a file, a JSON body
  sse-conformance server https://api.example.com/v1/chat/completions \
      --header-file secrets.txt -d '{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}' \
      --first-byte-timeout 30s --timeout 60s
  # a Mercure hub: a subscriber JWT, a publisher JWT for the active cases
  sse-conformance server 'https://hub.example.com/.well-known/mercure?topic=conformance' \
      -H 'Authorization: Bearer SUBSCRIBER_JWT' \
      --publish 'https://hub.example.com/.well-known/mercure?topic={topic}&data={data}&type={type}' \
      --publish-header 'Authorization: Bearer PUBLISHER_JWT'
  # a server on a private CA, redirects followed
  sse-conformance server https://sse.internal:8443/events --cacert ca.pem -L

Progress goes to stderr, the report to stdout. Exit status: 0 every MUST case passed (or every
outcome matched --expect), 1 a MUST case failed (or an outcome differed from --expect),
2 usage error, or the target could not be reached (a TLS failure names its cause). Comparing
servers, the status is the worst target's: 2 names each unreachable target.
)";
}

}  // namespace sse::conformance
