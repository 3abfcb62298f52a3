// Both apps against a real redis-server and mariadbd: purchases persist; SIGTERM during load
// exits 0 and every 200 has its row; a dead Redis gives 503 + Retry-After and readiness 503.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "app_process.hpp"
#include "flashsale.grpc.pb.h"
#include "http_connection.hpp"
#include "mariadb_server.hpp"
#include "redis_server.hpp"

namespace flashsale::testing {
namespace {

using json = nlohmann::json;

class StackTest : public ::testing::Test {
 protected:
  std::vector<std::string> StackArgs(const std::string& stock, const std::string& sale = "demo") {
    return {
        "--sale-id",
        sale,
        "--redis-url",
        "redis://127.0.0.1:" + std::to_string(redis_.port()),
        "--mysql-url",
        "mysql://flashsale:flashsale@127.0.0.1:" + std::to_string(mariadb_.port()) + "/flashsale",
        "--migrate",
        "--demo-stock",
        stock,
        "--demo-per-user-limit",
        "1000000",
        "--drain-timeout",
        "30"};
  }
  /// Runs stress_test against this stack with `args` (plus --verify and the store URLs);
  /// returns its output and whether it exited 0.
  std::pair<bool, std::string> RunStress(std::vector<std::string> args) {
    return RunStressTest(
        FLASHSALE_STRESS_BIN, std::move(args), "redis://127.0.0.1:" + std::to_string(redis_.port()),
        "mysql://flashsale:flashsale@127.0.0.1:" + std::to_string(mariadb_.port()) + "/flashsale");
  }

  std::set<std::string> StoredOrders() {
    std::set<std::string> ids;
    std::istringstream rows(
        mariadb_.Sql("SELECT order_id FROM flashsale.orders WHERE status='confirmed'"));
    std::string line;
    while (std::getline(rows, line)) {
      if (!line.empty()) ids.insert(line);
    }
    return ids;
  }

  RedisServer redis_;
  MariaDbServer mariadb_;
};

TEST_F(StackTest, MigrateOnlyAppliesTheMigrationsAndExits) {
  // The compose stack's one-shot migrate service: exit 0 once applied (and again when there is
  // nothing left to apply), 1 when MySQL cannot be reached, 2 without a MySQL URL.
  TempDir dir("flashsale-migrate");
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), FLASHSALE_REST_BIN);
    ChildProcess app;
    app.Start(args, dir.path() / "migrate.log");
    int status = 0;
    EXPECT_TRUE(app.WaitExit(std::chrono::seconds(30), status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  const std::string url =
      "mysql://flashsale:flashsale@127.0.0.1:" + std::to_string(mariadb_.port()) + "/flashsale";
  EXPECT_EQ(run({"--migrate-only", "--mysql-url", url}), 0);
  EXPECT_EQ(run({"--migrate-only", "--mysql-url", url}), 0);
  EXPECT_NE(mariadb_.Sql("SELECT COUNT(*) FROM flashsale.schema_migrations"), "0");
  EXPECT_EQ(run({"--migrate-only", "--mysql-url", "mysql://flashsale:x@127.0.0.1:1/flashsale"}), 1);
  EXPECT_EQ(run({"--migrate-only"}), 2);
}

// SIGTERM while purchases keep arriving, 3 times: exit 0, every 200 has its row, and nothing
// is stored that was not answered 200 (an accepted answer cut by the shutdown would be a row
// without a 200).
TEST_F(StackTest, SigtermDuringLoadExitsZeroAndEvery200HasItsRow) {
  std::mutex mu;
  std::set<std::string> accepted;
  for (int round = 0; round < 3; ++round) {
    auto app = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, StackArgs("100000"));
    std::atomic<bool> stop{false};
    std::atomic<int> unavailable{0}, refused_connections{0}, other{0};
    const std::size_t before = accepted.size();
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
      clients.emplace_back([&, c] {
        HttpConnection connection(app->port());
        for (int i = 0; !stop.load(); ++i) {
          std::string body = json{
              {"request_id",
               "c" + std::to_string(round) + "-" + std::to_string(c) + "-" + std::to_string(i)},
              {"user_id", "u" + std::to_string(c)},
              {"item_id",
               "iphone-15"}}.dump();
          auto r = connection.Send("POST", "/api/purchase", body);
          if (r.status == 200) {
            std::lock_guard lock(mu);
            accepted.insert(json::parse(r.body)["order_id"].get<std::string>());
          } else if (r.status == 503) {
            ++unavailable;
          } else if (r.status == 0) {
            ++refused_connections;  // the server closed: expected after shutdown
            break;
          } else {
            ++other;
          }
        }
      });
    }
    const bool loaded = WaitFor(
        [&] {
          std::lock_guard lock(mu);
          return accepted.size() >= before + 1000;
        },
        std::chrono::seconds(60));
    EXPECT_EQ(app->Terminate(std::chrono::seconds(60)), 0) << app->Log();
    stop = true;
    for (auto& client : clients) client.join();
    ASSERT_TRUE(loaded) << "1,000 purchases were not accepted within 60 s";
    EXPECT_EQ(other.load(), 0);
    std::string log = app->Log();
    EXPECT_NE(log.find("\"queue_flushed\":true"), std::string::npos) << log;
  }
  auto stored = StoredOrders();
  std::size_t missing = 0;
  for (const auto& id : accepted) missing += stored.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0U) << "of " << accepted.size() << " accepted";
  EXPECT_EQ(stored.size(), accepted.size()) << "rows stored without a 200";
}

TEST_F(StackTest, GrpcAndRestShareTheStockAndPersist) {
  auto rest = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, StackArgs("5"));
  auto grpc_app = std::make_unique<AppProcess>(FLASHSALE_GRPC_BIN, StackArgs("5"));
  auto stub = flashsale::OrderService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(grpc_app->port()), grpc::InsecureChannelCredentials()));
  std::set<std::string> accepted;
  int sold_out = 0;
  for (int i = 0; i < 8; ++i) {
    if (i % 2 == 0) {
      auto r = Http(rest->port(), "POST", "/api/purchase",
                    json{{"request_id", "r"},
                         {"user_id", "rest-" + std::to_string(i)},
                         {"item_id", "iphone-15"}}
                        .dump());
      if (r.status == 200) accepted.insert(json::parse(r.body)["order_id"].get<std::string>());
      if (r.status == 410) ++sold_out;
    } else {
      flashsale::PurchaseRequest req;
      req.set_request_id("r");
      req.set_user_id("grpc-" + std::to_string(i));
      req.set_item_id("iphone-15");
      req.set_quantity(1);
      flashsale::PurchaseResponse res;
      grpc::ClientContext context;
      auto status = stub->Purchase(&context, req, &res);
      if (status.ok()) accepted.insert(res.order_id());
      if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) ++sold_out;
    }
  }
  EXPECT_EQ(accepted.size(), 5U);
  EXPECT_EQ(sold_out, 3);
  ASSERT_TRUE(WaitFor([&] { return StoredOrders() == accepted; }, std::chrono::seconds(20)));
  EXPECT_EQ(mariadb_.Sql("SELECT sold FROM flashsale.sale_items WHERE sale_id='demo'"), "5");
  auto order = Http(rest->port(), "GET", "/api/orders/" + *accepted.begin());
  EXPECT_EQ(json::parse(order.body)["status"], "confirmed");
  EXPECT_EQ(rest->Terminate(), 0);
  EXPECT_EQ(grpc_app->Terminate(), 0);
}

TEST_F(StackTest, StressTestVerifiesExactNOnTheRealStack) {
  auto app = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, StackArgs("2000"));
  auto [ok, output] = RunStress({"--target", "127.0.0.1:" + std::to_string(app->port()),
                                 "--concurrency", "64", "--requests", "20000", "--users", "5000"});
  EXPECT_TRUE(ok) << output;
  EXPECT_NE(output.find("VERIFY PASS"), std::string::npos) << output;
  EXPECT_EQ(output.find("FAIL "), std::string::npos) << output;
  EXPECT_NE(output.find("\"accepted\":2000"), std::string::npos) << output;
  EXPECT_NE(output.find("\"engine\":\"events\""), std::string::npos) << output;
  // The open loop of the event engine, then the threaded engine: the sale is sold out now,
  // so every answer must be a sold-out, and the invariants still hold.
  for (std::string engine : {"events", "threads"}) {
    auto [more_ok, more] = RunStress({"--target", "127.0.0.1:" + std::to_string(app->port()),
                                      "--engine", engine, "--concurrency", "32", "--rate", "2000",
                                      "--requests", "2000", "--users", "500"});
    EXPECT_TRUE(more_ok) << more;
    EXPECT_NE(more.find("VERIFY PASS"), std::string::npos) << more;
    EXPECT_NE(more.find("\"mode\":\"open\""), std::string::npos) << more;
    EXPECT_NE(more.find("\"sold_out\":2000"), std::string::npos) << more;
    EXPECT_NE(more.find("\"engine\":\"" + engine + "\""), std::string::npos) << more;
  }
  EXPECT_EQ(app->Terminate(), 0);
}

TEST_F(StackTest, AdminAuditIsConsistentEveryTimeDuringA20000RequestLoad) {
  const std::string auth = "Authorization: Bearer stack-admin-token-0123456789\r\n";
  auto args = StackArgs("10");
  args.insert(args.end(), {"--admin-token", "stack-admin-token-0123456789"});
  auto app = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args);
  const int port = app->port();
  const json sale{{"id", "audited"},
                  {"items",
                   {{{"id", "a"}, {"stock", 3000}, {"price_cents", 100}},
                    {{"id", "b"}, {"stock", 3000}, {"price_cents", 200}}}},
                  {"per_user_limit", 4},
                  {"ends_at", "2099-01-01T00:00:00Z"}};
  auto created = Http(port, "POST", "/admin/sales", sale.dump(), auth);
  ASSERT_EQ(created.status, 201) << created.body;

  std::atomic<bool> done{false};
  std::pair<bool, std::string> stress;
  std::thread load([&] {
    stress = RunStress({"--target", "127.0.0.1:" + std::to_string(port), "--sale-id", "audited",
                        "--items", "a,b", "--concurrency", "64", "--requests", "20000", "--users",
                        "5000"});
    done = true;
  });
  int audits = 0;
  int mid_flight = 0;  // audits that caught accepted orders not yet in MariaDB
  std::string inconsistent;
  while (!done.load()) {
    auto r = Http(port, "GET", "/admin/sales/audited/audit", "", auth);
    json audit = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !audit.value("consistent", false)) {
      inconsistent = std::to_string(r.status) + " " + r.body;
      break;
    }
    ++audits;
    if (audit["items"][0]["pending"].get<int>() + audit["items"][1]["pending"].get<int>() > 0) {
      ++mid_flight;
    }
  }
  load.join();
  EXPECT_TRUE(inconsistent.empty()) << "after " << audits << " audits: " << inconsistent;
  EXPECT_TRUE(stress.first) << stress.second;
  EXPECT_NE(stress.second.find("VERIFY PASS"), std::string::npos) << stress.second;
  EXPECT_NE(stress.second.find("\"accepted\":6000"), std::string::npos) << stress.second;
  EXPECT_GE(audits, 3);
  EXPECT_GT(mid_flight, 0) << audits << " audits, none caught orders in flight";
  std::cout << "[ audit    ] " << audits << " audits during the load, " << mid_flight
            << " with orders pending, all consistent\n";

  auto last = json::parse(Http(port, "GET", "/admin/sales/audited/audit", "", auth).body);
  EXPECT_EQ(last["consistent"], true) << last.dump();
  for (const auto& item : last["items"]) {
    EXPECT_EQ(item["remaining"], 0) << last.dump();
    EXPECT_EQ(item["pending"], 0) << last.dump();
    EXPECT_EQ(item["persisted"], 3000) << last.dump();
  }
  EXPECT_LE(last["max_units_per_user"].get<int>(), 4);
  EXPECT_EQ(mariadb_.Sql("SELECT SUM(sold) FROM flashsale.sale_items WHERE sale_id='audited'"),
            "6000");
  EXPECT_EQ(app->Terminate(), 0);
}

TEST_F(StackTest, TwoInstancesShareTheRateLimitBucketsThroughRedis) {
  auto args = StackArgs("100");
  args.insert(args.end(), {"--rate-limit-user", "1/m:3"});
  auto first = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args);
  auto second = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args);
  int n = 0;
  auto buy = [&](AppProcess& app) {
    return Http(app.port(), "POST", "/api/purchase",
                json{{"item_id", "iphone-15"},
                     {"user_id", "shared-user"},
                     {"request_id", "r" + std::to_string(++n)}}
                    .dump());
  };
  EXPECT_EQ(buy(*first).status, 200);
  EXPECT_EQ(buy(*second).status, 200);
  auto third = buy(*first);
  EXPECT_EQ(third.status, 200);
  EXPECT_EQ(third.headers["ratelimit"].substr(0, 13), R"("user";r=0;t=)");
  auto limited = buy(*second);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_GE(std::stoi(limited.headers["retry-after"]), 19);
  EXPECT_EQ(buy(*first).status, 429);
  // A purchase's buckets are the sale's (drawn by the reserve function, one FCALL); the
  // other buying routes draw from buckets outside any sale, through the limiter.
  EXPECT_EQ(redis_.Cli("HEXISTS 'fs:{demo}:rl' u:shared-user"), "1");
  EXPECT_EQ(redis_.Cli("EXISTS 'fs:{~rl}:u:shared-user'"), "0");
  auto checkout = Http(second->port(), "POST", "/checkout",
                       json{{"item_id", "iphone-15"}, {"user_id", "shared-user"}}.dump());
  EXPECT_EQ(checkout.status, 200) << checkout.body;
  EXPECT_FALSE(checkout.headers.contains("ratelimit")) << "2 of 3 left: no fields yet";
  EXPECT_EQ(redis_.Cli("EXISTS 'fs:{~rl}:u:shared-user'"), "1");
  auto again = Http(first->port(), "POST", "/checkout",
                    json{{"item_id", "iphone-15"}, {"user_id", "shared-user"}}.dump());
  EXPECT_EQ(again.headers["ratelimit"].substr(0, 13), R"("user";r=1;t=)") << again.body;
  EXPECT_EQ(first->Terminate(), 0);
  EXPECT_EQ(second->Terminate(), 0);
}

TEST_F(StackTest, GrpcPurchasesAreLimitedInsideTheReservation) {
  auto args = StackArgs("100");
  args.insert(args.end(), {"--rate-limit-user", "1/m:1"});
  AppProcess app(FLASHSALE_GRPC_BIN, args);
  auto stub = flashsale::OrderService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(app.port()), grpc::InsecureChannelCredentials()));
  auto buy = [&](const std::string& request_id) {
    flashsale::PurchaseRequest request;
    request.set_item_id("iphone-15");
    request.set_user_id("grpc-user");
    request.set_request_id(request_id);
    request.set_quantity(1);
    flashsale::PurchaseResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub->Purchase(&context, request, &response);
  };
  ASSERT_TRUE(buy("g1").ok());
  auto limited = buy("g2");
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << limited.error_message();
  EXPECT_FALSE(limited.error_details().empty());  // ErrorInfo + RetryInfo (rate_limit_test.cpp)
  // One order, one bucket of the sale; the refused purchase wrote nothing.
  EXPECT_EQ(redis_.Cli("HGET 'fs:{demo}:bought' grpc-user"), "1");
  EXPECT_EQ(redis_.Cli("EXISTS 'fs:{demo}:idem:grpc-user/g1'"), "1");
  EXPECT_EQ(redis_.Cli("HEXISTS 'fs:{demo}:rl' u:grpc-user"), "1");
  EXPECT_EQ(redis_.Cli("EXISTS 'fs:{demo}:idem:grpc-user/g2'"), "0");
  EXPECT_EQ(app.Terminate(), 0);
}

TEST_F(StackTest, ARequestOnlyInstanceNeedsNoMySqlAndAnotherPersistsItsOrders) {
  auto persisting = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, StackArgs("100"));
  auto serving = std::make_unique<AppProcess>(
      FLASHSALE_REST_BIN,
      std::vector<std::string>{"--redis-url", "redis://127.0.0.1:" + std::to_string(redis_.port()),
                               "--no-persistence-workers", "--no-demo-sale"});
  std::set<std::string> accepted;
  for (int i = 0; i < 20; ++i) {
    auto r = Http(
        serving->port(), "POST", "/api/purchase",
        json{{"item_id", "iphone-15"}, {"user_id", "u" + std::to_string(i)}, {"request_id", "r"}}
            .dump());
    ASSERT_EQ(r.status, 200) << r.body;
    accepted.insert(json::parse(r.body)["order_id"].get<std::string>());
  }
  ASSERT_TRUE(WaitFor([&] { return StoredOrders() == accepted; }, std::chrono::seconds(20)))
      << StoredOrders().size() << " of " << accepted.size() << " stored";
  EXPECT_EQ(serving->Terminate(), 0);
  EXPECT_EQ(persisting->Terminate(), 0);
}

TEST_F(StackTest, StressTestVerifiesTheCheckoutFlowOverGrpcAndRest) {
  for (const std::string transport : {"grpc", "rest"}) {
    SCOPED_TRACE(transport);
    auto app =
        std::make_unique<AppProcess>(transport == "grpc" ? FLASHSALE_GRPC_BIN : FLASHSALE_REST_BIN,
                                     StackArgs("1500", "checkout-" + transport));
    auto [ok, output] =
        RunStress({"--transport", transport, "--flow", "checkout", "--sale-id",
                   "checkout-" + transport, "--target", "127.0.0.1:" + std::to_string(app->port()),
                   "--concurrency", "32", "--requests", "6000", "--users", "3000"});
    EXPECT_TRUE(ok) << output;
    EXPECT_NE(output.find("VERIFY PASS"), std::string::npos) << output;
    EXPECT_NE(output.find("PASS every checkout attempt recorded (6000 recorded"), std::string::npos)
        << output;
    EXPECT_NE(output.find("\"accepted\":1500"), std::string::npos) << output;
    EXPECT_EQ(app->Terminate(), 0);
  }
}

TEST_F(StackTest, StressTestVerifiesExactNOverGrpcWithBothEngines) {
  auto app = std::make_unique<AppProcess>(FLASHSALE_GRPC_BIN, StackArgs("1500", "grpc-exact"));
  const std::string target = "127.0.0.1:" + std::to_string(app->port());
  auto [ok, output] =
      RunStress({"--transport", "grpc", "--sale-id", "grpc-exact", "--target", target,
                 "--concurrency", "32", "--requests", "6000", "--users", "3000"});
  EXPECT_TRUE(ok) << output;
  EXPECT_NE(output.find("VERIFY PASS"), std::string::npos) << output;
  EXPECT_NE(output.find("\"engine\":\"events\""), std::string::npos) << output;
  EXPECT_NE(output.find("\"accepted\":1500"), std::string::npos) << output;
  // The callback engine's open loop, then the threaded engine, on the sold-out sale.
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--engine", "events", "--rate", "2000"},
        std::vector<std::string>{"--engine", "threads"}}) {
    std::vector<std::string> args{"--transport", "grpc", "--sale-id",     "grpc-exact",
                                  "--target",    target, "--concurrency", "16",
                                  "--requests",  "1000", "--users",       "500"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto [more_ok, more] = RunStress(args);
    EXPECT_TRUE(more_ok) << more;
    EXPECT_NE(more.find("VERIFY PASS"), std::string::npos) << more;
    EXPECT_NE(more.find("\"sold_out\":1000"), std::string::npos) << more;
    EXPECT_NE(more.find("\"engine\":\"" + extra[1] + "\""), std::string::npos) << more;
    EXPECT_NE(more.find(extra.size() > 2 ? "\"mode\":\"open\"" : "\"mode\":\"closed\""),
              std::string::npos)
        << more;
  }
  EXPECT_EQ(app->Terminate(), 0);
}

TEST_F(StackTest, DeadRedisMeans503WithRetryAfterAndNotReady) {
  auto app = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, StackArgs("100"));
  std::string body = R"({"request_id":"r1","user_id":"u","item_id":"iphone-15"})";
  ASSERT_EQ(Http(app->port(), "POST", "/api/purchase", body).status, 200);
  redis_.Stop();
  auto r = Http(app->port(), "POST", "/api/purchase",
                R"({"request_id":"r2","user_id":"u","item_id":"iphone-15"})");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.headers["retry-after"], "1");
  EXPECT_EQ(json::parse(r.body)["message"], "service unavailable");
  EXPECT_TRUE(WaitFor([&] { return Http(app->port(), "GET", "/readyz").status == 503; },
                      std::chrono::seconds(5)));
  EXPECT_EQ(Http(app->port(), "GET", "/livez").status, 200);
  redis_.Start();
  EXPECT_TRUE(WaitFor([&] { return Http(app->port(), "GET", "/readyz").status == 200; },
                      std::chrono::seconds(10)));
  EXPECT_EQ(Http(app->port(), "POST", "/api/purchase",
                 R"({"request_id":"r2","user_id":"u","item_id":"iphone-15"})")
                .status,
            200);
  EXPECT_EQ(app->Terminate(), 0);
}

}  // namespace
}  // namespace flashsale::testing
