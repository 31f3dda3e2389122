// A small HTTP client over libcurl's multi interface: several requests in
// flight on kept-alive connections, explicit connect/total timeouts, and
// an abort check polled at least every 100 ms so that a query cancel
// stops any transfer quickly. No PostgreSQL headers: the abort check is
// a callback provided by src/pg.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/curl_handles.hpp"

namespace impayes {

struct HttpOptions {
    long connect_timeout_ms = 5000;
    long request_timeout_ms = 30000;
    std::string ca_file;  // empty: system CA store
    // Largest answer body kept (after decompression); a longer answer stops
    // the transfer, so a misbehaving endpoint cannot grow the backend.
    size_t max_response_bytes = 64 * 1024 * 1024;
    std::vector<std::string> headers;  // "Name: value"; may hold secrets
};

struct HttpRequest {
    std::string method;  // GET, POST, PUT, DELETE
    std::string url;
    std::string body;  // sent when not empty (JSON)
    // Names of HttpOptions::headers not sent with this request, e.g.
    // "X-Parse-Master-Key" to ask as an anonymous client.
    std::vector<std::string> omit_headers = {};
};

struct HttpResponse {
    long status = 0;  // 0 when no answer was received
    std::string body;
    std::string error;       // transport error, "" when an answer was received
    bool timed_out = false;  // connect or request timeout
    bool sent = false;       // the request may have reached the server
    bool permanent = false;  // a transport error that retrying cannot fix (TLS, protocol)
    bool too_large = false;  // the answer went over max_response_bytes (permanent too)
    std::string redirect;    // Location of a 3xx answer, which is never followed

    bool ok() const { return error.empty() && status >= 200 && status < 300; }
};

struct HttpStats {
    long requests = 0;
    long bytes_sent = 0;
    long bytes_received = 0;
};

class HttpClient {
public:
    HttpClient(HttpOptions opts, std::function<bool()> should_abort);
    // Virtual so that the engine's unit tests can stand a Parse Server
    // emulated in memory in its place (test/unit/fake_parse.hpp).
    virtual ~HttpClient();
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    // Runs requests with at most `parallel` in flight. next() fills the next
    // request and returns false when there is none; done() receives each
    // answer with the index of its request (in next() order). Throws
    // Interrupted when should_abort() turns true.
    virtual void run(const std::function<bool(HttpRequest &)> &next,
                     const std::function<void(size_t, HttpResponse &&)> &done, int parallel);

    virtual HttpResponse perform(const HttpRequest &req);

    // Waits ms milliseconds, still checking should_abort().
    virtual void pause(long ms);

    const HttpStats &stats() const { return stats_; }

private:
    struct Transfer;
    void start(Transfer &t, HttpRequest &&req);
    void finish(Transfer &t, CURLcode code, HttpResponse &out);
    void check_abort();
    // The client's headers less those named in omit, into list.
    void fill_headers(CurlSlist &list, const std::vector<std::string> &omit) const;

    HttpOptions opts_;
    std::function<bool()> should_abort_;
    CurlMulti multi_;
    CurlSlist headers_;
    HttpStats stats_;
};

// "http://host/parse/classes/X?limit=1" -> host and path only, with the
// query string dropped, for messages.
std::string describe_url(const std::string &url);

std::string url_encode(const std::string &s);

}  // namespace impayes
