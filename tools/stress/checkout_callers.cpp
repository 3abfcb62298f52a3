// stress_test's two-step flow: checkout a unit, then purchase it with the code at once.
#include <grpcpp/grpcpp.h>

#include <nlohmann/json.hpp>

#include "callers.hpp"
#include "flashsale.grpc.pb.h"
#include "http_connection.hpp"

namespace flashsale::stress {
namespace {

using json = nlohmann::json;

/// Answers of the checkout step that come from the store (and so are recorded as attempts).
bool ReachedTheStore(Kind kind) {
  return kind == kAccepted || kind == kSoldOut || kind == kUserLimit || kind == kNotActive ||
         kind == kUnknown || kind == kDuplicate;
}

class RestCheckoutCaller final : public Caller {
 public:
  RestCheckoutCaller(std::string host, int port, std::string sale)
      : host_(std::move(host)), port_(port), sale_(std::move(sale)) {}

  Answer Buy(const std::string& user, const std::string& item, const std::string& request,
             int /*quantity: a hold is one unit*/) override {
    Answer answer;
    testing::HttpResponse held =
        Send("/checkout",
             json{{"user_id", user}, {"item_id", item}, {"request_id", request}, {"sale_id", sale_}}
                 .dump());
    json parsed = json::parse(held.body, nullptr, false);
    answer.kind = KindOfHttp(held.status, parsed.is_object() ? parsed.value("message", "") : "");
    answer.attempt = ReachedTheStore(answer.kind);
    if (answer.kind != kAccepted) return answer;
    testing::HttpResponse done = Send(
        "/purchase",
        json{{"checkout_code", parsed.value("checkout_code", "")}, {"request_id", request}}.dump());
    parsed = json::parse(done.body, nullptr, false);
    answer.kind = done.status == 200 ? kAccepted : done.status == 0 ? kTransport : kInternal;
    if (answer.kind == kAccepted) answer.order_id = parsed.value("order_id", "");
    return answer;
  }

 private:
  testing::HttpResponse Send(const std::string& path, const std::string& body) {
    if (!connection_ || !connection_->open()) {
      connection_ = std::make_unique<testing::HttpConnection>(host_, port_);
    }
    testing::HttpResponse r = connection_->Send("POST", path, body);
    if (r.status == 0 || ClosesConnection(r)) connection_.reset();
    return r;
  }

  std::string host_;
  int port_;
  std::string sale_;
  std::unique_ptr<testing::HttpConnection> connection_;
};

class GrpcCheckoutCaller final : public Caller {
 public:
  GrpcCheckoutCaller(std::shared_ptr<grpc::Channel> channel, std::string sale)
      : stub_(flashsale::OrderService::NewStub(std::move(channel))), sale_(std::move(sale)) {}

  Answer Buy(const std::string& user, const std::string& item, const std::string& request,
             int /*quantity*/) override {
    Answer answer;
    flashsale::CheckoutRequest hold;
    hold.set_user_id(user);
    hold.set_item_id(item);
    hold.set_request_id(request);
    hold.set_sale_id(sale_);
    flashsale::CheckoutResponse held;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    answer.kind = KindOfGrpc(stub_->Checkout(&context, hold, &held));
    answer.attempt = ReachedTheStore(answer.kind);
    if (answer.kind != kAccepted) return answer;
    flashsale::CompleteCheckoutRequest complete;
    complete.set_checkout_code(held.checkout_code());
    complete.set_request_id(request);
    flashsale::CompleteCheckoutResponse done;
    grpc::ClientContext second;
    second.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const grpc::Status status = stub_->CompleteCheckout(&second, complete, &done);
    answer.kind = status.ok()                        ? kAccepted
                  : KindOfGrpc(status) == kTransport ? kTransport
                                                     : kInternal;
    answer.order_id = done.order_id();
    return answer;
  }

 private:
  std::unique_ptr<flashsale::OrderService::Stub> stub_;
  std::string sale_;
};

}  // namespace

std::unique_ptr<Caller> MakeCheckoutCaller(const Options& o,
                                           std::shared_ptr<grpc::Channel> channel) {
  if (o.transport == "grpc")
    return std::make_unique<GrpcCheckoutCaller>(std::move(channel), o.sale_id);
  const auto colon = o.target.rfind(':');
  return std::make_unique<RestCheckoutCaller>(o.target.substr(0, colon),
                                              std::stoi(o.target.substr(colon + 1)), o.sale_id);
}

}  // namespace flashsale::stress
