// flashsale-rest over real sockets, on the embedded default (memory adapters).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app_process.hpp"
#include "http_connection.hpp"

namespace flashsale::testing {
namespace {

using json = nlohmann::json;

std::string Purchase(const std::string& user, const std::string& request, int quantity = 1,
                     const std::string& item = "iphone-15") {
  return json{{"request_id", request}, {"user_id", user}, {"item_id", item}, {"quantity", quantity}}
      .dump();
}

json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

/// Checks an error answer: status, problem+json, success:false and the seed's message.
void ExpectProblem(const HttpResponse& r, int status, const std::string& message) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "",
            "application/problem+json")
      << r.body;
  json body = Body(r);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body.value("success", true), false);
  EXPECT_EQ(body.value("message", ""), message) << r.body;
  EXPECT_EQ(body.value("status", 0), status);
  EXPECT_TRUE(body.contains("type") && body.contains("title") && body.contains("detail"));
}

class RestApiTest : public ::testing::Test {
 protected:
  std::unique_ptr<AppProcess> Start(std::vector<std::string> args = {}) {
    return std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args);
  }
};

TEST_F(RestApiTest, SeedContractTable) {
  auto app = Start({"--demo-stock", "3", "--demo-per-user-limit", "2"});
  int port = app->port();

  auto ok = Http(port, "POST", "/api/purchase", Purchase("alice", "r1"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.headers.at("content-type"), "application/json");
  json body = Body(ok);
  EXPECT_EQ(body["success"], true);
  EXPECT_EQ(body["message"], "order placed successfully");
  EXPECT_EQ(body["status"], "pending");
  EXPECT_EQ(body["remaining"], 2);
  EXPECT_EQ(body["replayed"], false);
  std::string order_id = body["order_id"];
  EXPECT_EQ(order_id.size(), 26U);

  auto replay = Http(port, "POST", "/api/purchase", Purchase("alice", "r1"));
  ASSERT_EQ(replay.status, 200);
  EXPECT_EQ(Body(replay)["order_id"], order_id);
  EXPECT_EQ(Body(replay)["replayed"], true);

  ExpectProblem(Http(port, "POST", "/api/purchase", Purchase("alice", "r1", 2)), 409,
                "duplicate request");
  ExpectProblem(Http(port, "POST", "/api/purchase", Purchase("alice", "r2", 2)), 403,
                "user limit reached");
  ExpectProblem(Http(port, "POST", "/api/purchase", Purchase("bob", "r1", 1, "ipad")), 404,
                "unknown item");
  ASSERT_EQ(Http(port, "POST", "/api/purchase", Purchase("bob", "r2", 2)).status, 200);
  ExpectProblem(Http(port, "POST", "/api/purchase", Purchase("carol", "r1")), 410, "sold out");
  ExpectProblem(Http(port, "POST", "/api/purchase", "{not json"), 400, "invalid request body");
  ExpectProblem(Http(port, "POST", "/api/purchase", R"({"user_id":"u"})"), 400,
                "missing required fields");
  auto wrong_method = Http(port, "GET", "/api/purchase");
  ExpectProblem(wrong_method, 405, "method not allowed");
  EXPECT_EQ(wrong_method.headers["allow"], "POST");
  ExpectProblem(Http(port, "GET", "/no/such/route"), 404, "not found");
  ExpectProblem(Http(port, "DELETE", "/health"), 405, "method not allowed");
}

struct BadInput {
  const char* name;
  std::string body;
  int status;
  const char* message;
};

class RestBadInputTest : public RestApiTest, public ::testing::WithParamInterface<BadInput> {};

void PrintTo(const BadInput& bad, std::ostream* os) { *os << bad.name; }

TEST_P(RestBadInputTest, RejectedWithA4xxAndNothingStored) {
  auto app = Start({"--demo-stock", "10"});
  const BadInput& bad = GetParam();
  ExpectProblem(Http(app->port(), "POST", "/api/purchase", bad.body), bad.status, bad.message);
  EXPECT_EQ(Http(app->port(), "GET", "/health").status, 200);
  // Nothing was reserved: the first valid purchase still sees all 10 units.
  auto ok = Http(app->port(), "POST", "/api/purchase", Purchase("probe", "probe"));
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(Body(ok)["remaining"], 9);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RestBadInputTest,
    ::testing::Values(
        BadInput{"MalformedJson", R"({"user_id": )", 400, "invalid request body"},
        BadInput{"NotAnObject", R"([1,2,3])", 400, "invalid request body"},
        BadInput{"EmptyBody", "", 400, "invalid request body"},
        BadInput{"MissingUser", R"({"request_id":"r","item_id":"iphone-15"})", 400,
                 "missing required fields"},
        BadInput{"MissingItem", R"({"request_id":"r","user_id":"u"})", 400,
                 "missing required fields"},
        BadInput{"MissingRequestId", R"({"user_id":"u","item_id":"iphone-15"})", 400,
                 "missing required fields"},
        BadInput{"UserIsNumber", R"({"request_id":"r","user_id":7,"item_id":"iphone-15"})", 400,
                 "invalid request body"},
        BadInput{"QuantityIsString",
                 R"({"request_id":"r","user_id":"u","item_id":"iphone-15","quantity":"1"})", 400,
                 "invalid request body"},
        BadInput{"QuantityIsFloat",
                 R"({"request_id":"r","user_id":"u","item_id":"iphone-15","quantity":1.5})", 400,
                 "invalid request body"},
        BadInput{"QuantityZero", Purchase("u", "r", 0), 400, "invalid request body"},
        BadInput{"QuantityNegative", Purchase("u", "r", -1), 400, "invalid request body"},
        BadInput{
            "QuantityHuge",
            R"({"request_id":"r","user_id":"u","item_id":"iphone-15","quantity":99999999999999999999})",
            400, "invalid request body"},
        BadInput{"QuantityOverMax", Purchase("u", "r", 101), 400, "invalid request body"},
        BadInput{"EmptyUser", Purchase("", "r"), 400, "invalid request body"},
        BadInput{"LongUser", Purchase(std::string(65, 'u'), "r"), 400, "invalid request body"},
        BadInput{"LongRequest", Purchase("u", std::string(65, 'r')), 400, "invalid request body"},
        BadInput{"OddCharsetUser", Purchase("u ser;--", "r"), 400, "invalid request body"},
        BadInput{"QuoteInItem", Purchase("u", "r", 1, "x'or'1'='1"), 400, "invalid request body"},
        BadInput{"UnicodeUser", Purchase("\xc3\xa9t\xc3\xa9", "r"), 400, "invalid request body"},
        BadInput{"InvalidUtf8", "{\"request_id\":\"r\",\"user_id\":\"\xff\",\"item_id\":\"i\"}",
                 400, "invalid request body"},
        BadInput{"BraceSale",
                 R"({"request_id":"r","user_id":"u","item_id":"iphone-15","sale_id":"{x}"})", 400,
                 "invalid request body"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(RestApiTest, OversizedBodyIs413AndServerStaysHealthy) {
  auto app = Start({"--max-body-bytes", "4096"});
  std::string big = R"({"request_id":"r","user_id":"u","item_id":"iphone-15","pad":")" +
                    std::string(20'000, 'x') + "\"}";
  auto r = Http(app->port(), "POST", "/api/purchase", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(Http(app->port(), "GET", "/health").status, 200);
  EXPECT_EQ(Http(app->port(), "POST", "/api/purchase", Purchase("u", "r")).status, 200);
}

TEST_F(RestApiTest, StressTwentyUnitsFiftyConcurrentBuyers) {
  auto app = Start({"--demo-stock", "20"});
  std::atomic<int> ok{0}, gone{0}, other{0};
  std::vector<std::thread> buyers;
  for (int i = 0; i < 50; ++i) {
    buyers.emplace_back([&, i] {
      auto r = Http(app->port(), "POST", "/api/purchase",
                    Purchase("buyer-" + std::to_string(i), "req-" + std::to_string(i)));
      if (r.status == 200)
        ++ok;
      else if (r.status == 410 && Body(r).value("message", "") == "sold out")
        ++gone;
      else
        ++other;
    });
  }
  for (auto& b : buyers) b.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(gone.load(), 30);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(RestApiTest, IdempotencyKeyHeaderQuotedOrNot) {
  auto app = Start();
  std::string body = R"({"user_id":"dora","item_id":"iphone-15","quantity":1})";
  auto first = Http(app->port(), "POST", "/api/purchase", body, "Idempotency-Key: key-1\r\n");
  ASSERT_EQ(first.status, 200) << first.body;
  auto quoted = Http(app->port(), "POST", "/api/purchase", body, "idempotency-key: \"key-1\"\r\n");
  ASSERT_EQ(quoted.status, 200);
  EXPECT_EQ(Body(quoted)["order_id"], Body(first)["order_id"]);
  EXPECT_EQ(Body(quoted)["replayed"], true);
  std::string changed = R"({"user_id":"dora","item_id":"iphone-15","quantity":2})";
  ExpectProblem(Http(app->port(), "POST", "/api/purchase", changed, "Idempotency-Key: key-1\r\n"),
                409, "duplicate request");
  ExpectProblem(Http(app->port(), "POST", "/api/purchase", Purchase("dora", "other"),
                     "Idempotency-Key: key-2\r\n"),
                400, "invalid request body");
}

TEST_F(RestApiTest, KeepAliveWorksWithoutAConnectionHeader) {
  auto app = Start();
  HttpConnection connection(app->port());
  ASSERT_TRUE(connection.open());
  for (int i = 0; i < 3; ++i) {
    auto r = connection.Send("POST", "/api/purchase", Purchase("kim", "ka-" + std::to_string(i)));
    ASSERT_EQ(r.status, 200) << "request " << i << " on the same connection";
    EXPECT_EQ(r.headers["connection"], "Keep-Alive");
  }
  EXPECT_EQ(connection.Send("GET", "/health").status, 200);
}

TEST_F(RestApiTest, OrderStatusGoesFromPendingToConfirmed) {
  auto app = Start();
  auto ok = Http(app->port(), "POST", "/api/purchase", Purchase("olga", "r1"));
  ASSERT_EQ(ok.status, 200);
  std::string id = Body(ok)["order_id"];
  std::string status;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = Http(app->port(), "GET", "/api/orders/" + id);
        status = Body(r).value("status", "");
        return r.status == 200 && status == "confirmed";
      },
      std::chrono::seconds(10)))
      << status;
  json order = Body(Http(app->port(), "GET", "/api/orders/" + id));
  EXPECT_EQ(order["user_id"], "olga");
  EXPECT_EQ(order["item_id"], "iphone-15");
  EXPECT_EQ(order["quantity"], 1);
  EXPECT_EQ(order["unit_price_cents"], 99900);
  ExpectProblem(Http(app->port(), "GET", "/api/orders/NOPE"), 404, "order not found");
  ExpectProblem(Http(app->port(), "GET", "/api/orders/bad%20id"), 400, "invalid request body");
}

TEST_F(RestApiTest, ProbesAndMetrics) {
  auto app = Start();
  EXPECT_EQ(Http(app->port(), "GET", "/health").body, R"({"status":"ok"})");
  EXPECT_EQ(Http(app->port(), "GET", "/livez").status, 200);
  EXPECT_EQ(Http(app->port(), "GET", "/readyz").status, 200);
  ASSERT_EQ(Http(app->port(), "POST", "/api/purchase", Purchase("m", "r")).status, 200);
  ASSERT_EQ(Http(app->port(), "POST", "/api/purchase", "junk").status, 400);
  auto metrics = Http(app->port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.headers["content-type"].find("text/plain"), std::string::npos);
  for (const char* expected :
       {"flashsale_purchases_total{outcome=\"accepted\"} 1",
        "flashsale_requests_total{code=\"400\",route=\"/api/purchase\",transport=\"http\"} 1",
        "flashsale_purchase_duration_seconds_bucket", "flashsale_queue_depth_orders",
        "flashsale_orders_persisted_total",
        "flashsale_build_info{version=", "flashsale_request_duration_seconds_bucket"}) {
    EXPECT_NE(metrics.body.find(expected), std::string::npos) << expected;
  }
  EXPECT_EQ(metrics.body.find("user_id"), std::string::npos) << "no user ids in labels";
}

TEST_F(RestApiTest, EmptyPathSegmentsAreIgnoredButDotSegmentsAndCaseAreNot) {
  // The decision: empty segments are normalised away (Pistache's router skips them), so a
  // client that joins a base URL with a slash too many still reaches the route; nothing else
  // is rewritten.
  auto app = Start({"--demo-stock", "10"});
  int n = 0;
  for (const char* path : {"//api//purchase", "/api/purchase/", "/api/purchase//"}) {
    auto r = Http(app->port(), "POST", path, Purchase("u" + std::to_string(++n), "r1"));
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
  }
  EXPECT_EQ(Http(app->port(), "GET", "//api//products").status, 200);
  for (const char* path : {"/api/./purchase", "/API/purchase", "/api/purchase/x"}) {
    auto r = Http(app->port(), "POST", path, Purchase("v", "r1"));
    EXPECT_EQ(r.status, 404) << path;
  }
  EXPECT_EQ(Body(Http(app->port(), "GET", "/api/products/iphone-15"))["remaining"], 7);
}

// The HTTP conformance table: what the front door answers to pipelining, bad framing and
// malformed heads. Every refusal is problem+json with Connection: close, comes at once (well
// before the 5 s header timeout) and the connection is then closed; no C++ text leaks.
struct Conformance {
  const char* name;
  std::string bytes;
  std::vector<int> statuses;  // the answers, in order
  bool closed;                // the server closes the connection after the last answer
};

void PrintTo(const Conformance& c, std::ostream* os) { *os << c.name; }

class RestConformanceTest : public ::testing::TestWithParam<Conformance> {};

const std::string kHealth = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

std::string RawPurchase(const std::string& request) {
  const std::string body = Purchase("conformer", request);
  return "POST /api/purchase HTTP/1.1\r\nHost: x\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_P(RestConformanceTest, AnsweredInOrderOrRefusedAtOnce) {
  const Conformance& c = GetParam();
  AppProcess app(FLASHSALE_REST_BIN, {"--max-body-bytes", "1024"});  // the default framing
  HttpConnection connection(app.port());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(connection.SendRaw(c.bytes));
  for (std::size_t i = 0; i < c.statuses.size(); ++i) {
    const HttpResponse r = connection.Read();
    ASSERT_EQ(r.status, c.statuses[i]) << "answer " << i << ": " << r.body;
    for (const char* leak : {"stoull", "bad_alloc", "basic_string", "Invalid", "exception"}) {
      EXPECT_EQ(r.body.find(leak), std::string::npos) << r.body;
    }
    if (r.status >= 400) {
      EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "",
                "application/problem+json");
      EXPECT_EQ(Body(r).value("success", true), false) << r.body;
      EXPECT_EQ(r.headers.count("connection") ? r.headers.at("connection") : "", "Close");
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(connection.ClosedByPeer(std::chrono::milliseconds(c.closed ? 3000 : 300)), c.closed);
  // The server is unharmed.
  EXPECT_EQ(Http(app.port(), "GET", "/health").status, 200);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RestConformanceTest,
    ::testing::Values(
        Conformance{"ThreePipelinedGets", kHealth + kHealth + kHealth, {200, 200, 200}, false},
        Conformance{"PipelinedPurchasesAndProbesAnswerInOrder",
                    RawPurchase("p1") + kHealth + RawPurchase("p2") + kHealth,
                    {200, 200, 200, 200},
                    false},
        Conformance{"ConnectionCloseEndsTheConnection",
                    "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n" + kHealth,
                    {200},
                    true},
        Conformance{"BodyOverTheLimitIs413ThenClosed",
                    "POST /api/purchase HTTP/1.1\r\nContent-Length: 2000\r\n\r\n" +
                        std::string(2000, 'x') + kHealth,
                    {413},
                    true},
        Conformance{"AnswerBeforeARefusalStillComesFirst",
                    kHealth + "GET /health HTTP/1.1\nHost: x\n\n",
                    {200, 400},
                    true},
        Conformance{
            "HugeContentLength",
            "POST /api/purchase HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            {400},
            true},
        Conformance{"NegativeContentLength",
                    "POST /api/purchase HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                    {400},
                    true},
        Conformance{"Uint64MaxContentLength",
                    "POST /api/purchase HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n",
                    {400},
                    true},
        Conformance{"Int64MaxContentLength",
                    "POST /api/purchase HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n",
                    {400},
                    true},
        Conformance{"EmptyTarget", "GET  HTTP/1.1\r\nHost: x\r\n\r\n", {400}, true},
        Conformance{"Http09Line", "GET /health\r\n\r\n", {400}, true},
        Conformance{"LfOnlyLineEndings", "GET /health HTTP/1.1\nHost: x\n\n", {400}, true},
        Conformance{"JunkAfterTheRequestLine", "GET /health HTTP/1.1 junk\r\n\r\n", {400}, true},
        Conformance{"HugeChunkSize",
                    "POST /api/purchase HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "ffffffffffffffff\r\n",
                    {413},
                    true},
        Conformance{"UnsupportedTransferEncoding",
                    "POST /api/purchase HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                    {501},
                    true},
        Conformance{"UnknownMethod", "BREW /health HTTP/1.1\r\n\r\n", {501}, true},
        Conformance{"HeadIsNotServed", "HEAD /health HTTP/1.1\r\n\r\n", {501}, true},
        Conformance{
            "EmptyLinesBetweenPipelinedRequests", kHealth + "\r\n" + kHealth, {200, 200}, false},
        Conformance{"Http10ClosesAfterItsAnswer", "GET /health HTTP/1.0\r\n\r\n", {200}, true},
        Conformance{"Http2Version", "GET /health HTTP/2.0\r\n\r\n", {505}, true},
        Conformance{
            "OddContentType",
            "POST /api/purchase HTTP/1.1\r\nContent-Type: ///\r\nContent-Length: 2\r\n\r\n{}",
            {415},
            true},
        Conformance{"ChunkedPurchaseIsServed",
                    "POST /api/purchase HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
                        [] {
                          const std::string body = Purchase("chunky", "c1");
                          char size[16];
                          std::snprintf(size, sizeof size, "%zx", body.size());
                          return std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n";
                        }(),
                    {200},
                    false}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// A request must arrive whole within the header timeout (5 s) from its first byte, on a new
// connection (also one that sends nothing) and on a reused one alike: then a 408 in
// problem+json and the connection is closed. (Pistache alone timed a reused connection's next
// request only by the 30 s keep-alive timeout, and its 408 had no body.)
TEST(RestTimeoutTest, ARequestThatNeverCompletesGets408AlsoOnAReusedConnection) {
  AppProcess app(FLASHSALE_REST_BIN, {});
  HttpConnection reused(app.port());
  ASSERT_EQ(reused.Send("GET", "/health").status, 200);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // idle, then a request begins
  const auto start = std::chrono::steady_clock::now();
  HttpConnection fresh(app.port());
  HttpConnection silent(app.port());
  ASSERT_TRUE(fresh.SendRaw("POST /api/purchase HTTP/1.1\r\nHost: x\r\n"));
  ASSERT_TRUE(
      reused.SendRaw("POST /api/purchase HTTP/1.1\r\nHost: x\r\nContent-Length: 99"
                     "\r\n\r\n{\"user_id\":"));
  for (HttpConnection* connection : {&fresh, &reused, &silent}) {
    const std::string which = connection == &fresh    ? "fresh: "
                              : connection == &reused ? "reused: "
                                                      : "silent: ";
    HttpResponse timed_out = connection->Read();
    SCOPED_TRACE(which + timed_out.failure);
    ExpectProblem(timed_out, 408, "request timeout");
    EXPECT_EQ(timed_out.headers["connection"], "Close");
    EXPECT_TRUE(connection->ClosedByPeer(std::chrono::seconds(2)));
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(4500));  // not before the timeout
  EXPECT_LT(waited, std::chrono::seconds(9));          // the 30 s keep-alive did not apply
  // Nothing was bought by the unfinished request.
  EXPECT_EQ(Body(Http(app.port(), "GET", "/api/products/iphone-15"))["remaining"],
            Body(Http(app.port(), "GET", "/api/products/iphone-15"))["stock"]);
}

TEST_F(RestApiTest, PipelinedAnswersComeInRequestOrder) {
  // A purchase completes on another thread than a probe: its answer still comes first.
  auto app = Start();  // the default framing
  HttpConnection connection(app->port());
  ASSERT_TRUE(connection.SendRaw(RawPurchase("o1") + kHealth + RawPurchase("o2") + kHealth));
  const HttpResponse first = connection.Read();
  const HttpResponse second = connection.Read();
  const HttpResponse third = connection.Read();
  const HttpResponse fourth = connection.Read();
  EXPECT_EQ(Body(first).value("remaining", -1), 99) << first.body;
  EXPECT_EQ(second.body, R"({"status":"ok"})");
  EXPECT_EQ(Body(third).value("remaining", -1), 98) << third.body;
  EXPECT_EQ(fourth.body, R"({"status":"ok"})");
}

// --no-strict-http: Pistache's own framing, kept as a fallback. The routes work as before; a
// body over --max-body-bytes is still refused and nothing is bought.
TEST_F(RestApiTest, PistachesFramingStaysAvailableWithNoStrictHttp) {
  auto app = Start({"--no-strict-http", "--max-body-bytes", "1024"});
  HttpConnection connection(app->port());
  auto bought = connection.Send("POST", "/api/purchase", Purchase("fallback", "f1"));
  EXPECT_EQ(bought.status, 200) << bought.body;
  EXPECT_EQ(connection.Send("GET", "/health").status, 200);  // the connection is kept
  auto big = Http(app->port(), "POST", "/api/purchase", std::string(4096, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Body(Http(app->port(), "GET", "/api/products/iphone-15"))["remaining"], 99);
}

TEST(RestListenTest, TheListenBacklogIsConfigurableAndDefaultsTo4096UpToSomaxconn) {
  int somaxconn = 0;
  std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
  ASSERT_GT(somaxconn, 0);
  // ss shows a listening socket's backlog in its Send-Q column.
  auto backlog = [](int port) {
    TempDir dir("ss");
    const std::string out = (dir.path() / "ss").string();
    const std::string command = "ss -Hltn 'sport = :" + std::to_string(port) + "' >" + out;
    EXPECT_EQ(std::system(command.c_str()), 0);
    std::ifstream in(out);
    std::string state;
    int recv_q = -1, send_q = -1;
    in >> state >> recv_q >> send_q;
    return send_q;
  };
  AppProcess defaulted(FLASHSALE_REST_BIN, {});
  EXPECT_EQ(backlog(defaulted.port()), std::min(4096, somaxconn));
  AppProcess small(FLASHSALE_REST_BIN, {"--listen-backlog", "1000"});
  EXPECT_EQ(backlog(small.port()), std::min(1000, somaxconn));
  AppProcess huge(FLASHSALE_REST_BIN, {"--listen-backlog", "1000000"});
  EXPECT_EQ(backlog(huge.port()), somaxconn);
}

TEST_F(RestApiTest, SigtermExitsZeroAfterDraining) {
  auto app = Start();
  ASSERT_EQ(Http(app->port(), "POST", "/api/purchase", Purchase("t", "r")).status, 200);
  EXPECT_EQ(app->Terminate(), 0);
  std::string log = app->Log();
  EXPECT_NE(log.find("\"msg\":\"stopped\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"queue_flushed\":true"), std::string::npos) << log;
}

TEST_F(RestApiTest, DrainingAnswers503AndReadinessGoesOffFirst) {
  auto app = Start({"--shutdown-grace", "3"});
  ASSERT_EQ(Http(app->port(), "GET", "/readyz").status, 200);
  app->SendTerm();
  ASSERT_TRUE(WaitFor([&] { return Http(app->port(), "GET", "/readyz").status == 503; },
                      std::chrono::seconds(2)));
  auto readyz = Http(app->port(), "GET", "/readyz");
  EXPECT_EQ(readyz.headers["retry-after"], "1");
  auto purchase = Http(app->port(), "POST", "/api/purchase", Purchase("late", "r1"));
  ExpectProblem(purchase, 503, "service unavailable");
  EXPECT_EQ(purchase.headers["retry-after"], "1");
  EXPECT_EQ(Http(app->port(), "GET", "/livez").status, 200);  // alive while draining
  EXPECT_EQ(app->Terminate(), 0);
}

TEST(RestConfigTest, BadValuesFailAtStartWithAClearMessage) {
  TempDir dir("flashsale-config");
  auto run = [&](const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    ChildProcess process;
    std::vector<std::string> argv{FLASHSALE_REST_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    process.Start(argv, dir.path() / "out.log", env);
    int status = 0;
    EXPECT_TRUE(process.WaitExit(std::chrono::seconds(10), status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  auto output = [&] {
    std::ifstream in(dir.path() / "out.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  EXPECT_EQ(run({"--port", "70000"}), 2);
  EXPECT_NE(output().find("--port"), std::string::npos);
  EXPECT_EQ(run({"--redis-url", "http://nope"}), 2);
  EXPECT_NE(output().find("invalid redis url"), std::string::npos);
  EXPECT_EQ(run({}, {"FLASHSALE_MYSQL_URL=mysql://nobody"}), 2);
  EXPECT_NE(output().find("invalid mysql url"), std::string::npos);
  EXPECT_EQ(run({"--sale-id", "bad id"}), 2);
  // A shared Redis with the in-memory repository would persist others' orders in memory.
  EXPECT_EQ(run({"--redis-url", "redis://127.0.0.1:1"}), 2);
  EXPECT_NE(output().find("--redis-url without --mysql-url"), std::string::npos) << output();
  EXPECT_EQ(run({"--no-persistence-workers"}), 2);
  EXPECT_NE(output().find("--no-persistence-workers needs --redis-url"), std::string::npos);
  EXPECT_EQ(run({"--redis-url", "redis://127.0.0.1:1", "--no-persistence-workers"}), 2);
  EXPECT_NE(output().find("add --no-demo-sale"), std::string::npos) << output();
  EXPECT_EQ(run({"--redis-url", "redis://127.0.0.1:1", "--no-persistence-workers", "--no-demo-sale",
                 "--schedule", "hourly"}),
            2);
  EXPECT_EQ(run({"--help"}), 0);
  EXPECT_NE(output().find("FLASHSALE_REDIS_URL"), std::string::npos);
  EXPECT_NE(output().find("--drain-timeout"), std::string::npos);
}

}  // namespace
}  // namespace flashsale::testing
