// OpenSSL's libcrypto, for SHA-256 of API keys and HMAC-SHA256 of webhook signatures. Debian's
// libssl-dev is already on every machine that builds librdkafka's dependents; swift-crypto would
// build BoringSSL (about 900 C files) from source on every clean build for two functions.
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
