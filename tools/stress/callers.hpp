#pragma once

// The clients stress_test drives the front doors with: one per caller thread.

#include <memory>
#include <string>

#include "run.hpp"

namespace grpc {
class Channel;
}

namespace flashsale::stress {

/// One caller's connection to the target.
class Caller {
 public:
  virtual ~Caller() = default;
  virtual Answer Buy(const std::string& user, const std::string& item, const std::string& request,
                     int quantity) = 0;
};

/// The caller `o` asks for (REST or gRPC purchase, or the transport's health call); `channel`
/// is shared by the gRPC callers (null for REST).
std::unique_ptr<Caller> MakeCaller(const Options& o, std::shared_ptr<grpc::Channel> channel);

}  // namespace flashsale::stress
