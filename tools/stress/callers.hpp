#pragma once

// The clients stress_test drives the front doors with: one per caller thread.

#include <memory>
#include <string>

#include "run.hpp"

namespace grpc {
class Channel;
class Status;
}  // namespace grpc

namespace flashsale {
class PurchaseRequest;
class PurchaseResponse;
}  // namespace flashsale

namespace flashsale::testing {
struct HttpResponse;
}

namespace flashsale::stress {

/// One caller's connection to the target.
class Caller {
 public:
  virtual ~Caller() = default;
  virtual Answer Buy(const std::string& user, const std::string& item, const std::string& request,
                     int quantity) = 0;
};

/// The caller `o` asks for (REST or gRPC purchase, the two-step checkout flow, or the
/// transport's health call); `channel` is shared by the gRPC callers (null for REST).
std::unique_ptr<Caller> MakeCaller(const Options& o, std::shared_ptr<grpc::Channel> channel);
/// The two-step flow: checkout, then purchase with the code (checkout_callers.cpp).
std::unique_ptr<Caller> MakeCheckoutCaller(const Options& o,
                                           std::shared_ptr<grpc::Channel> channel);

/// The JSON body of a REST purchase.
std::string PurchaseBody(const std::string& sale, const std::string& user, const std::string& item,
                         const std::string& request, int quantity);
/// What a REST purchase's response says (kTransport for a failed exchange, status 0).
Answer AnswerOfPurchase(const testing::HttpResponse& r);
/// A gRPC purchase request with these fields.
void FillPurchase(flashsale::PurchaseRequest& req, const std::string& sale, const std::string& user,
                  const std::string& item, const std::string& request, int quantity);
/// What a gRPC purchase's status and response say.
Answer AnswerOfPurchase(const grpc::Status& status, const flashsale::PurchaseResponse& res);
/// True when the response says Connection: close.
bool ClosesConnection(const testing::HttpResponse& r);

/// The kind of an answer of the REST API (status and the seed's message) / of gRPC.
Kind KindOfHttp(int status, const std::string& message);
Kind KindOfGrpc(const grpc::Status& status);

}  // namespace flashsale::stress
