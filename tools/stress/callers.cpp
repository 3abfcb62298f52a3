#include "callers.hpp"

#include <grpcpp/grpcpp.h>

#include <nlohmann/json.hpp>

#include "flashsale.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "http_connection.hpp"

namespace flashsale::stress {
namespace {

using json = nlohmann::json;

class RestCaller final : public Caller {
 public:
  RestCaller(std::string host, int port, std::string sale)
      : host_(std::move(host)), port_(port), sale_(std::move(sale)) {}
  Answer Buy(const std::string& user, const std::string& item, const std::string& request,
             int quantity) override {
    if (!connection_ || !connection_->open()) {
      connection_ = std::make_unique<testing::HttpConnection>(host_, port_);
    }
    testing::HttpResponse r = connection_->Send("POST", "/api/purchase",
                                                PurchaseBody(sale_, user, item, request, quantity));
    if (r.status == 0 || ClosesConnection(r)) connection_.reset();
    return AnswerOfPurchase(r);
  }

 private:
  std::string host_;
  int port_;
  std::string sale_;
  std::unique_ptr<testing::HttpConnection> connection_;
};

/// The cheapest call of each front door, for ceilings: gRPC health Check, REST GET /health.
class HealthCaller final : public Caller {
 public:
  HealthCaller(std::shared_ptr<grpc::Channel> channel, std::string host, int port)
      : stub_(channel ? grpc::health::v1::Health::NewStub(channel) : nullptr),
        host_(std::move(host)),
        port_(port) {}
  Answer Buy(const std::string&, const std::string&, const std::string&, int) override {
    Answer answer;
    if (stub_) {
      grpc::health::v1::HealthCheckRequest req;
      grpc::health::v1::HealthCheckResponse res;
      grpc::ClientContext context;
      answer.kind = stub_->Check(&context, req, &res).ok() ? kAccepted : kTransport;
      return answer;
    }
    if (!connection_ || !connection_->open()) {
      connection_ = std::make_unique<testing::HttpConnection>(host_, port_);
    }
    auto r = connection_->Send("GET", "/health");
    if (r.status != 200) connection_.reset();
    answer.kind = r.status == 200 ? kAccepted : kTransport;
    return answer;
  }

 private:
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  std::string host_;
  int port_;
  std::unique_ptr<testing::HttpConnection> connection_;
};

class GrpcCaller final : public Caller {
 public:
  GrpcCaller(std::shared_ptr<grpc::Channel> channel, std::string sale)
      : stub_(flashsale::OrderService::NewStub(std::move(channel))), sale_(std::move(sale)) {}
  Answer Buy(const std::string& user, const std::string& item, const std::string& request,
             int quantity) override {
    flashsale::PurchaseRequest req;
    FillPurchase(req, sale_, user, item, request, quantity);
    flashsale::PurchaseResponse res;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const grpc::Status status = stub_->Purchase(&context, req, &res);
    return AnswerOfPurchase(status, res);
  }

 private:
  std::unique_ptr<flashsale::OrderService::Stub> stub_;
  std::string sale_;
};

}  // namespace

std::string PurchaseBody(const std::string& sale, const std::string& user, const std::string& item,
                         const std::string& request, int quantity) {
  return json{{"request_id", request},
              {"user_id", user},
              {"item_id", item},
              {"quantity", quantity},
              {"sale_id", sale}}
      .dump();
}

Answer AnswerOfPurchase(const testing::HttpResponse& r) {
  Answer answer;
  if (r.status == 0) return answer;
  json parsed = json::parse(r.body, nullptr, false);
  answer.kind = KindOfHttp(r.status, parsed.is_object() ? parsed.value("message", "") : "");
  if (answer.kind == kAccepted) answer.order_id = parsed.value("order_id", "");
  return answer;
}

void FillPurchase(flashsale::PurchaseRequest& req, const std::string& sale, const std::string& user,
                  const std::string& item, const std::string& request, int quantity) {
  req.set_request_id(request);
  req.set_user_id(user);
  req.set_item_id(item);
  req.set_quantity(quantity);
  req.set_sale_id(sale);
}

Answer AnswerOfPurchase(const grpc::Status& status, const flashsale::PurchaseResponse& res) {
  Answer answer;
  answer.kind = KindOfGrpc(status);
  if (status.ok()) answer.order_id = res.order_id();
  return answer;
}

bool ClosesConnection(const testing::HttpResponse& r) {
  auto it = r.headers.find("connection");
  return it != r.headers.end() && (it->second == "Close" || it->second == "close");
}

Kind KindOfHttp(int status, const std::string& message) {
  switch (status) {
    case 0:
      return kTransport;
    case 200:
      return kAccepted;
    case 410:
      return kSoldOut;
    case 403:
      return kUserLimit;
    case 409:
      return message == "sale not active" || message == "sale is not currently active" ? kNotActive
                                                                                       : kDuplicate;
    case 404:
      return kUnknown;
    case 400:
      return kInvalid;
    case 429:
      return kRateLimited;
    case 503:
      return kUnavailable;
    default:
      return kInternal;
  }
}

Kind KindOfGrpc(const grpc::Status& status) {
  if (status.ok()) return kAccepted;
  std::string reason;
  google::rpc::Status details;
  if (details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info)) reason = info.reason();
    }
  }
  if (reason == "SOLD_OUT") return kSoldOut;
  if (reason == "USER_LIMIT_REACHED") return kUserLimit;
  if (reason == "SALE_NOT_ACTIVE") return kNotActive;
  if (reason == "DUPLICATE_REQUEST") return kDuplicate;
  if (reason == "UNKNOWN_ITEM") return kUnknown;
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      return kInvalid;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kRateLimited;
    case grpc::StatusCode::UNAVAILABLE:
      return kUnavailable;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return kTransport;
    default:
      return kInternal;
  }
}

std::unique_ptr<Caller> MakeCaller(const Options& o, std::shared_ptr<grpc::Channel> channel) {
  auto colon = o.target.rfind(':');
  if (o.call == "health") {
    return std::make_unique<HealthCaller>(o.transport == "grpc" ? channel : nullptr,
                                          o.target.substr(0, colon),
                                          std::stoi(o.target.substr(colon + 1)));
  }
  if (o.flow == "checkout") return MakeCheckoutCaller(o, std::move(channel));
  if (o.transport == "grpc") return std::make_unique<GrpcCaller>(std::move(channel), o.sale_id);
  return std::make_unique<RestCaller>(o.target.substr(0, colon),
                                      std::stoi(o.target.substr(colon + 1)), o.sale_id);
}

}  // namespace flashsale::stress
