#pragma once

#include <chrono>
#include <string_view>

namespace flashsale::serving {

/// A network front door (REST, gRPC) as the app's lifecycle sees it: start, report the bound
/// port, flip its own health signal, and shut down gracefully.
class FrontDoor {
 public:
  virtual ~FrontDoor() = default;

  /// "http", "grpc": for logs.
  virtual std::string_view transport() const = 0;
  /// Binds and starts serving on background threads. Throws std::runtime_error when the
  /// address can't be bound.
  virtual void Start() = 0;
  /// The bound port (useful when started with port 0).
  virtual int port() const = 0;
  /// The door's own health signal, where the protocol has one (gRPC health service).
  /// Readiness probes that ask the app (REST /readyz) need nothing here.
  virtual void SetServing(bool serving) = 0;
  /// Stops taking new work, lets every request in flight get its answer written until
  /// `deadline`, then closes every connection. True when everything in flight was answered.
  virtual bool Shutdown(std::chrono::steady_clock::time_point deadline) = 0;
};

}  // namespace flashsale::serving
