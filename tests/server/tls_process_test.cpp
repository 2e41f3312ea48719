// sse-server as a process with --tls-cert: SIGHUP reloads the certificate without dropping open
// streams (and keeps the old one when the new files are bad), both listeners at once, and startup
// errors that exit 2 with a message saying what is wrong and what to do.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "server_process.hpp"
#include "test_client.hpp"

namespace {

using namespace sse::test;
namespace fs = std::filesystem;

std::string tls_file(const std::string& name) { return std::string(SSE_TEST_TLS_DIR) + "/" + name; }

tls_options trusted() {
    tls_options t;
    t.ca_file = tls_file("ca.pem");
    return t;
}

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("sse-tls-process-" + std::to_string(getpid()));
    fs::create_directories(dir);
    return dir / name;
}

// Publishes over https without verifying the certificate (the reload test swaps in one for another
// name).
void publish(std::uint16_t port, const std::string& data) {
    const auto r = https_request(port, tls_options{}, "POST", "/publish",
                                 {{"Content-Type", "application/x-www-form-urlencoded"}},
                                 "topic=t&data=" + data);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
}

TEST(tls_process_test, sighup_reloads_the_certificate_and_keeps_open_streams) {
    const std::string cert = scratch("reload.pem").string(), key = scratch("reload.key").string();
    fs::copy_file(tls_file("server-chain.pem"), cert, fs::copy_options::overwrite_existing);
    fs::copy_file(tls_file("server.key"), key, fs::copy_options::overwrite_existing);
    server_process p({"--port", "0", "--threads", "2", "--tls-cert", cert, "--tls-key", key});
    ASSERT_TRUE(p.running());
    const std::uint16_t port = p.wait_port(std::chrono::seconds(20), "https");
    ASSERT_NE(port, 0) << p.log();
    EXPECT_NE(p.log().find("sha256=" + pem_sha256(tls_file("server.pem"))), std::string::npos)
        << p.log();

    event_stream before;
    before.use_tls(trusted());
    ASSERT_TRUE(before.open(port, "/events?topic=t"));
    publish(port, "one");
    ASSERT_TRUE(before.wait_events(1));

    // A renewed certificate (here: another one from the same CA) in the same files, then SIGHUP.
    fs::copy_file(tls_file("wrongname.pem"), cert, fs::copy_options::overwrite_existing);
    fs::copy_file(tls_file("wrongname.key"), key, fs::copy_options::overwrite_existing);
    std::size_t mark = p.log().size();
    p.signal(SIGHUP);
    ASSERT_TRUE(p.wait_log("msg=\"tls certificate reloaded\"", mark)) << p.log();
    tls_options any;  // no verification: the fingerprint is what is compared
    EXPECT_EQ(tls_probe(port, any).peer_sha256, pem_sha256(tls_file("wrongname.pem")));
    publish(port, "two");
    ASSERT_TRUE(before.wait_events(2));
    EXPECT_EQ(before.events()[1].data, "two");

    // A bad file: the error is logged, the certificate and the stream stay.
    std::ofstream(key, std::ios::trunc) << "garbage\n";
    mark = p.log().size();
    p.signal(SIGHUP);
    ASSERT_TRUE(p.wait_log("msg=\"tls reload failed\"", mark)) << p.log();
    EXPECT_NE(p.log().find("no usable PEM private key in '" + key + "'", mark), std::string::npos)
        << p.log();
    EXPECT_NE(p.log().find("the previous certificate stays in use", mark), std::string::npos);
    EXPECT_EQ(tls_probe(port, any).peer_sha256, pem_sha256(tls_file("wrongname.pem")));
    publish(port, "three");
    ASSERT_TRUE(before.wait_events(3));
    EXPECT_EQ(before.events()[2].data, "three");

    const auto code = p.stop(SIGTERM);
    ASSERT_TRUE(code) << p.log();
    EXPECT_EQ(*code, 0);
    EXPECT_TRUE(before.wait_closed());
    EXPECT_TRUE(before.tls_closed_cleanly());
    fs::remove_all(scratch("").parent_path());
}

TEST(tls_process_test, tls_port_adds_https_next_to_plain_http) {
    server_process p({"--port", "0", "--tls-port", "0", "--threads", "1", "--tls-cert",
                      tls_file("server-chain.pem"), "--tls-key", tls_file("server.key")});
    const std::uint16_t plain = p.wait_port();
    const std::uint16_t secure = p.wait_port(std::chrono::seconds(20), "https");
    ASSERT_NE(plain, 0) << p.log();
    ASSERT_NE(secure, 0) << p.log();
    EXPECT_NE(plain, secure);
    const auto a = http_request(plain, "GET", "/healthz");
    const auto b = https_request(secure, trusted(), "GET", "/healthz");
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    EXPECT_EQ(a->body, "ok\n");
    EXPECT_EQ(b->body, "ok\n");
    const auto code = p.stop(SIGINT);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
}

TEST(tls_process_test, bad_tls_setups_exit_2_saying_what_to_do) {
    struct bad_case {
        std::vector<std::string> args;
        std::vector<std::string> said;
    };
    const std::string garbage = scratch("garbage.key").string();
    std::ofstream(garbage) << "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n";
    const std::vector<bad_case> cases = {
        {{"--tls-cert", "/nonexistent/cert.pem", "--tls-key", tls_file("server.key")},
         {"cannot read the TLS certificate file '/nonexistent/cert.pem': No such file or directory",
          "check the path given to --tls-cert"}},
        {{"--tls-cert", tls_file("server.pem"), "--tls-key", tls_file("wrongname.key")},
         {"does not match the certificate in", "give the key the certificate was issued for"}},
        {{"--tls-cert", tls_file("server.pem"), "--tls-key", garbage},
         {"no usable PEM private key in '" + garbage + "'", "--tls-key takes"}},
        {{"--tls-cert", tls_file("server.pem")}, {"--tls-cert needs --tls-key"}},
        {{"--tls-port", "8443"}, {"--tls-port needs --tls-cert and --tls-key"}},
    };
    for (const bad_case& b : cases) {
        std::vector<std::string> args = {"--port", "0"};
        args.insert(args.end(), b.args.begin(), b.args.end());
        server_process p(args);
        ASSERT_TRUE(p.running());
        const auto code = p.stop(0);
        ASSERT_TRUE(code) << p.log();
        EXPECT_EQ(*code, 2) << p.log();
        for (const std::string& s : b.said) EXPECT_NE(p.log().find(s), std::string::npos) << p.log();
        EXPECT_EQ(p.log().find("msg=listening"), std::string::npos) << p.log();
    }
    // Quiet logs still say why.
    server_process quiet({"--port", "0", "--log-level", "off", "--tls-cert", tls_file("server.pem"),
                          "--tls-key", tls_file("wrongname.key")});
    const auto code = quiet.stop(0);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 2);
    EXPECT_NE(quiet.log().find("the TLS private key does not match the certificate"),
              std::string::npos)
        << quiet.log();
    fs::remove_all(scratch("").parent_path());
}

}  // namespace
