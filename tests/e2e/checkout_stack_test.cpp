// Two-step buying on the real stack (Redis + MariaDB): exact-N with holds through two app
// instances, the hourly schedule from three instances at once, every answer of the flow, and
// kill -9 between checkout and redemption.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "app_process.hpp"
#include "http_connection.hpp"
#include "mariadb_server.hpp"
#include "redis_server.hpp"

namespace flashsale::testing {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

class CheckoutStackTest : public ::testing::Test {
 protected:
  std::vector<std::string> StackArgs(std::vector<std::string> extra) {
    std::vector<std::string> args{
        "--redis-url",
        "redis://127.0.0.1:" + std::to_string(redis_.port()),
        "--mysql-url",
        "mysql://flashsale:flashsale@127.0.0.1:" + std::to_string(mariadb_.port()) + "/flashsale",
        "--migrate",
        "--drain-timeout",
        "30"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  long long Sql(const std::string& query) { return std::atoll(mariadb_.Sql(query).c_str()); }
  long long Redis(const std::string& command) { return std::atoll(redis_.Cli(command).c_str()); }
  /// Waits until every entry of the sale's stream is persisted and acknowledged.
  bool Drained(const std::string& sale) {
    return WaitFor([&] { return Redis("XLEN 'fs:{" + sale + "}:orders'") == 0; },
                   std::chrono::seconds(60));
  }

  RedisServer redis_;
  MariaDbServer mariadb_;
};

struct Tally {
  std::mutex mu;
  std::set<std::string> orders;
  std::atomic<long> answers{0}, holds{0}, redeemed{0}, lapsed{0}, refused{0}, other{0};
};

/// One caller: checkouts (no request id, so each is a new attempt) of users in turn on one of
/// the instances; every second accepted hold is redeemed at once, the rest left to expire.
/// With a 2 s hold a redemption may come too late under load: 410, its unit went back.
void Caller(int port, int caller, int checkouts, Tally& tally) {
  HttpConnection connection(port);
  for (int i = 0; i < checkouts; ++i) {
    const std::string user = "u" + std::to_string((caller * 7919 + i) % 2000);
    auto r = connection.Send("POST", "/checkout?user_id=" + user + "&item_id=iphone-15");
    if (r.status == 200 || r.status == 403 || r.status == 410) {
      ++tally.answers;
    } else {
      // The first few unexpected answers are printed: what went wrong shows in the CI log.
      if (tally.other++ < 3)
        std::fprintf(stderr, "checkout: %d %s%s\n", r.status, r.body.c_str(), r.failure.c_str());
      continue;
    }
    if (r.status != 200) {
      ++tally.refused;
      continue;
    }
    ++tally.holds;
    if (tally.holds.load() % 2 != 0) continue;
    const std::string code = json::parse(r.body)["checkout_code"];
    auto done = connection.Send("POST", "/purchase?code=" + code);
    if (done.status == 410 && json::parse(done.body)["message"] == "checkout code has expired") {
      ++tally.lapsed;
      continue;
    }
    if (done.status != 200) {
      if (tally.other++ < 3)
        std::fprintf(stderr, "redeem: %d %s%s\n", done.status, done.body.c_str(),
                     done.failure.c_str());
      continue;
    }
    ++tally.redeemed;
    std::lock_guard lock(tally.mu);
    tally.orders.insert(json::parse(done.body)["order_id"].get<std::string>());
  }
}

TEST_F(CheckoutStackTest, FiftyThousandCheckoutsKeepExactNWithHoldsAndExpiry) {
  const std::vector<std::string> args =
      StackArgs({"--demo-stock", "10000", "--demo-per-user-limit", "10", "--hold-ttl", "2",
                 "--sweep-interval-ms", "200"});
  AppProcess a(FLASHSALE_REST_BIN, args);
  AppProcess b(FLASHSALE_REST_BIN, args);
  Tally tally;
  std::vector<std::thread> callers;
  for (int c = 0; c < 64; ++c) {
    callers.emplace_back(
        [&, c] { Caller(c % 2 == 0 ? a.port() : b.port(), c, 50'000 / 64 + 1, tally); });
  }
  for (auto& t : callers) t.join();
  const long checkouts = tally.answers.load() + tally.other.load();
  std::printf(
      "checkouts %ld: holds %ld (redeemed %ld, expired before redemption %ld), refused %ld, "
      "other %ld\n",
      checkouts, tally.holds.load(), tally.redeemed.load(), tally.lapsed.load(),
      tally.refused.load(), tally.other.load());
  EXPECT_EQ(tally.other.load(), 0);
  if (tally.other.load() > 0) {  // what the apps said, for the CI log
    for (const AppProcess* app : {&a, &b}) {
      const std::string log = app->Log();
      std::fprintf(stderr, "--- app log tail:\n%s\n",
                   log.substr(log.size() > 3000 ? log.size() - 3000 : 0).c_str());
    }
  }
  EXPECT_GT(tally.redeemed.load(), 0);

  // Every unredeemed hold expires (2 s) and gives its unit back; every entry is persisted.
  ASSERT_TRUE(
      WaitFor([&] { return Redis("ZCARD 'fs:{demo}:holds'") == 0; }, std::chrono::seconds(30)));
  ASSERT_TRUE(Drained("demo"));
  const long long persisted =
      Sql("SELECT COALESCE(SUM(quantity),0) FROM flashsale.orders WHERE sale_id='demo' AND "
          "status='confirmed'");
  EXPECT_EQ(persisted, tally.redeemed.load());
  EXPECT_EQ(static_cast<long>(tally.orders.size()), tally.redeemed.load());
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM flashsale.orders WHERE status='failed'"), 0);
  EXPECT_EQ(Redis("GET 'fs:{demo}:stock:iphone-15'"), 10'000 - persisted);
  EXPECT_EQ(Redis("HGET 'fs:{demo}:meta' held:iphone-15"), 0);
  EXPECT_EQ(Sql("SELECT sold FROM flashsale.sale_items WHERE sale_id='demo'"), persisted);
  EXPECT_LE(Sql("SELECT COALESCE(MAX(n),0) FROM (SELECT SUM(quantity) n FROM flashsale.orders "
                "WHERE sale_id='demo' AND status='confirmed' GROUP BY user_id) t"),
            10);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM flashsale.checkout_attempts WHERE sale_id='demo'"),
            tally.answers.load());
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM flashsale.checkout_attempts WHERE sale_id='demo' AND "
                "outcome='accepted'"),
            tally.holds.load());
}

TEST_F(CheckoutStackTest, ThreeSchedulersCreateEachWindowOnce) {
  const std::vector<std::string> args =
      StackArgs({"--schedule", "hourly", "--schedule-period", "2", "--schedule-stock", "50",
                 "--sweep-interval-ms", "100"});
  std::vector<std::unique_ptr<AppProcess>> apps(3);
  std::vector<std::thread> starters;
  for (auto& app : apps) {
    starters.emplace_back([&] { app = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args); });
  }
  for (auto& t : starters) t.join();
  std::this_thread::sleep_for(std::chrono::seconds(5));
  // The sale open now is the one requests without a sale id go to.
  auto status = Http(apps[0]->port(), "GET", "/sale/status");
  ASSERT_EQ(status.status, 200) << status.body;
  const std::string open = json::parse(status.body)["sale_id"];
  EXPECT_TRUE(open.starts_with("hourly-")) << open;
  auto bought = Http(apps[1]->port(), "POST", "/checkout?user_id=alice&item_id=flash-item");
  EXPECT_EQ(bought.status, 200) << bought.body;
  for (auto& app : apps) EXPECT_EQ(app->Terminate(), 0);

  const long long sales = Sql("SELECT COUNT(*) FROM flashsale.sales WHERE sale_id LIKE 'hourly-%'");
  long long created = 0;
  static const std::regex kCreated(R"re("msg":"scheduled sale created","count":(\d+))re");
  for (auto& app : apps) {
    const std::string log = app->Log();
    for (auto it = std::sregex_iterator(log.begin(), log.end(), kCreated);
         it != std::sregex_iterator(); ++it) {
      created += std::stoll((*it)[1]);
    }
  }
  EXPECT_GE(sales, 3);  // about 5 s of 2 s windows, plus the next one
  EXPECT_EQ(created, sales) << "each window's sale is created by exactly one instance";
  EXPECT_EQ(Sql("SELECT COUNT(DISTINCT starts_at_ms) FROM flashsale.sales WHERE sale_id LIKE "
                "'hourly-%'"),
            sales);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM flashsale.sales WHERE sale_id LIKE 'hourly-%' AND "
                "MOD(starts_at_ms, 2000) <> 0"),
            0);
}

TEST_F(CheckoutStackTest, EveryAnswerOfTheTwoStepFlowOnRedisAndMariaDb) {
  const std::string token = "checkout-stack-admin-token-01";
  auto app = std::make_unique<AppProcess>(
      FLASHSALE_REST_BIN,
      // No sweep during the test: it would retire the closed sale at once (no hold, nothing
      // queued), and a retired sale's attempts are no longer recorded.
      StackArgs({"--demo-stock", "2", "--demo-per-user-limit", "1", "--hold-ttl", "2",
                 "--sweep-interval-ms", "60000", "--admin-token", token}));
  const int port = app->port();
  auto post = [&](const std::string& path, const std::string& headers = "") {
    return Http(port, "POST", path, "", headers);
  };
  auto message = [](const HttpResponse& r) { return json::parse(r.body).value("message", ""); };
  auto alice = post("/checkout?user_id=alice&item_id=iphone-15&request_id=c1");
  ASSERT_EQ(alice.status, 200) << alice.body;
  const std::string code = json::parse(alice.body)["checkout_code"];
  auto replay = post("/checkout?user_id=alice&item_id=iphone-15", "Idempotency-Key: c1\r\n");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(json::parse(replay.body)["checkout_code"], code);
  EXPECT_EQ(json::parse(replay.body)["replayed"], true);
  // Redeemed at once (holds last 2 s here); it still counts for the limit and the stock.
  auto bought = post("/purchase?code=" + code + "&request_id=p1");
  ASSERT_EQ(bought.status, 200) << bought.body;
  const std::string order = json::parse(bought.body)["order_id"];
  auto limit = post("/checkout?user_id=alice&item_id=iphone-15");
  EXPECT_EQ(limit.status, 403);
  EXPECT_EQ(message(limit), "user purchase limit exceeded");
  auto bob = post("/checkout?user_id=bob&item_id=iphone-15");
  ASSERT_EQ(bob.status, 200) << bob.body;
  auto sold_out = post("/checkout?user_id=carol&item_id=iphone-15");
  EXPECT_EQ(sold_out.status, 410);
  EXPECT_EQ(message(sold_out), "sold out");

  EXPECT_EQ(post("/purchase?code=CHK_00000000000000000000000000_demo").status, 404);
  EXPECT_EQ(post("/purchase?code=CHK_nope").status, 400);
  auto again = post("/purchase?code=" + code, "Idempotency-Key: p1\r\n");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["order_id"], order);
  auto used = post("/purchase?code=" + code);
  EXPECT_EQ(used.status, 409);
  EXPECT_EQ(message(used), "checkout code already used");
  EXPECT_EQ(json::parse(used.body)["order_id"], order);

  std::this_thread::sleep_for(milliseconds(2500));  // past bob's 2 s hold
  auto late = post("/purchase?code=" + json::parse(bob.body)["checkout_code"].get<std::string>());
  EXPECT_EQ(late.status, 410);
  EXPECT_EQ(message(late), "checkout code has expired");
  ASSERT_EQ(post("/admin/sales/demo/close", "Authorization: Bearer " + token + "\r\n").status, 200);
  auto closed = post("/checkout?user_id=dave&item_id=iphone-15");
  EXPECT_EQ(closed.status, 409);
  EXPECT_EQ(message(closed), "sale is not currently active");

  ASSERT_TRUE(Drained("demo"));
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM flashsale.orders WHERE status='confirmed'"), 1);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM flashsale.orders WHERE order_id='" + order +
                "' AND status='confirmed'"),
            1);
  EXPECT_EQ(Redis("GET 'fs:{demo}:stock:iphone-15'"), 1);  // bob's unit came back
  // Every checkout answer from the store is an attempt: accepted, replay, limit, accepted,
  // sold out, not active.
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM flashsale.checkout_attempts"), 6)
      << mariadb_.Sql("SELECT GROUP_CONCAT(outcome) FROM flashsale.checkout_attempts");
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM flashsale.checkout_attempts WHERE outcome='accepted'"), 3);
  EXPECT_EQ(app->Terminate(), 0);
}

TEST_F(CheckoutStackTest, HoldsSurviveAKilledApp) {
  const std::vector<std::string> args =
      StackArgs({"--demo-stock", "10", "--hold-ttl", "6", "--sweep-interval-ms", "100"});
  auto app = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args);
  auto keep = Http(app->port(), "POST", "/checkout?user_id=alice&item_id=iphone-15");
  auto lapse = Http(app->port(), "POST", "/checkout?user_id=bob&item_id=iphone-15");
  ASSERT_EQ(keep.status, 200);
  ASSERT_EQ(lapse.status, 200);
  app->Kill();  // between checkout and redemption
  app = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args);
  auto redeemed =
      Http(app->port(), "POST",
           "/purchase?code=" + json::parse(keep.body)["checkout_code"].get<std::string>());
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  std::this_thread::sleep_for(milliseconds(6500));
  auto late = Http(app->port(), "POST",
                   "/purchase?code=" + json::parse(lapse.body)["checkout_code"].get<std::string>());
  EXPECT_EQ(late.status, 410) << late.body;
  auto status = json::parse(Http(app->port(), "GET", "/sale/status").body);
  EXPECT_EQ(status["remaining_items"], 9);  // bob's unit came back, alice's was sold
  EXPECT_EQ(status["held_items"], 0);
  ASSERT_TRUE(Drained("demo"));
  EXPECT_EQ(
      Sql("SELECT COUNT(*) FROM flashsale.orders WHERE order_id='" +
          json::parse(redeemed.body)["order_id"].get<std::string>() + "' AND status='confirmed'"),
      1);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM flashsale.checkout_attempts"), 2);
}

}  // namespace
}  // namespace flashsale::testing
