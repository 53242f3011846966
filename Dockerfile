# Multi-stage build: the Swift toolchain image builds, a slim runtime image runs.
# Both stages are Debian 12 (bookworm), so the runtime's librdkafka1 and libssl3 are the libraries
# the build linked against (librdkafka 2.0.2, OpenSSL 3).
FROM swift:6.3.1-bookworm AS build
# librdkafka-dev: Kafka client (CRdKafka); libssl-dev: libcrypto's SHA-256 (COpenSSLCrypto);
# libcurl4-openssl-dev: txgen's HTTP client (CCurl; SwiftPM resolves every target of the package).
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka-dev libssl-dev libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Every folder Package.swift names must exist, even for targets not built here.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
COPY bench ./bench
RUN swift build -c release --product gateway --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/gateway" /gateway

FROM debian:12.8-slim AS runtime
# curl: the health check below and compose's.
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka1 libssl3 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 gateway
COPY --from=build /gateway /usr/local/bin/gateway
USER gateway
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# SIGTERM starts the gateway's bounded shutdown (GATEWAY_SHUTDOWN_TIMEOUT_SECONDS).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/gateway"]
CMD ["serve"]
