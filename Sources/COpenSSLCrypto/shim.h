// OpenSSL's libcrypto, for SHA-256 of API keys. Debian's libssl-dev is already on every machine
// that builds librdkafka's dependents; swift-crypto would build BoringSSL (about 900 C files) from
// source on every clean build for one hash function.
#include <openssl/sha.h>
