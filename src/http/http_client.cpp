#include "http/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <memory>
#include <new>

#include "core/errors.hpp"

namespace impayes {

void slist_append(CurlSlist &list, const char *line) {
    curl_slist *grown = curl_slist_append(list.get(), line);
    if (grown == nullptr) throw std::bad_alloc();
    list.release();
    list.reset(grown);
}

// Where libcurl writes an answer.
struct WriteSink {
    std::string body;
    size_t limit = 0;
    bool failed = false;     // out of memory
    bool too_large = false;  // over limit: the transfer was stopped
};

// A request body read by libcurl, once.
struct UploadSource {
    const std::string *body = nullptr;
    size_t sent = 0;
};

// One easy handle and the buffers that must outlive its transfer.
struct HttpClient::Transfer {
    CurlEasy easy;
    CURLM *multi = nullptr;  // set while attached to the multi handle
    HttpRequest req;
    WriteSink sink;
    UploadSource upload;
    CurlSlist own_headers;  // set when the request omits some of the client's headers
    size_t index = 0;
    char errbuf[CURL_ERROR_SIZE] = {0};

    Transfer() : easy(curl_easy_init()) {
        if (!easy) throw std::bad_alloc();
    }
    ~Transfer() { detach(); }
    void detach() {
        if (multi != nullptr) curl_multi_remove_handle(multi, easy.get());
        multi = nullptr;
    }
};

// libcurl calls these from C: no exception may leave them.
static size_t on_write(char *data, size_t size, size_t nmemb, void *userp) {
    auto *sink = static_cast<WriteSink *>(userp);
    try {
        if (size * nmemb > sink->limit - sink->body.size()) {
            sink->too_large = true;
            return 0;
        }
        sink->body.append(data, size * nmemb);
        return size * nmemb;
    } catch (...) {
        sink->failed = true;
        return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
    }
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *userp) {
    auto *u = static_cast<UploadSource *>(userp);
    size_t n = std::min(size * nitems, u->body->size() - u->sent);
    memcpy(buf, u->body->data() + u->sent, n);
    u->sent += n;
    return n;
}

static int on_seek(void *, curl_off_t, int) { return CURL_SEEKFUNC_FAIL; }

static int on_progress(void *clientp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto *abort = static_cast<std::function<bool()> *>(clientp);
    try {
        return *abort && (*abort)() ? 1 : 0;
    } catch (...) {
        return 1;
    }
}

static bool curl_ready() {
    static bool done = false;
    if (!done) done = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return done;
}

HttpClient::HttpClient(HttpOptions opts, std::function<bool()> should_abort)
    : opts_(std::move(opts)), should_abort_(std::move(should_abort)) {
    if (!curl_ready()) throw SyncError("libcurl could not be initialised");
    multi_.reset(curl_multi_init());
    if (!multi_) throw std::bad_alloc();
    curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, 16L);
    fill_headers(headers_, {});
}

// "Name: value" is named name (case-insensitive).
static bool header_named(const std::string &line, const std::string &name) {
    if (line.size() <= name.size() || line[name.size()] != ':') return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (tolower(static_cast<unsigned char>(line[i])) !=
            tolower(static_cast<unsigned char>(name[i])))
            return false;
    return true;
}

void HttpClient::fill_headers(CurlSlist &list, const std::vector<std::string> &omit) const {
    for (const auto &h : opts_.headers) {
        bool omitted = false;
        for (const auto &name : omit) omitted = omitted || header_named(h, name);
        if (!omitted) slist_append(list, h.c_str());
    }
    slist_append(list, "Content-Type: application/json");
    slist_append(list, "Expect:");  // no 100-continue round trip on large bodies
}

HttpClient::~HttpClient() = default;

void HttpClient::check_abort() {
    if (should_abort_ && should_abort_()) throw Interrupted();
}

void HttpClient::start(Transfer &t, HttpRequest &&req) {
    CURL *h = t.easy.get();
    curl_easy_reset(h);  // keeps the connection cache
    t.req = std::move(req);
    t.sink.body.clear();
    t.sink.failed = false;
    t.sink.too_large = false;
    t.sink.limit = opts_.max_response_bytes;
    t.errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, t.req.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");  // never an http_proxy from the environment
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, opts_.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, opts_.request_timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!opts_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, opts_.ca_file.c_str());
    t.own_headers.reset();
    if (!t.req.omit_headers.empty()) fill_headers(t.own_headers, t.req.omit_headers);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER,
                     t.req.omit_headers.empty() ? headers_.get() : t.own_headers.get());
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t.sink);
    // Refused from Content-Length before any byte of the body is read.
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(opts_.max_response_bytes));
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &should_abort_);
    if (t.req.method == "GET") {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        if (t.req.method != "POST")
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, t.req.method.c_str());
        if (!t.req.body.empty() || t.req.method == "POST") {
            // The body is streamed by a callback that cannot rewind: libcurl
            // would otherwise silently send a POST again when a kept-alive
            // connection dies before the answer, and Parse would apply it
            // twice. The request fails instead and the sync decides.
            t.upload = UploadSource{&t.req.body, 0};
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(h, CURLOPT_READDATA, &t.upload);
            curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(t.req.body.size()));
        }
    }
    CURLMcode rc = curl_multi_add_handle(multi_.get(), h);
    if (rc != CURLM_OK) throw SyncError(std::string("libcurl: ") + curl_multi_strerror(rc));
    t.multi = multi_.get();
    stats_.requests++;
    stats_.bytes_sent += long(t.req.body.size());
}

void HttpClient::finish(Transfer &t, CURLcode code, HttpResponse &out) {
    CURL *h = t.easy.get();
    t.detach();
    // Request bytes sent tells a reused connection that timed out waiting
    // for the answer from one that never connected.
    long request_bytes = 0;
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_bytes);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
    out.body = std::move(t.sink.body);
    stats_.bytes_received += long(out.body.size());
    out.sent = request_bytes > 0;
    if (code == CURLE_OK) {
        char *location = nullptr;
        if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
            out.redirect = describe_url(location);
        return;
    }
    out.status = 0;
    if (code == CURLE_ABORTED_BY_CALLBACK) throw Interrupted();
    if (code == CURLE_WRITE_ERROR && t.sink.failed) throw std::bad_alloc();
    if ((code == CURLE_WRITE_ERROR && t.sink.too_large) || code == CURLE_FILESIZE_EXCEEDED) {
        // Not retried: the same request would get the same answer.
        std::string().swap(out.body);
        out.too_large = out.permanent = true;
        out.error = "answer larger than " + std::to_string(opts_.max_response_bytes) +
                    " bytes (impayes_sync.max_response_bytes); transfer stopped";
        return;
    }
    if (code == CURLE_OPERATION_TIMEDOUT) {
        out.timed_out = true;
        out.error = request_bytes == 0 ? "connect timeout: no connection after " +
                                             std::to_string(opts_.connect_timeout_ms) +
                                             " ms (impayes_sync.connect_timeout)"
                                       : "request timeout: no complete answer after " +
                                             std::to_string(opts_.request_timeout_ms) +
                                             " ms (impayes_sync.request_timeout)";
        return;
    }
    // The error buffer names host and port, never headers.
    out.error = t.errbuf[0] ? t.errbuf : curl_easy_strerror(code);
    if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST) out.sent = false;
    if (code == CURLE_SEND_FAIL_REWIND) {  // the connection died after the body went out
        out.sent = true;
        out.error = "connection closed before an answer (the request may have been applied)";
    }
    out.permanent = code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CERTPROBLEM ||
                    code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_ISSUER_ERROR ||
                    code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT;
}

void HttpClient::run(const std::function<bool(HttpRequest &)> &next,
                     const std::function<void(size_t, HttpResponse &&)> &done, int parallel) {
    if (parallel < 1) parallel = 1;
    std::vector<std::unique_ptr<Transfer>> pool;
    std::deque<Transfer *> idle;
    size_t issued = 0, in_flight = 0;
    bool more = true;
    for (;;) {
        check_abort();
        while (more && in_flight < size_t(parallel)) {
            HttpRequest req;
            if (!next(req)) {
                more = false;
                break;
            }
            if (idle.empty()) {
                pool.push_back(std::make_unique<Transfer>());
                idle.push_back(pool.back().get());
            }
            Transfer *t = idle.front();
            idle.pop_front();
            t->index = issued++;
            start(*t, std::move(req));
            ++in_flight;
        }
        if (in_flight == 0) break;
        int running = 0;
        CURLMcode mc = curl_multi_perform(multi_.get(), &running);
        if (mc != CURLM_OK) throw SyncError(std::string("libcurl: ") + curl_multi_strerror(mc));
        int left = 0;
        while (CURLMsg *msg = curl_multi_info_read(multi_.get(), &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            Transfer *t = nullptr;
            for (auto &p : pool)
                if (p->easy.get() == msg->easy_handle) t = p.get();
            if (t == nullptr) continue;
            const CURLcode code = msg->data.result;  // msg is invalid after remove_handle
            HttpResponse resp;
            finish(*t, code, resp);
            --in_flight;
            idle.push_back(t);
            done(t->index, std::move(resp));
        }
        if (in_flight == 0 && !more) break;
        if (running > 0 || in_flight > 0) {
            mc = curl_multi_poll(multi_.get(), nullptr, 0, 100, nullptr);
            if (mc != CURLM_OK) throw SyncError(std::string("libcurl: ") + curl_multi_strerror(mc));
        }
    }
}

HttpResponse HttpClient::perform(const HttpRequest &req) {
    HttpResponse out;
    bool given = false;
    run(
        [&](HttpRequest &r) {
            if (given) return false;
            r = req;
            given = true;
            return true;
        },
        [&](size_t, HttpResponse &&resp) { out = std::move(resp); }, 1);
    return out;
}

void HttpClient::pause(long ms) {
    // curl_multi_poll with no transfers is an interruptible sleep.
    for (long waited = 0; waited < ms; waited += 50) {
        check_abort();
        curl_multi_poll(multi_.get(), nullptr, 0, int(ms - waited < 50 ? ms - waited : 50),
                        nullptr);
    }
    check_abort();
}

std::string describe_url(const std::string &url) {
    auto q = url.find('?');
    return q == std::string::npos ? url : url.substr(0, q);
}

std::string url_encode(const std::string &s) {
    static const char *hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace impayes
