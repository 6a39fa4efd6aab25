// Typed wrappers around libcurl's variadic functions, which Swift cannot call directly.
// Every libcurl call the project makes goes through FirstaskCurl/CurlTransfer.swift.
#ifndef FIRSTASK_CCURL_SHIM_H
#define FIRSTASK_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*firstask_curl_write_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode firstask_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode firstask_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode firstask_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode firstask_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode firstask_curl_setopt_write_function(CURL *handle, CURLoption option,
                                                         firstask_curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

typedef int (*firstask_curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                               curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode firstask_curl_setopt_xferinfo_function(CURL *handle, firstask_curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

static inline CURLcode firstask_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLMcode firstask_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

static inline CURLcode firstask_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode firstask_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
