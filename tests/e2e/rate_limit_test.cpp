// Rate limits over real sockets on the embedded default: a user's burst, recovery after
// Retry-After, the per-address bucket with and without --trust-proxy, the headers, and gRPC's
// RESOURCE_EXHAUSTED with RetryInfo. Two instances sharing a bucket through Redis:
// stack_test.cpp.
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

std::string Header(const HttpResponse& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

class RateLimitTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args) {
    app_ = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args);
    port_ = app_->port();
  }
  HttpResponse Buy(const std::string& user, const std::string& extra_headers = "") {
    return Http(port_, "POST", "/api/purchase",
                json{{"item_id", "iphone-15"},
                     {"user_id", user},
                     {"request_id", "r" + std::to_string(++requests_)}}
                    .dump(),
                extra_headers);
  }
  std::int64_t Remaining() {
    auto r = Http(port_, "GET", "/api/products/iphone-15");
    return json::parse(r.body, nullptr, false).value("remaining", std::int64_t{-1});
  }
  std::unique_ptr<AppProcess> app_;
  int port_ = 0;
  int requests_ = 0;
};

TEST_F(RateLimitTest, OffByDefault) {
  Start({});
  for (int i = 0; i < 30; ++i) {
    auto r = Buy("alice-" + std::to_string(i % 3));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Header(r, "ratelimit"), "");
  }
}

TEST_F(RateLimitTest, AUsersBurstGets429ThenRecoversAfterRetryAfter) {
  Start({"--rate-limit-user", "2/s:3"});
  for (int left : {2, 1, 0}) {
    auto r = Buy("alice");
    ASSERT_EQ(r.status, 200) << r.body;
    if (left * 2 >= 3) {  // at least half the quota left: no RateLimit fields
      EXPECT_FALSE(r.headers.contains("ratelimit-policy")) << Header(r, "ratelimit-policy");
      EXPECT_FALSE(r.headers.contains("ratelimit")) << Header(r, "ratelimit");
      continue;
    }
    EXPECT_EQ(Header(r, "ratelimit-policy"), R"("user";q=3;w=2)");
    EXPECT_TRUE(Header(r, "ratelimit").starts_with("\"user\";r=" + std::to_string(left) + ";t="))
        << Header(r, "ratelimit");
  }
  const std::int64_t remaining = Remaining();
  HttpResponse limited;
  for (int i = 0; i < 5; ++i) {
    limited = Buy("alice");
    ASSERT_EQ(limited.status, 429) << limited.body;
  }
  EXPECT_EQ(Header(limited, "content-type"), "application/problem+json");
  json body = json::parse(limited.body);
  EXPECT_EQ(body["message"], "rate limited");
  EXPECT_EQ(body["status"], 429);
  EXPECT_NE(body["detail"].get<std::string>().find("this user"), std::string::npos);
  EXPECT_EQ(Header(limited, "retry-after"), "1");
  EXPECT_EQ(Header(limited, "ratelimit-policy"), R"("user";q=3;w=2)");
  EXPECT_TRUE(Header(limited, "ratelimit").starts_with(R"("user";r=0;t=)"));
  EXPECT_EQ(Remaining(), remaining) << "a limited request wrote nothing";
  EXPECT_EQ(Buy("bob").status, 200);  // another user has a bucket of its own

  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(Header(limited, "retry-after"))));
  auto again = Buy("alice");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Remaining(), remaining - 2);

  // The other buying routes draw from the same bucket.
  auto form = Http(port_, "POST", "/api/orders", R"({"user_id":"carol","product_id":"iphone-15"})");
  EXPECT_EQ(form.status, 202) << form.body;
  EXPECT_FALSE(form.headers.contains("ratelimit")) << "2 of 3 left: no fields yet";
  auto hold = Http(port_, "POST", "/checkout?user_id=carol&item_id=iphone-15");
  EXPECT_EQ(hold.status, 200) << hold.body;
  EXPECT_EQ(Http(port_, "POST", "/checkout?user_id=carol&item_id=iphone-15").status, 200);
  auto refused = Http(port_, "POST", "/checkout?user_id=carol&item_id=iphone-15");
  EXPECT_EQ(refused.status, 429) << refused.body;
  // The refused checkout held nothing (the hold and the attempt's record are one store step).
  auto status = json::parse(Http(port_, "GET", "/sale/status").body, nullptr, false);
  EXPECT_EQ(status.value("held_items", -1), 2) << status.dump();
  // Reads are not limited.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Http(port_, "GET", "/sale/status").status, 200);
}

TEST_F(RateLimitTest, PerAddressBucketIgnoresForwardedForUnlessTrusted) {
  Start({"--rate-limit-ip", "1/m:2"});
  EXPECT_EQ(Buy("a1", "X-Forwarded-For: 1.1.1.1\r\n").status, 200);
  EXPECT_EQ(Buy("a2", "X-Forwarded-For: 2.2.2.2\r\n").status, 200);
  auto limited = Buy("a3", "X-Forwarded-For: 3.3.3.3\r\n");  // the socket address: 127.0.0.1
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(Header(limited, "ratelimit-policy"), R"("ip";q=2;w=120)");
  EXPECT_NE(limited.body.find("client address"), std::string::npos);
  const int retry = std::stoi(Header(limited, "retry-after"));
  EXPECT_GE(retry, 29);
  EXPECT_LE(retry, 60);
  app_.reset();

  Start({"--rate-limit-ip", "1/m:2", "--trust-proxy"});
  EXPECT_EQ(Buy("b1", "X-Forwarded-For: 1.1.1.1\r\n").status, 200);
  EXPECT_EQ(Buy("b2", "X-Forwarded-For: 1.1.1.1\r\n").status, 200);
  EXPECT_EQ(Buy("b3", "X-Forwarded-For: 1.1.1.1\r\n").status, 429);
  EXPECT_EQ(Buy("b4", "X-Forwarded-For: 2.2.2.2\r\n").status, 200);
  // The proxy appends the real client last: an address the client wrote first is ignored.
  EXPECT_EQ(Buy("b5", "X-Forwarded-For: 9.9.9.9, 1.1.1.1\r\n").status, 429);
  EXPECT_EQ(Buy("b6", "X-Forwarded-For: 1.1.1.1, 2001:db8::7\r\n").status, 200);
  // Not an address: the socket's is used.
  EXPECT_EQ(Buy("b7", "X-Forwarded-For: <script>\r\n").status, 200);
  EXPECT_EQ(Buy("b8").status, 200);
  EXPECT_EQ(Buy("b9").status, 429);
}

TEST_F(RateLimitTest, GrpcGetsResourceExhaustedWithRetryInfo) {
  AppProcess app(FLASHSALE_GRPC_BIN, {"--rate-limit-user", "1/m:1"});
  auto stub = flashsale::OrderService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(app.port()), grpc::InsecureChannelCredentials()));
  auto buy = [&](const std::string& request_id, flashsale::PurchaseResponse& response) {
    flashsale::PurchaseRequest request;
    request.set_item_id("iphone-15");
    request.set_user_id("alice");
    request.set_request_id(request_id);
    request.set_quantity(1);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub->Purchase(&context, request, &response);
  };
  flashsale::PurchaseResponse response;
  ASSERT_TRUE(buy("g1", response).ok());
  auto status = buy("g2", response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  bool retry_found = false;
  bool info_found = false;
  for (const auto& any : details.details()) {
    google::rpc::RetryInfo retry;
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&retry)) {
      retry_found = true;
      EXPECT_GE(retry.retry_delay().seconds(), 58);
      EXPECT_LE(retry.retry_delay().seconds(), 60);
    } else if (any.UnpackTo(&info)) {
      info_found = true;
      EXPECT_EQ(info.reason(), "RATE_LIMITED");
      EXPECT_EQ(info.metadata().at("policy"), "user");
      EXPECT_EQ(info.metadata().at("quota"), "1");
    }
  }
  EXPECT_TRUE(retry_found);
  EXPECT_TRUE(info_found);
}

TEST_F(RateLimitTest, GrpcPerAddressUsesForwardedForOnlyWhenTrusted) {
  for (bool trusted : {false, true}) {
    std::vector<std::string> args{"--rate-limit-ip", "1/m:1"};
    if (trusted) args.push_back("--trust-proxy");
    AppProcess app(FLASHSALE_GRPC_BIN, args);
    auto stub = flashsale::OrderService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(app.port()), grpc::InsecureChannelCredentials()));
    auto buy = [&](const std::string& user, const std::string& forwarded) {
      flashsale::PurchaseRequest request;
      request.set_item_id("iphone-15");
      request.set_user_id(user);
      request.set_request_id("r-" + user);
      request.set_quantity(1);
      grpc::ClientContext context;
      context.AddMetadata("x-forwarded-for", forwarded);
      flashsale::PurchaseResponse response;
      return stub->Purchase(&context, request, &response).error_code();
    };
    EXPECT_EQ(buy("u1", "1.1.1.1"), grpc::StatusCode::OK);
    EXPECT_EQ(buy("u2", "2.2.2.2"),
              trusted ? grpc::StatusCode::OK : grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(buy("u3", "1.1.1.1"), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
}

}  // namespace
}  // namespace flashsale::testing
