// RAII owners for libcurl handles.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace impayes {

struct CurlEasyDeleter {
    void operator()(CURL *h) const { curl_easy_cleanup(h); }
};
struct CurlMultiDeleter {
    void operator()(CURLM *h) const { curl_multi_cleanup(h); }
};
struct CurlSlistDeleter {
    void operator()(curl_slist *l) const { curl_slist_free_all(l); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Appends to a list owned by a CurlSlist; throws std::bad_alloc on failure.
void slist_append(CurlSlist &list, const char *line);

}  // namespace impayes
