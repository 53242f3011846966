# Multi-stage build: the Swift toolchain image builds, a slim runtime image runs.
FROM swift:6.3.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka-dev libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product gateway --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/gateway" /gateway

FROM debian:12.8-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka1 libcurl4 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 gateway
COPY --from=build /gateway /usr/local/bin/gateway
USER gateway
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/gateway"]
CMD ["serve"]
