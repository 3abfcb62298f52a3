// flashsale-grpc over a real channel, with a client generated from proto/flashsale.proto.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>

#include "app_process.hpp"
#include "flashsale.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace flashsale::testing {
namespace {

class GrpcApiTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args = {}) {
    app_ = std::make_unique<AppProcess>(FLASHSALE_GRPC_BIN, args);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(app_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = flashsale::OrderService::NewStub(channel_);
  }

  grpc::Status Buy(const std::string& user, const std::string& request, int quantity,
                   flashsale::PurchaseResponse& response) {
    flashsale::PurchaseRequest req;
    req.set_request_id(request);
    req.set_user_id(user);
    req.set_item_id("iphone-15");
    req.set_quantity(quantity);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stub_->Purchase(&context, req, &response);
  }

  /// The ErrorInfo reason carried in grpc-status-details-bin.
  static std::string Reason(const grpc::Status& status) {
    google::rpc::Status details;
    if (!details.ParseFromString(status.error_details())) return "<unparsable>";
    for (const auto& any : details.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info)) return info.domain() + "/" + info.reason();
    }
    return "<none>";
  }

  /// A channel with its own connection: after a refusal that makes the server close the
  /// connection (oversized metadata), a call on the shared one may race the close and fail
  /// UNAVAILABLE "Socket closed" instead of reaching the server.
  void Reconnect() {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channel_ = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(app_->port()),
                                         grpc::InsecureChannelCredentials(), args);
    stub_ = flashsale::OrderService::NewStub(channel_);
  }

  std::unique_ptr<AppProcess> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<flashsale::OrderService::Stub> stub_;
};

TEST_F(GrpcApiTest, PurchaseReplaySoldOutAndInvalidArguments) {
  Start({"--demo-stock", "2"});
  flashsale::PurchaseResponse first;
  auto ok = Buy("alice", "r1", 1, first);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_TRUE(first.success());
  EXPECT_EQ(first.message(), "order placed successfully");
  EXPECT_EQ(first.order_id().size(), 26U);
  EXPECT_EQ(first.status(), "pending");
  EXPECT_EQ(first.remaining(), 1);

  flashsale::PurchaseResponse again;
  ASSERT_TRUE(Buy("alice", "r1", 1, again).ok());
  EXPECT_EQ(again.order_id(), first.order_id());
  EXPECT_TRUE(again.replayed());

  flashsale::PurchaseResponse unused;
  auto dup = Buy("alice", "r1", 2, unused);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(dup), "flashsale/DUPLICATE_REQUEST");

  ASSERT_TRUE(Buy("bob", "r1", 1, unused).ok());
  auto sold_out = Buy("carol", "r1", 1, unused);
  EXPECT_EQ(sold_out.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(sold_out), "flashsale/SOLD_OUT");

  for (int quantity : {0, -1}) {
    auto bad = Buy("dave", "q" + std::to_string(quantity), quantity, unused);
    EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << quantity;
    EXPECT_EQ(Reason(bad), "flashsale/INVALID_ARGUMENT");
    EXPECT_NE(bad.error_message().find("quantity"), std::string::npos);
  }
  auto bad_user = Buy("no spaces", "r", 1, unused);
  EXPECT_EQ(bad_user.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GrpcApiTest, OversizedAndMalformedRequestsAreRefusedAndChangeNothing) {
  Start({"--demo-stock", "5"});
  flashsale::PurchaseResponse unused;
  // A message over the 16 KiB limit: RESOURCE_EXHAUSTED before any handler runs.
  auto huge = Buy(std::string(20'000, 'u'), "r1", 1, unused);
  EXPECT_EQ(huge.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << huge.error_message();
  // Metadata over 8 KiB.
  {
    flashsale::PurchaseRequest req;
    req.set_request_id("r2");
    req.set_user_id("alice");
    req.set_item_id("iphone-15");
    req.set_quantity(1);
    grpc::ClientContext context;
    context.AddMetadata("x-padding", std::string(12'000, 'p'));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    auto status = stub_->Purchase(&context, req, &unused);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  }
  Reconnect();
  // Bytes that are not a valid request message, on every method: INVALID_ARGUMENT "malformed
  // request" with ErrorInfo (the methods are registered raw and parse the bytes themselves).
  for (const char* method :
       {"Purchase", "GetOrder", "Checkout", "CompleteCheckout", "GetSaleStatus"}) {
    grpc::GenericStub generic(channel_);
    const std::string junk = "\xff\xff\xff\xff";  // a truncated field with a bad tag
    grpc::Slice slice(junk);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    std::promise<grpc::Status> done;
    generic.UnaryCall(&context, std::string("/flashsale.OrderService/") + method,
                      grpc::StubOptions(), &request, &response,
                      [&done](grpc::Status status) { done.set_value(status); });
    auto status = done.get_future().get();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << method << ": " << status.error_message();
    EXPECT_EQ(status.error_message(), "malformed request") << method;
    EXPECT_EQ(Reason(status), "flashsale/INVALID_ARGUMENT") << method;
  }
  // Nothing was written, and the server still serves.
  Reconnect();
  flashsale::PurchaseResponse ok;
  ASSERT_TRUE(Buy("bob", "r3", 1, ok).ok());
  EXPECT_EQ(ok.remaining(), 4);
}

TEST_F(GrpcApiTest, UserLimitAndUnknownItem) {
  Start({"--demo-stock", "100", "--demo-per-user-limit", "1"});
  flashsale::PurchaseResponse response;
  ASSERT_TRUE(Buy("erin", "r1", 1, response).ok());
  auto limit = Buy("erin", "r2", 1, response);
  EXPECT_EQ(limit.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(limit), "flashsale/USER_LIMIT_REACHED");
  flashsale::PurchaseRequest req;
  req.set_request_id("r3");
  req.set_user_id("erin");
  req.set_item_id("ipad");
  req.set_quantity(1);
  grpc::ClientContext context;
  auto unknown = stub_->Purchase(&context, req, &response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(unknown), "flashsale/UNKNOWN_ITEM");
}

TEST_F(GrpcApiTest, GetOrderHealthAndGracefulStop) {
  Start();
  flashsale::PurchaseResponse bought;
  ASSERT_TRUE(Buy("gina", "r1", 3, bought).ok());
  std::string status;
  ASSERT_TRUE(WaitFor(
      [&] {
        flashsale::GetOrderRequest req;
        req.set_order_id(bought.order_id());
        flashsale::GetOrderResponse order;
        grpc::ClientContext context;
        if (!stub_->GetOrder(&context, req, &order).ok()) return false;
        status = order.status();
        return status == "confirmed" && order.quantity() == 3 && order.user_id() == "gina";
      },
      std::chrono::seconds(10)))
      << status;
  flashsale::GetOrderRequest missing;
  missing.set_order_id("NOPE");
  flashsale::GetOrderResponse order;
  grpc::ClientContext context;
  EXPECT_EQ(stub_->GetOrder(&context, missing, &order).error_code(), grpc::StatusCode::NOT_FOUND);

  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const char* service : {"", "flashsale.OrderService"}) {
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse res;
    grpc::ClientContext hc;
    ASSERT_TRUE(health->Check(&hc, req, &res).ok()) << service;
    EXPECT_EQ(res.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  EXPECT_EQ(app_->Terminate(), 0);
  EXPECT_NE(app_->Log().find("\"queue_flushed\":true"), std::string::npos);
}

TEST_F(GrpcApiTest, DrainingIsNotServingAndUnavailable) {
  Start({"--shutdown-grace", "3"});
  auto health = grpc::health::v1::Health::NewStub(channel_);
  auto check = [&] {
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse res;
    grpc::ClientContext context;
    return health->Check(&context, req, &res).ok() ? res.status()
                                                   : grpc::health::v1::HealthCheckResponse::UNKNOWN;
  };
  ASSERT_EQ(check(), grpc::health::v1::HealthCheckResponse::SERVING);
  app_->SendTerm();
  ASSERT_TRUE(WaitFor([&] { return check() == grpc::health::v1::HealthCheckResponse::NOT_SERVING; },
                      std::chrono::seconds(2)));
  flashsale::PurchaseResponse response;
  auto late = Buy("late", "r1", 1, response);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Reason(late), "flashsale/UNAVAILABLE");
  EXPECT_EQ(app_->Terminate(), 0);
}

}  // namespace
}  // namespace flashsale::testing
