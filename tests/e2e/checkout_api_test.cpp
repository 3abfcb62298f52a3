// Two-step buying over real sockets on the embedded default: REST (the seed systems' shapes)
// and gRPC (Checkout, CompleteCheckout, GetSaleStatus).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "app_process.hpp"
#include "flashsale.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "http_connection.hpp"

namespace flashsale::testing {
namespace {

using json = nlohmann::json;

json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

void ExpectProblem(const HttpResponse& r, int status, const std::string& message) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "",
            "application/problem+json");
  json body = Body(r);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body.value("success", true), false);
  EXPECT_EQ(body.value("message", ""), message) << r.body;
}

std::string CodeOf(const HttpResponse& r) { return Body(r).value("checkout_code", ""); }

class CheckoutApiTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args) {
    app_ = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args);
    port_ = app_->port();
  }
  HttpResponse Post(const std::string& path, const std::string& body = "",
                    const std::string& headers = "") {
    return Http(port_, "POST", path, body, headers);
  }
  std::unique_ptr<AppProcess> app_;
  int port_ = 0;
};

TEST_F(CheckoutApiTest, SeedShapesCheckoutThenPurchase) {
  Start({"--demo-stock", "5", "--demo-per-user-limit", "2"});
  // Shape 1: ?user_id&item_id; shape 2: ?user_id&id; a JSON body works too.
  auto one = Post("/checkout?user_id=alice&item_id=iphone-15");
  ASSERT_EQ(one.status, 200) << one.body;
  json body = Body(one);
  EXPECT_EQ(body["success"], true);
  EXPECT_EQ(body["message"], "checkout code generated successfully");
  EXPECT_TRUE(body["checkout_code"].get<std::string>().starts_with("CHK_"));
  EXPECT_GE(body["checkout_code"].get<std::string>().size(), 4U + 26U);
  EXPECT_TRUE(body["expires_at"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(body["item"]["id"], "iphone-15");
  EXPECT_EQ(body["item"]["price"], 999.0);
  auto two = Post("/checkout?user_id=bob&id=iphone-15");
  ASSERT_EQ(two.status, 200) << two.body;
  auto three = Post("/checkout", R"({"user_id":"carol","item_id":"iphone-15"})");
  ASSERT_EQ(three.status, 200) << three.body;

  auto bought = Post("/purchase", json{{"checkout_code", CodeOf(one)}}.dump());
  ASSERT_EQ(bought.status, 200) << bought.body;
  body = Body(bought);
  EXPECT_EQ(body["message"], "purchase completed successfully");
  EXPECT_EQ(body["item"]["id"], "iphone-15");
  EXPECT_EQ(body["total_price"], 999.0);
  EXPECT_EQ(body["user_purchases"], 1);
  EXPECT_TRUE(body["purchased_at"].get<std::string>().ends_with("Z"));
  const std::string order_id = body["order_id"];
  auto by_query = Post("/purchase?code=" + CodeOf(two));
  EXPECT_EQ(by_query.status, 200) << by_query.body;

  // The order exists: GET /api/orders/{id} finds it (pending, then confirmed).
  auto order = Http(port_, "GET", "/api/orders/" + order_id);
  EXPECT_EQ(order.status, 200) << order.body;

  auto status = Http(port_, "GET", "/sale/status");
  ASSERT_EQ(status.status, 200) << status.body;
  body = Body(status);
  EXPECT_EQ(body["sale_id"], "demo");
  EXPECT_EQ(body["active"], true);
  EXPECT_EQ(body["remaining_items"], 2);
  EXPECT_EQ(body["held_items"], 1);
  EXPECT_EQ(body["sold_items"], 2);
  EXPECT_EQ(body["per_user_limit"], 2);
  EXPECT_EQ(body["items"][0]["stock"], 5);
  EXPECT_EQ(Http(port_, "GET", "/sale/status?sale_id=demo").status, 200);
  ExpectProblem(Http(port_, "GET", "/sale/status?sale_id=nope"), 404, "not found");
}

TEST_F(CheckoutApiTest, ErrorTable) {
  Start({"--demo-stock", "2", "--demo-per-user-limit", "1"});
  ExpectProblem(Post("/checkout?item_id=iphone-15"), 400, "missing required fields");
  ExpectProblem(Post("/checkout?user_id=alice"), 400, "missing required fields");
  ExpectProblem(Post("/checkout?user_id=al%20ice&item_id=iphone-15"), 400, "invalid request body");
  ExpectProblem(Post("/checkout", "[1,2]"), 400, "invalid request body");
  ExpectProblem(Post("/checkout?user_id=a&item_id=iphone-15", R"({"user_id":"b"})"), 400,
                "invalid request body");
  ExpectProblem(Post("/checkout?user_id=alice&item_id=ipad"), 404, "unknown item");
  ASSERT_EQ(Post("/checkout?user_id=alice&item_id=iphone-15").status, 200);
  ExpectProblem(Post("/checkout?user_id=alice&item_id=iphone-15"), 403,
                "user purchase limit exceeded");
  ASSERT_EQ(Post("/checkout?user_id=bob&item_id=iphone-15").status, 200);
  ExpectProblem(Post("/checkout?user_id=carol&item_id=iphone-15"), 410, "sold out");
  ExpectProblem(Post("/purchase"), 400, "missing required fields");
  ExpectProblem(Post("/purchase?code=CHK_nope"), 400, "invalid request body");
  ExpectProblem(Post("/purchase?code=CHK_00000000000000000000000000_demo"), 404,
                "unknown checkout code");
  ExpectProblem(Http(port_, "GET", "/checkout"), 405, "method not allowed");
  ExpectProblem(Http(port_, "GET", "/purchase"), 405, "method not allowed");
  ExpectProblem(Post("/sale/status"), 405, "method not allowed");
}

TEST_F(CheckoutApiTest, UsedExpiredAndReplayedCodes) {
  Start({"--demo-stock", "3", "--hold-ttl", "3", "--sweep-interval-ms", "100"});
  auto hold = Post("/checkout?user_id=alice&item_id=iphone-15&request_id=c-1");
  ASSERT_EQ(hold.status, 200) << hold.body;
  // The same request id replays the first answer (the same code), also via Idempotency-Key.
  auto again = Post("/checkout?user_id=alice&item_id=iphone-15", "", "Idempotency-Key: c-1\r\n");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(CodeOf(again), CodeOf(hold));
  EXPECT_EQ(Body(again)["replayed"], true);

  auto first =
      Post("/purchase", json{{"checkout_code", CodeOf(hold)}, {"request_id", "p-1"}}.dump());
  ASSERT_EQ(first.status, 200) << first.body;
  auto replay = Post("/purchase?code=" + CodeOf(hold), "", "Idempotency-Key: p-1\r\n");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(Body(replay)["order_id"], Body(first)["order_id"]);
  EXPECT_EQ(Body(replay)["replayed"], true);
  auto used = Post("/purchase?code=" + CodeOf(hold));
  ExpectProblem(used, 409, "checkout code already used");
  EXPECT_EQ(Body(used)["order_id"], Body(first)["order_id"]);

  auto late = Post("/checkout?user_id=bob&item_id=iphone-15");
  ASSERT_EQ(late.status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // past the 3 s hold
  ExpectProblem(Post("/purchase?code=" + CodeOf(late)), 410, "checkout code has expired");
  EXPECT_EQ(Body(Http(port_, "GET", "/sale/status"))["remaining_items"], 2);  // bob's came back
}

TEST_F(CheckoutApiTest, AClosedSaleRefusesNewBuyersWith409AndKeepsItsCodes) {
  const std::string token = "checkout-test-admin-token-0123";
  Start({"--demo-stock", "5", "--admin-token", token});
  auto hold = Post("/checkout?user_id=alice&item_id=iphone-15");
  ASSERT_EQ(hold.status, 200) << hold.body;
  auto closed = Post("/admin/sales/demo/close", "", "Authorization: Bearer " + token + "\r\n");
  ASSERT_EQ(closed.status, 200) << closed.body;
  ExpectProblem(Post("/checkout?user_id=bob&item_id=iphone-15"), 409,
                "sale is not currently active");
  // The one-step routes keep their own seed message.
  ExpectProblem(Post("/api/purchase",
                     R"({"user_id":"bob","item_id":"iphone-15","quantity":1,"request_id":"r1"})"),
                409, "sale not active");
  ExpectProblem(Post("/api/orders", R"({"user_id":7,"product_id":"iphone-15"})"), 409,
                "sale not active");
  // A code handed out before the close is a promise already made: still redeemable.
  auto done = Post("/purchase?code=" + CodeOf(hold));
  EXPECT_EQ(done.status, 200) << done.body;
  auto status = Body(Http(port_, "GET", "/sale/status?sale_id=demo"));
  EXPECT_EQ(status["active"], false);
  EXPECT_EQ(status["sold_items"], 1);
  EXPECT_EQ(status["remaining_items"], 4);  // nothing else was taken
}

TEST_F(CheckoutApiTest, ProductsAndTheOrderForm) {
  Start({"--demo-stock", "3", "--demo-per-user-limit", "5"});
  auto products = Http(port_, "GET", "/api/products");
  ASSERT_EQ(products.status, 200) << products.body;
  json list = Body(products);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0]["id"], "iphone-15");
  EXPECT_EQ(list[0]["stock"], 3);
  EXPECT_EQ(list[0]["remaining"], 3);
  EXPECT_EQ(list[0]["price"], 999.0);
  ExpectProblem(Http(port_, "GET", "/api/products/ipad"), 404, "unknown product");

  // Ids may be numbers or strings; without a request id every call is a new order.
  auto first = Post("/api/orders", R"({"user_id": 1, "product_id": "iphone-15"})");
  ASSERT_EQ(first.status, 202) << first.body;
  json body = Body(first);
  EXPECT_EQ(body["status"], "success");
  EXPECT_EQ(body["message"], "order received");
  EXPECT_EQ(body["order_status"], "pending");
  auto second = Post("/api/orders", R"({"user_id": 1, "product_id": "iphone-15"})");
  ASSERT_EQ(second.status, 202) << second.body;
  EXPECT_NE(Body(second)["order_id"], body["order_id"]);
  // With a request id (Idempotency-Key or body) the order form is idempotent.
  auto keyed = Post("/api/orders", R"({"user_id": 3, "product_id": "iphone-15"})",
                    "Idempotency-Key: form-1\r\n");
  ASSERT_EQ(keyed.status, 202) << keyed.body;
  auto replay = Post("/api/orders", R"({"user_id": 3, "product_id": "iphone-15",
                                       "request_id": "form-1"})");
  ASSERT_EQ(replay.status, 202) << replay.body;
  EXPECT_EQ(Body(replay)["order_id"], Body(keyed)["order_id"]);
  EXPECT_EQ(Body(replay)["replayed"], true);
  EXPECT_EQ(Body(Http(port_, "GET", "/api/products/iphone-15"))["remaining"], 0);  // live
  ExpectProblem(Post("/api/orders", R"({"user_id": "2", "product_id": "iphone-15"})"), 410,
                "sold out");
  ExpectProblem(Post("/api/orders", R"({"user_id": 2, "product_id": 7})"), 404, "unknown product");
  ExpectProblem(Post("/api/orders", R"({"product_id": 7})"), 400, "missing required fields");
  ExpectProblem(Post("/api/orders", R"({"user_id": 1.5, "product_id": 7})"), 400,
                "invalid request body");
  ExpectProblem(Post("/api/orders", "[]"), 400, "invalid request body");
  ExpectProblem(Http(port_, "GET", "/api/orders"), 405, "method not allowed");
  ExpectProblem(Post("/api/products"), 405, "method not allowed");
}

TEST_F(CheckoutApiTest, IndexListsTheRoutes) {
  Start({});
  auto index = Http(port_, "GET", "/");
  ASSERT_EQ(index.status, 200) << index.body;
  const json body = Body(index);
  std::string paths = " ";
  for (const auto& route : body["routes"]) paths += route["path"].get<std::string>() + " ";
  for (const char* path : {"/api/purchase", "/api/products", "/api/orders", "/checkout",
                           "/purchase", "/sale/status", "/health"}) {
    EXPECT_NE(paths.find(" " + std::string(path) + " "), std::string::npos) << path;
  }
}

std::string Reason(const grpc::Status& status, std::string* order_id = nullptr) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "<unparsable>";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) {
      if (order_id && info.metadata().count("order_id")) *order_id = info.metadata().at("order_id");
      return info.reason();
    }
  }
  return "<none>";
}

TEST(GrpcCheckoutTest, CheckoutCompleteStatusAndErrors) {
  AppProcess app(FLASHSALE_GRPC_BIN, {"--demo-stock", "3", "--demo-per-user-limit", "1",
                                      "--hold-ttl", "1", "--sweep-interval-ms", "100"});
  auto stub = flashsale::OrderService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(app.port()), grpc::InsecureChannelCredentials()));
  auto checkout = [&](const std::string& user, flashsale::CheckoutResponse& response) {
    flashsale::CheckoutRequest request;
    request.set_user_id(user);
    request.set_item_id("iphone-15");
    grpc::ClientContext context;
    return stub->Checkout(&context, request, &response);
  };
  auto complete = [&](const std::string& code, flashsale::CompleteCheckoutResponse& response) {
    flashsale::CompleteCheckoutRequest request;
    request.set_checkout_code(code);
    grpc::ClientContext context;
    return stub->CompleteCheckout(&context, request, &response);
  };
  flashsale::CheckoutResponse held;
  ASSERT_TRUE(checkout("alice", held).ok());
  EXPECT_TRUE(held.checkout_code().starts_with("CHK_"));
  EXPECT_EQ(held.item().price_cents(), 99900);
  EXPECT_GT(held.expires_at_ms(), 0);
  // Redeemed at once: every hold here lasts 1 s (bob's below is left to expire).
  flashsale::CompleteCheckoutResponse done;
  ASSERT_TRUE(complete(held.checkout_code(), done).ok());
  EXPECT_EQ(done.status(), "pending");
  EXPECT_EQ(done.user_purchases(), 1);
  EXPECT_EQ(done.total_price_cents(), 99900);
  flashsale::CheckoutResponse refused;
  auto limit = checkout("alice", refused);
  EXPECT_EQ(limit.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(limit), "USER_LIMIT_REACHED");
  EXPECT_EQ(checkout("bad id!", refused).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  flashsale::CompleteCheckoutResponse again;
  std::string used_by;
  auto used = complete(held.checkout_code(), again);
  EXPECT_EQ(used.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(used, &used_by), "CHECKOUT_USED");
  EXPECT_EQ(used_by, done.order_id());
  auto unknown = complete("CHK_00000000000000000000000000_demo", again);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(unknown), "UNKNOWN_CHECKOUT");
  EXPECT_EQ(complete("nope", again).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  flashsale::CheckoutResponse lapsing;
  ASSERT_TRUE(checkout("bob", lapsing).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // past bob's 1 s hold
  auto expired = complete(lapsing.checkout_code(), again);
  EXPECT_EQ(expired.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(expired), "CHECKOUT_EXPIRED");

  flashsale::GetSaleStatusRequest request;
  flashsale::GetSaleStatusResponse status;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->GetSaleStatus(&context, request, &status).ok());
  EXPECT_EQ(status.sale_id(), "demo");
  EXPECT_EQ(status.remaining_items(), 2);  // bob's unit came back
  EXPECT_EQ(status.held_items(), 0);
  EXPECT_EQ(status.sold_items(), 1);
  ASSERT_EQ(status.items_size(), 1);
  EXPECT_EQ(status.items(0).stock(), 3);
}

}  // namespace
}  // namespace flashsale::testing
