#ifndef CCURL_H
#define CCURL_H
#include <curl/curl.h>
// curl_easy_setopt / curl_multi_setopt / curl_easy_getinfo are variadic, which Swift cannot call:
// these typed wrappers are the only way Swift code reaches them.
CURLcode ccurl_easy_setopt_long(CURL *h, CURLoption o, long v);
CURLcode ccurl_easy_setopt_ptr(CURL *h, CURLoption o, void *v);
CURLcode ccurl_easy_setopt_string(CURL *h, CURLoption o, const char *v);
CURLcode ccurl_easy_setopt_write_callback(CURL *h, size_t (*cb)(char *, size_t, size_t, void *));
CURLcode ccurl_easy_setopt_header_callback(CURL *h, size_t (*cb)(char *, size_t, size_t, void *));
CURLMcode ccurl_multi_setopt_long(CURLM *m, CURLMoption o, long v);
CURLcode ccurl_easy_getinfo_long(CURL *h, CURLINFO i, long *v);
CURLcode ccurl_easy_getinfo_double(CURL *h, CURLINFO i, double *v);
CURLcode ccurl_easy_getinfo_ptr(CURL *h, CURLINFO i, void **v);
#endif
