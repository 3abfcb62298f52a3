#include "flashsale/rpc/grpc_server.hpp"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "flashsale.grpc.pb.h"
#include "flashsale/core/blocking_pool.hpp"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace flashsale::rpc {
namespace {

using Clock = std::chrono::steady_clock;

struct GrpcOutcome {
  grpc::StatusCode code;
  const char* reason;
};

/// One table for the protocol mapping (DESIGN.md section 9).
GrpcOutcome ToGrpc(core::Outcome outcome) {
  using core::Outcome;
  switch (outcome) {
    case Outcome::kAccepted:
      return {grpc::StatusCode::OK, ""};
    case Outcome::kInvalidRequest:
      return {grpc::StatusCode::INVALID_ARGUMENT, "INVALID_ARGUMENT"};
    case Outcome::kUnknownItem:
      return {grpc::StatusCode::NOT_FOUND, "UNKNOWN_ITEM"};
    case Outcome::kDuplicateRequest:
      return {grpc::StatusCode::ALREADY_EXISTS, "DUPLICATE_REQUEST"};
    case Outcome::kSoldOut:
      return {grpc::StatusCode::FAILED_PRECONDITION, "SOLD_OUT"};
    case Outcome::kUserLimitReached:
      return {grpc::StatusCode::FAILED_PRECONDITION, "USER_LIMIT_REACHED"};
    case Outcome::kSaleNotActive:
      return {grpc::StatusCode::FAILED_PRECONDITION, "SALE_NOT_ACTIVE"};
    case Outcome::kRateLimited:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, "RATE_LIMITED"};
    case Outcome::kUnavailable:
      return {grpc::StatusCode::UNAVAILABLE, "UNAVAILABLE"};
    case Outcome::kInternal:
      break;
  }
  return {grpc::StatusCode::INTERNAL, "INTERNAL"};
}

grpc::Status ErrorStatus(core::Outcome outcome, const std::string& detail,
                         const std::string& order_id = {}) {
  GrpcOutcome mapped = ToGrpc(outcome);
  std::string message = detail.empty() ? std::string(core::ToString(outcome)) : detail;
  google::rpc::ErrorInfo info;
  info.set_reason(mapped.reason);
  info.set_domain("flashsale");
  if (!order_id.empty()) (*info.mutable_metadata())["order_id"] = order_id;
  google::rpc::Status status;
  status.set_code(static_cast<int>(mapped.code));
  status.set_message(message);
  status.add_details()->PackFrom(info);
  return grpc::Status(mapped.code, message, status.SerializeAsString());
}

int HttpLikeCode(grpc::StatusCode code) { return static_cast<int>(code); }

class OrderServiceImpl final : public flashsale::OrderService::CallbackService {
 public:
  OrderServiceImpl(const GrpcOptions& options, core::PlacePurchase& purchase,
                   core::GetOrder& orders, metrics::PrometheusMetrics& metrics)
      : options_(options),
        purchase_(purchase),
        orders_(orders),
        metrics_(metrics),
        pool_(options.blocking_threads) {}

  grpc::ServerUnaryReactor* Purchase(grpc::CallbackServerContext* context,
                                     const flashsale::PurchaseRequest* request,
                                     flashsale::PurchaseResponse* response) override {
    auto* reactor = context->DefaultReactor();
    const auto start = Clock::now();
    if (context->deadline() <= std::chrono::system_clock::now()) {
      Finish(reactor, grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded"),
             purchase_route_, start);
      return reactor;
    }
    core::PurchaseInput input{
        request->sale_id().empty() ? options_.default_sale_id : request->sale_id(),
        request->item_id(), request->user_id(), request->request_id(), request->quantity()};
    purchase_.Execute(input, [this, reactor, response, start](core::PurchaseReply reply) {
      if (reply.outcome != core::Outcome::kAccepted) {
        Finish(reactor,
               ErrorStatus(reply.outcome, reply.detail,
                           reply.order_id ? reply.order_id->str() : std::string()),
               purchase_route_, start);
        return;
      }
      response->set_success(true);
      response->set_message("order placed successfully");
      response->set_order_id(reply.order_id ? reply.order_id->str() : "");
      response->set_status("pending");
      response->set_remaining(reply.remaining);
      response->set_replayed(reply.replayed);
      Finish(reactor, grpc::Status::OK, purchase_route_, start);
    });
    return reactor;
  }

  grpc::ServerUnaryReactor* GetOrder(grpc::CallbackServerContext* context,
                                     const flashsale::GetOrderRequest* request,
                                     flashsale::GetOrderResponse* response) override {
    auto* reactor = context->DefaultReactor();
    const auto start = Clock::now();
    std::string sale = request->sale_id().empty() ? options_.default_sale_id : request->sale_id();
    pool_.Post([this, reactor, response, start, id = request->order_id(), sale] {
      auto view = orders_.Execute(id, sale);
      if (!view) {
        Finish(reactor, ErrorStatus(view.error().outcome, view.error().detail), get_order_route_,
               start);
        return;
      }
      response->set_order_id(view->id.str());
      response->set_status(std::string(core::ToString(view->status)));
      if (view->order) {
        const core::Order& o = *view->order;
        response->set_sale_id(o.sale.str());
        response->set_item_id(o.item.str());
        response->set_user_id(o.user.str());
        response->set_quantity(o.quantity.value());
        response->set_unit_price_cents(o.unit_price_cents);
        response->set_created_at_ms(core::ToUnixMillis(o.created_at));
      }
      Finish(reactor, grpc::Status::OK, get_order_route_, start);
    });
    return reactor;
  }

  void StopPool() { pool_.Stop(); }

 private:
  void Finish(grpc::ServerUnaryReactor* reactor, const grpc::Status& status,
              metrics::RouteMetrics& method, Clock::time_point start) {
    method.Served(HttpLikeCode(status.error_code()), Clock::now() - start);
    reactor->Finish(status);
  }

  const GrpcOptions& options_;
  core::PlacePurchase& purchase_;
  core::GetOrder& orders_;
  metrics::PrometheusMetrics& metrics_;
  core::BlockingPool pool_;
  metrics::RouteMetrics& purchase_route_ = metrics_.Route("grpc", "Purchase");
  metrics::RouteMetrics& get_order_route_ = metrics_.Route("grpc", "GetOrder");
};

}  // namespace

class GrpcServer::Impl {
 public:
  Impl(GrpcOptions options, core::PlacePurchase& purchase, core::GetOrder& orders,
       metrics::PrometheusMetrics& metrics)
      : options_(std::move(options)), service_(options_, purchase, orders, metrics) {}

  void Start() {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options_.address + ":" + std::to_string(options_.port),
                             grpc::InsecureServerCredentials(), &bound_port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    if (!server_ || bound_port_ == 0) {
      throw std::runtime_error("gRPC: cannot listen on " + options_.address + ":" +
                               std::to_string(options_.port));
    }
    SetServing(true);
  }

  void SetServing(bool serving) {
    if (!server_) return;
    auto* health = server_->GetHealthCheckService();
    health->SetServingStatus(serving);
    health->SetServingStatus("flashsale.OrderService", serving);
  }

  void Shutdown(std::chrono::system_clock::time_point deadline) {
    if (!server_) return;
    server_->Shutdown(deadline);
    server_->Wait();
    service_.StopPool();
  }

  int port() const { return bound_port_; }

 private:
  GrpcOptions options_;
  OrderServiceImpl service_;
  std::unique_ptr<grpc::Server> server_;
  int bound_port_ = 0;
};

GrpcServer::GrpcServer(GrpcOptions options, core::PlacePurchase& purchase, core::GetOrder& orders,
                       metrics::PrometheusMetrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), purchase, orders, metrics)) {}
GrpcServer::~GrpcServer() = default;
void GrpcServer::Start() { impl_->Start(); }
int GrpcServer::port() const { return impl_->port(); }
void GrpcServer::SetServing(bool serving) { impl_->SetServing(serving); }
void GrpcServer::Shutdown(std::chrono::system_clock::time_point deadline) {
  impl_->Shutdown(deadline);
}

}  // namespace flashsale::rpc
