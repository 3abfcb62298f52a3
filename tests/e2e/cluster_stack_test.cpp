// The apps on a Redis Cluster (label cluster): two flashsale-rest and one flashsale-grpc on a
// 3-master cluster and MariaDB, six sales spread over the three masters, 20,000 purchases
// from stress_test: exact-N per sale and every 200 in MySQL exactly once (stress_test
// --verify, which reads the cluster through the same slot-aware client).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "app_process.hpp"
#include "flashsale/redis/keys.hpp"
#include "http_connection.hpp"
#include "mariadb_server.hpp"
#include "redis_cluster.hpp"

namespace flashsale::testing {
namespace {

using json = nlohmann::json;

constexpr char kToken[] = "cluster-admin-token-0123456789";

std::string SeedsUrl(const RedisCluster& cluster) {
  std::string url = "redis://";
  for (int n = 0; n < cluster.size(); ++n) {
    url += (n == 0 ? "" : ",") + std::string("127.0.0.1:") + std::to_string(cluster.port(n));
  }
  return url;
}

TEST(ClusterStackTest, TwoRestAndOneGrpcSellSixSalesOnThreeMastersExactly) {
  RedisCluster cluster(3, 0);
  MariaDbServer mariadb;
  const std::string redis = SeedsUrl(cluster);
  const std::string mysql =
      "mysql://flashsale:flashsale@127.0.0.1:" + std::to_string(mariadb.port()) + "/flashsale";

  // Six sale ids, two on each master.
  const std::vector<int> owners = cluster.SlotOwners();
  std::map<int, int> per_master;
  std::vector<std::string> sales;
  for (int n = 0; sales.size() < 6; ++n) {
    const std::string id = "spread-" + std::to_string(n);
    const int slot = redis::Keys::Slot(redis::Keys::Meta(*domain::SaleId::Parse(id)));
    int& taken = per_master[owners[static_cast<std::size_t>(slot)]];
    if (taken < 2) {
      ++taken;
      sales.push_back(id);
    }
  }
  ASSERT_EQ(per_master.size(), 3U);

  const std::vector<std::string> common{"--redis-url", redis,
                                        "--mysql-url", mysql,
                                        "--migrate",   "--sale-id",
                                        sales[0],      "--demo-stock",
                                        "1000",        "--demo-per-user-limit",
                                        "1000000",     "--drain-timeout",
                                        "30"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), common.begin(), common.end());
    return extra;
  };
  AppProcess rest1(FLASHSALE_REST_BIN, with({"--admin-token", kToken}));
  AppProcess rest2(FLASHSALE_REST_BIN, with({}));
  AppProcess grpc(FLASHSALE_GRPC_BIN, with({}));
  // A third REST instance loads a hot item split into 3 sub-stocks (issue 15); the others
  // follow the split stored with the sale.
  AppProcess split(FLASHSALE_REST_BIN, with({"--admin-token", kToken, "--item-shards", "3"}));
  const json hot{{"id", "hot-item"},
                 {"items", {{{"id", "iphone-15"}, {"stock", 3000}, {"price_cents", 100}}}},
                 {"per_user_limit", 2},
                 {"ends_at", "2099-01-01T00:00:00Z"}};
  auto created_hot = Http(split.port(), "POST", "/admin/sales", hot.dump(),
                          std::string("Authorization: Bearer ") + kToken + "\r\n");
  ASSERT_EQ(created_hot.status, 201) << created_hot.body;
  for (std::size_t i = 1; i < sales.size(); ++i) {
    const json sale{{"id", sales[i]},
                    {"items", {{{"id", "iphone-15"}, {"stock", 1000}, {"price_cents", 100}}}},
                    {"per_user_limit", 1000000},
                    {"ends_at", "2099-01-01T00:00:00Z"}};
    auto created = Http(rest1.port(), "POST", "/admin/sales", sale.dump(),
                        std::string("Authorization: Bearer ") + kToken + "\r\n");
    ASSERT_EQ(created.status, 201) << created.body;
  }
  // Every instance is ready: each one's store reaches every master.
  for (int port : {rest1.port(), rest2.port()}) {
    EXPECT_EQ(Http(port, "GET", "/readyz", "").status, 200);
  }

  // 20,000 purchases: two sales per instance, 3,334 requests each (3,333 for the last two).
  const std::vector<std::pair<std::string, int>> targets{
      {"rest", rest1.port()}, {"rest", rest1.port()}, {"rest", rest2.port()},
      {"rest", rest2.port()}, {"grpc", grpc.port()},  {"grpc", grpc.port()}};
  std::vector<std::pair<bool, std::string>> results(sales.size());
  std::vector<std::thread> runs;
  for (std::size_t i = 0; i < sales.size(); ++i) {
    runs.emplace_back([&, i] {
      results[i] = RunStressTest(
          FLASHSALE_STRESS_BIN,
          {"--transport", targets[i].first, "--target",
           "127.0.0.1:" + std::to_string(targets[i].second), "--sale-id", sales[i], "--concurrency",
           "16", "--requests", i < 4 ? "3334" : "3333", "--users", "2000"},
          redis, mysql);
    });
  }
  // The hot item: 20,000 requests from 64 callers, 10,000 users limited to 2 units each.
  std::pair<bool, std::string> hot_result;
  runs.emplace_back([&] {
    hot_result = RunStressTest(
        FLASHSALE_STRESS_BIN,
        {"--transport", "rest", "--target", "127.0.0.1:" + std::to_string(split.port()),
         "--sale-id", "hot-item", "--concurrency", "64", "--requests", "20000", "--users", "10000"},
        redis, mysql);
  });
  for (auto& run : runs) run.join();
  EXPECT_TRUE(hot_result.first) << hot_result.second;
  EXPECT_NE(hot_result.second.find("VERIFY PASS"), std::string::npos) << hot_result.second;
  EXPECT_EQ(hot_result.second.find("FAIL "), std::string::npos) << hot_result.second;
  EXPECT_NE(hot_result.second.find("\"accepted\":3000"), std::string::npos) << hot_result.second;
  for (std::size_t i = 0; i < sales.size(); ++i) {
    const auto& [ok, output] = results[i];
    EXPECT_TRUE(ok) << sales[i] << "\n" << output;
    EXPECT_NE(output.find("VERIFY PASS"), std::string::npos) << sales[i] << "\n" << output;
    EXPECT_EQ(output.find("FAIL "), std::string::npos) << sales[i] << "\n" << output;
    EXPECT_NE(output.find("\"accepted\":1000"), std::string::npos) << sales[i] << "\n" << output;
  }
  // Every confirmed row in MySQL, once: 6 x 1,000 and the hot item's 3,000.
  EXPECT_EQ(mariadb.Sql("SELECT COUNT(*), COUNT(DISTINCT order_id) FROM flashsale.orders "
                        "WHERE status='confirmed'"),
            "9000\t9000");
  EXPECT_EQ(mariadb.Sql("SELECT COUNT(*) FROM (SELECT user_id FROM flashsale.orders WHERE "
                        "sale_id='hot-item' AND status='confirmed' GROUP BY user_id "
                        "HAVING SUM(quantity) > 2) t"),
            "0");
  EXPECT_EQ(split.Terminate(), 0);
  EXPECT_EQ(rest1.Terminate(), 0);
  EXPECT_EQ(rest2.Terminate(), 0);
  EXPECT_EQ(grpc.Terminate(), 0);
}

}  // namespace
}  // namespace flashsale::testing
