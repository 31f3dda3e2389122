#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "core/errors.hpp"
#include "http/http_client.hpp"

using namespace impayes;

namespace {

// A loopback port nothing listens on: bind to port 0, read it, close.
int closed_loopback_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

HttpOptions quick_options() {
    HttpOptions o;
    o.connect_timeout_ms = 5000;
    o.request_timeout_ms = 10000;
    o.headers = {"X-Parse-Application-Id: app", "X-Parse-Master-Key: secret"};
    return o;
}

}  // namespace

TEST(UrlEncode, JsonQuery) {
    EXPECT_EQ(url_encode(R"({"objectId":{"$gt":"x"}})"),
              "%7B%22objectId%22%3A%7B%22%24gt%22%3A%22x%22%7D%7D");
}

TEST(UrlEncode, UnreservedKeptEverythingElseEncoded) {
    EXPECT_EQ(url_encode("AZaz09-_.~"), "AZaz09-_.~");
    EXPECT_EQ(url_encode("a b+c&d=e/f?g#h%"), "a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25");
    EXPECT_EQ(url_encode("é"), "%C3%A9");
    EXPECT_EQ(url_encode(std::string("\0\xff", 2)), "%00%FF");
    EXPECT_EQ(url_encode(""), "");
}

TEST(DescribeUrl, DropsQueryString) {
    EXPECT_EQ(describe_url("http://host/parse/classes/X?limit=1"), "http://host/parse/classes/X");
    EXPECT_EQ(describe_url("http://h:1337/parse/classes/X?where=%7B%7D&keys=a"),
              "http://h:1337/parse/classes/X");
    EXPECT_EQ(describe_url("http://h/parse/schemas/X"), "http://h/parse/schemas/X");
    EXPECT_EQ(describe_url("http://h/p?"), "http://h/p");
}

TEST(HttpResponse, Ok) {
    HttpResponse r;
    EXPECT_FALSE(r.ok());
    r.status = 200;
    EXPECT_TRUE(r.ok());
    r.status = 299;
    EXPECT_TRUE(r.ok());
    r.status = 300;
    EXPECT_FALSE(r.ok());
    r.status = 201;
    r.error = "x";
    EXPECT_FALSE(r.ok());
}

TEST(HttpClient, ClosedLoopbackPortGivesTransportError) {
    const int port = closed_loopback_port();
    ASSERT_GT(port, 0);
    HttpClient http(quick_options(), [] { return false; });
    HttpRequest req{"GET", "http://127.0.0.1:" + std::to_string(port) + "/parse/schemas/C", ""};
    HttpResponse r = http.perform(req);
    EXPECT_EQ(r.status, 0);
    EXPECT_FALSE(r.error.empty());
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.sent);
    EXPECT_FALSE(r.timed_out);
    // The error names no header (the master key must not leak).
    EXPECT_EQ(r.error.find("secret"), std::string::npos) << r.error;
    EXPECT_EQ(http.stats().requests, 1);
}

TEST(HttpClient, ClosedPortWithBodyAndRun) {
    const int port = closed_loopback_port();
    ASSERT_GT(port, 0);
    HttpClient http(quick_options(), [] { return false; });
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/parse/batch";
    size_t given = 0, answered = 0;
    bool seen[3] = {false, false, false};
    http.run(
        [&](HttpRequest &r) {
            if (given == 3) return false;
            r = HttpRequest{given == 1 ? "PUT" : "POST", url, "{\"requests\":[]}"};
            ++given;
            return true;
        },
        [&](size_t index, HttpResponse &&resp) {
            ASSERT_LT(index, 3u);
            EXPECT_FALSE(seen[index]) << "index " << index << " answered twice";
            seen[index] = true;
            ++answered;
            EXPECT_EQ(resp.status, 0);
            EXPECT_FALSE(resp.error.empty());
            EXPECT_FALSE(resp.sent);
        },
        2);
    EXPECT_EQ(answered, 3u);
    EXPECT_EQ(http.stats().requests, 3);
    EXPECT_EQ(http.stats().bytes_sent, long(3 * std::string("{\"requests\":[]}").size()));
}

TEST(HttpClient, ShouldAbortThrowsInterrupted) {
    const int port = closed_loopback_port();
    ASSERT_GT(port, 0);
    int polled = 0;
    HttpClient http(quick_options(), [&] {
        ++polled;
        return true;
    });
    HttpRequest req{"GET", "http://127.0.0.1:" + std::to_string(port) + "/", ""};
    EXPECT_THROW(http.perform(req), Interrupted);
    EXPECT_GT(polled, 0);
    EXPECT_THROW(http.pause(1000), Interrupted);
}

TEST(HttpClient, EmptyShouldAbortMeansNeverAbort) {
    const int port = closed_loopback_port();
    ASSERT_GT(port, 0);
    HttpClient http(quick_options(), nullptr);
    HttpRequest req{"GET", "http://127.0.0.1:" + std::to_string(port) + "/", ""};
    HttpResponse r;
    EXPECT_NO_THROW(r = http.perform(req));
    EXPECT_EQ(r.status, 0);
    EXPECT_FALSE(r.error.empty());
}

TEST(HttpClient, RunWithNothingToDoReturns) {
    HttpClient http(quick_options(), [] { return false; });
    int done_calls = 0;
    http.run([](HttpRequest &) { return false; }, [&](size_t, HttpResponse &&) { ++done_calls; },
             4);
    EXPECT_EQ(done_calls, 0);
    EXPECT_EQ(http.stats().requests, 0);
}
