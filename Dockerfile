# syntax=docker/dockerfile:1
# flashsale: a Debian 12 build stage (Release, tests off) and a slim runtime stage with only
# the runtime libraries, the two apps and flashsalectl, running as a non-root user.
#   docker build -t flashsale .
#   docker run -p 8080:8080 flashsale                      # REST on the embedded default
#   docker run flashsale flashsale-grpc --metrics-port 9464
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config libfmt-dev nlohmann-json3-dev libcli11-dev \
      libcurl4-openssl-dev libhiredis-dev libmysqlcppconn-dev libpistache-dev libgrpc++-dev \
      libprotobuf-dev protobuf-compiler protobuf-compiler-grpc prometheus-cpp-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
    && cmake --build /build \
    && DESTDIR=/stage cmake --install /build --prefix /usr --component Runtime

FROM debian:12-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends \
      libfmt9 libhiredis0.14 libmysqlcppconn7v5 libpistache0 libgrpc++1.51 libprotobuf32 \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libcurl4 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin flashsale
COPY --from=build /stage/usr/bin/ /usr/bin/
USER flashsale
ENV FLASHSALE_BIND=0.0.0.0
EXPOSE 8080 50051 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:${FLASHSALE_REST_PORT:-8080}/livez || exit 1
CMD ["flashsale-rest"]
