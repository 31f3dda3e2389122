#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

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

// A one-connection HTTP server on a loopback port: reads the request head,
// answers 200 with `body_bytes` bytes of JSON-ish filler (announced in
// Content-Length or not), then closes. Stops sending when the client
// hangs up.
class OneShotServer {
public:
    OneShotServer(size_t body_bytes, bool content_length)
        : body_bytes_(body_bytes), content_length_(content_length) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        EXPECT_GE(fd_, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
        EXPECT_EQ(listen(fd_, 1), 0);
        socklen_t len = sizeof addr;
        EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len), 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~OneShotServer() {
        if (thread_.joinable()) thread_.join();
        close(fd_);
    }
    // The request head the server read, once it has answered.
    const std::string &received() {
        if (thread_.joinable()) thread_.join();
        return head_;
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/parse/x"; }
    size_t sent() const { return sent_; }

private:
    void serve() {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        while (head_.find("\r\n\r\n") == std::string::npos) {
            ssize_t n = recv(c, buf, sizeof buf, 0);
            if (n <= 0) break;
            head_.append(buf, size_t(n));
        }
        std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
        answer += content_length_ ? "Content-Length: " + std::to_string(body_bytes_) + "\r\n"
                                  : std::string("Connection: close\r\n");
        answer += "\r\n";
        bool alive = send(c, answer.data(), answer.size(), MSG_NOSIGNAL) > 0;
        const std::string chunk(16384, ' ');
        while (alive && sent_ < body_bytes_) {
            size_t n = std::min(chunk.size(), body_bytes_ - sent_);
            ssize_t w = send(c, chunk.data(), n, MSG_NOSIGNAL);
            if (w <= 0) break;
            sent_ += size_t(w);
        }
        close(c);
    }

    size_t body_bytes_;
    bool content_length_;
    int fd_ = -1;
    int port_ = 0;
    size_t sent_ = 0;
    std::string head_;
    std::thread thread_;
};

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

// impayes_sync.max_response_bytes: a longer answer stops the transfer with
// an error naming the setting, marked permanent (never retried).
void expect_too_large(const HttpResponse &r, size_t cap) {
    EXPECT_TRUE(r.too_large);
    EXPECT_TRUE(r.permanent);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(r.body.empty());
    EXPECT_NE(r.error.find("impayes_sync.max_response_bytes"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find(std::to_string(cap)), std::string::npos) << r.error;
}

TEST(HttpClient, AnnouncedAnswerOverTheCapIsRefused) {
    HttpOptions o = quick_options();
    o.max_response_bytes = 64 * 1024;
    HttpClient http(o, [] { return false; });
    OneShotServer server(10 * 1024 * 1024, true);
    HttpResponse r = http.perform(HttpRequest{"GET", server.url(), ""});
    expect_too_large(r, o.max_response_bytes);
    EXPECT_LE(http.stats().bytes_received, long(o.max_response_bytes));
}

TEST(HttpClient, StreamedAnswerOverTheCapIsStopped) {
    HttpOptions o = quick_options();
    o.max_response_bytes = 64 * 1024;
    HttpClient http(o, [] { return false; });
    // No Content-Length: only the write callback can tell. The server
    // would send 256 MB; it is cut off long before.
    OneShotServer server(256 * 1024 * 1024, false);
    HttpResponse r = http.perform(HttpRequest{"POST", server.url(), "{}"});
    expect_too_large(r, o.max_response_bytes);
    EXPECT_LE(http.stats().bytes_received, long(o.max_response_bytes));
}

TEST(HttpClient, AnswerAtTheCapIsKept) {
    HttpOptions o = quick_options();
    o.max_response_bytes = 64 * 1024;
    HttpClient http(o, [] { return false; });
    OneShotServer server(o.max_response_bytes, false);
    HttpResponse r = http.perform(HttpRequest{"GET", server.url(), ""});
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_FALSE(r.too_large);
    EXPECT_EQ(r.body.size(), o.max_response_bytes);
}

// HttpRequest::omit_headers: one request goes without some of the client's
// headers (the master key, for the masterKeyIps probe); the others keep them.
TEST(HttpClient, OmitHeadersDropsThemFromOneRequest) {
    HttpClient http(quick_options(), [] { return false; });
    {
        OneShotServer server(2, true);
        HttpRequest req{"GET", server.url(), ""};
        req.omit_headers = {"x-parse-master-key"};  // any case
        EXPECT_TRUE(http.perform(req).ok());
        const std::string &head = server.received();
        EXPECT_EQ(head.find("X-Parse-Master-Key"), std::string::npos) << head;
        EXPECT_EQ(head.find("secret"), std::string::npos) << head;
        EXPECT_NE(head.find("X-Parse-Application-Id: app\r\n"), std::string::npos) << head;
    }
    {
        OneShotServer server(2, true);
        EXPECT_TRUE(http.perform(HttpRequest{"GET", server.url(), ""}).ok());
        const std::string &head = server.received();
        EXPECT_NE(head.find("X-Parse-Master-Key: secret\r\n"), std::string::npos) << head;
        EXPECT_NE(head.find("X-Parse-Application-Id: app\r\n"), std::string::npos) << head;
    }
}
