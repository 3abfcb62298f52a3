#pragma once

#include <chrono>
#include <string_view>

namespace flashsale::ports {

/// Request count and latency of one route of one front door, resolved once at start-up and
/// then updated on every answer. Implementations are cheap and thread-safe.
class RouteMetrics {
 public:
  virtual ~RouteMetrics() = default;
  /// One request answered with `code` (HTTP status, or gRPC status code) after `latency`.
  virtual void Served(int code, std::chrono::nanoseconds latency) = 0;
};

/// What the front doors (REST, gRPC) record about the requests they answer. Labels are
/// route templates (e.g. /api/orders/:id, never a raw path) and codes; never user ids.
class RequestMetrics {
 public:
  virtual ~RequestMetrics() = default;
  /// The metrics of one route of one transport ("http", "grpc"). The reference stays valid
  /// as long as this object. Thread-safe.
  virtual RouteMetrics& Route(std::string_view transport, std::string_view route) = 0;
};

/// Discards everything.
class NullRequestMetrics final : public RequestMetrics {
 public:
  RouteMetrics& Route(std::string_view, std::string_view) override { return route_; }

 private:
  class NullRoute final : public RouteMetrics {
   public:
    void Served(int, std::chrono::nanoseconds) override {}
  };
  NullRoute route_;
};

}  // namespace flashsale::ports
