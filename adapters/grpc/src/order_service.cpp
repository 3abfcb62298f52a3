#include "order_service.hpp"

#include "flashsale/serving/client_address.hpp"
#include "request_inputs.hpp"
#include "status_mapping.hpp"

namespace flashsale::rpc {
namespace {

void FillOrder(const core::OrderView& view, flashsale::GetOrderResponse& response) {
  response.set_order_id(view.id.str());
  response.set_status(std::string(domain::ToString(view.status)));
  if (!view.order) return;
  const domain::Order& o = *view.order;
  response.set_sale_id(o.sale.str());
  response.set_item_id(o.item.str());
  response.set_user_id(o.user.str());
  response.set_quantity(o.quantity.value());
  response.set_unit_price_cents(o.unit_price_cents);
  response.set_created_at_ms(domain::ToUnixMillis(o.created_at));
}

}  // namespace

OrderServiceImpl::OrderServiceImpl(const GrpcOptions& options, GrpcServices services)
    : trust_proxy_(options.trust_proxy),
      services_(std::move(services)),
      pool_(options.blocking_threads),
      purchase_route_(services_.metrics.Route("grpc", "Purchase")),
      get_order_route_(services_.metrics.Route("grpc", "GetOrder")),
      checkout_route_(services_.metrics.Route("grpc", "Checkout")),
      complete_route_(services_.metrics.Route("grpc", "CompleteCheckout")),
      status_route_(services_.metrics.Route("grpc", "GetSaleStatus")) {}

std::string OrderServiceImpl::ClientAddress(grpc::CallbackServerContext* context) const {
  if (trust_proxy_) {
    // The last entry of the last x-forwarded-for value: a proxy that adds its own entry
    // appends it after whatever the client sent, in the same value or in another one.
    const auto [first, end] = context->client_metadata().equal_range("x-forwarded-for");
    std::string_view last;
    for (auto it = first; it != end; ++it) last = {it->second.data(), it->second.size()};
    if (first != end) {
      if (auto address = serving::LastForwardedAddress(last)) return *address;
    }
  }
  // "ipv4:10.0.0.7:51234", "ipv6:[::1]:51234": the address without the port.
  std::string peer = context->peer();
  const auto colon = peer.find(':');
  if (colon == std::string::npos) return peer;
  std::string address = peer.substr(colon + 1);
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  const auto port = address.rfind(':');
  return port == std::string::npos ? address : address.substr(0, port);
}

bool OrderServiceImpl::Expired(grpc::CallbackServerContext* context, CallReactor* reactor,
                               ports::RouteMetrics& method, Clock::time_point start) {
  if (context->deadline() > std::chrono::system_clock::now()) return false;
  Finish(reactor, grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline exceeded"), method,
         start);
  return true;
}

template <class Request, class Response>
grpc::ServerUnaryReactor* OrderServiceImpl::Serve(grpc::CallbackServerContext* context,
                                                  const grpc::ByteBuffer* bytes,
                                                  grpc::ByteBuffer* reply,
                                                  ports::RouteMetrics& route,
                                                  Handler<Request, Response> handler) {
  auto* call = new TypedCall<Response>(reply);  // deletes itself when gRPC is done with it
  const auto start = Clock::now();
  Request request;
  if (!ParseRequest(bytes, request)) {
    Finish(call, ErrorStatus(domain::Outcome::kInvalidRequest, "malformed request"), route, start);
    return call;
  }
  (this->*handler)(context, call, request, start);
  return call;
}

grpc::ServerUnaryReactor* OrderServiceImpl::Purchase(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* reply) {
  return Serve(context, request, reply, purchase_route_, &OrderServiceImpl::PurchaseCall);
}

grpc::ServerUnaryReactor* OrderServiceImpl::GetOrder(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* reply) {
  return Serve(context, request, reply, get_order_route_, &OrderServiceImpl::GetOrderCall);
}

grpc::ServerUnaryReactor* OrderServiceImpl::Checkout(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* reply) {
  return Serve(context, request, reply, checkout_route_, &OrderServiceImpl::CheckoutCall);
}

grpc::ServerUnaryReactor* OrderServiceImpl::CompleteCheckout(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* reply) {
  return Serve(context, request, reply, complete_route_, &OrderServiceImpl::CompleteCheckoutCall);
}

grpc::ServerUnaryReactor* OrderServiceImpl::GetSaleStatus(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* reply) {
  return Serve(context, request, reply, status_route_, &OrderServiceImpl::GetSaleStatusCall);
}

void OrderServiceImpl::PurchaseCall(grpc::CallbackServerContext* context,
                                    TypedCall<flashsale::PurchaseResponse>* call,
                                    const flashsale::PurchaseRequest& request,
                                    Clock::time_point start) {
  if (Expired(context, call, purchase_route_, start)) return;
  const domain::PurchaseInput input = PurchaseInputOf(request, services_.default_sale());
  services_.limits.Purchase(
      services_.purchase, input,
      services_.limits.enabled() ? ClientAddress(context) : std::string(),
      [this, call, start](core::Admission admission, std::optional<domain::PurchaseReply> reply) {
        if (!reply) {
          Finish(call, RateLimitedStatus(admission), purchase_route_, start);
          return;
        }
        if (reply->outcome != domain::Outcome::kAccepted) {
          Finish(call,
                 ErrorStatus(reply->outcome, reply->detail,
                             reply->order_id ? reply->order_id->str() : std::string()),
                 purchase_route_, start);
          return;
        }
        auto& response = call->response;
        response.set_success(true);
        response.set_message("order placed successfully");
        response.set_order_id(reply->order_id ? reply->order_id->str() : "");
        response.set_status("pending");
        response.set_remaining(reply->remaining);
        response.set_replayed(reply->replayed);
        Finish(call, grpc::Status::OK, purchase_route_, start);
      });
}

void OrderServiceImpl::GetOrderCall(grpc::CallbackServerContext* /*context*/,
                                    TypedCall<flashsale::GetOrderResponse>* call,
                                    const flashsale::GetOrderRequest& request,
                                    Clock::time_point start) {
  std::string sale = request.sale_id().empty() ? services_.default_sale() : request.sale_id();
  pool_.Post([this, call, start, id = request.order_id(), sale] {
    auto view = services_.orders.Execute(id, sale);
    if (!view) {
      Finish(call, ErrorStatus(view.error().outcome, view.error().detail), get_order_route_, start);
      return;
    }
    FillOrder(*view, call->response);
    Finish(call, grpc::Status::OK, get_order_route_, start);
  });
}

void OrderServiceImpl::Finish(CallReactor* call, const grpc::Status& status,
                              ports::RouteMetrics& method, Clock::time_point start) {
  method.Served(StatusCodeNumber(status.error_code()), Clock::now() - start);
  call->Answer(status);
}

}  // namespace flashsale::rpc
