// Migrations, MySqlSaleRepository and MySqlOrderRepository against a real mariadbd.
#include <gtest/gtest.h>

#include <thread>

#include "builders.hpp"
#include "flashsale/mysql/migrations.hpp"
#include "flashsale/mysql/mysql_order_repository.hpp"
#include "flashsale/mysql/mysql_sale_repository.hpp"
#include "mariadb_server.hpp"
#include "repository_contract.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;

MariaDbServer& SharedMariaDb() {
  static MariaDbServer server;
  return server;
}

/// The repositories on the shared server, migrated (tests use unique ids, so no reset).
class MySqlHarness final : public RepositoryHarness {
 public:
  MySqlHarness() {
    auto migrated = mysql::Migrate(SharedMariaDb().Options());
    EXPECT_TRUE(migrated.ok()) << migrated.error().detail;
  }
  ports::SaleRepository& sales() override { return sales_; }
  ports::OrderRepository& orders() override { return orders_; }

 private:
  mysql::MySqlSaleRepository sales_{SharedMariaDb().Options()};
  mysql::MySqlOrderRepository orders_{SharedMariaDb().Options()};
};

const RepositoryFactory kMySql{"mysql", [] { return std::make_unique<MySqlHarness>(); }};

class MySqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.ResetDatabase();
    auto migrated = mysql::Migrate(server_.Options());
    ASSERT_TRUE(migrated.ok()) << migrated.error().detail;
  }
  domain::Sale Sale(const std::string& id, std::int64_t stock) {
    auto t = domain::FromUnixMillis(1'800'000'000'000);
    return MakeSale(id, stock, 10, t, t + std::chrono::hours(1));
  }
  MariaDbServer& server_ = SharedMariaDb();
};

TEST(MigrationsTest, FreshThenAgainThenConcurrently) {
  MariaDbServer& server = SharedMariaDb();
  server.ResetDatabase();
  auto first = mysql::Migrate(server.Options());
  ASSERT_TRUE(first.ok()) << first.error().detail;
  std::vector<int> all_versions;
  for (const auto& m : mysql::EmbeddedMigrations()) all_versions.push_back(m.version);
  const int latest = all_versions.back();
  const std::string count = std::to_string(all_versions.size());
  EXPECT_EQ(first->applied, all_versions);
  EXPECT_EQ(first->current, latest);
  EXPECT_EQ(server.Sql("SELECT COUNT(*) FROM flashsale.schema_migrations"), count);
  EXPECT_EQ(server.Sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                       "'flashsale' AND table_name IN ('sales','sale_items','orders',"
                       "'checkout_attempts','schema_migrations')"),
            "5");

  auto again = mysql::Migrate(server.Options());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->current, latest);

  server.ResetDatabase();
  std::vector<domain::Result<mysql::MigrationReport>> reports(4, domain::Error{});
  std::vector<std::thread> runners;
  for (int i = 0; i < 4; ++i) {
    runners.emplace_back([&, i] { reports[i] = mysql::Migrate(server.Options()); });
  }
  for (auto& runner : runners) runner.join();
  std::vector<int> all;
  for (const auto& report : reports) {
    ASSERT_TRUE(report.ok()) << report.error().detail;
    all.insert(all.end(), report->applied.begin(), report->applied.end());
    EXPECT_EQ(report->current, latest);
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, all_versions) << "each migration applied exactly once";
  EXPECT_EQ(server.Sql("SELECT COUNT(*) FROM flashsale.schema_migrations"), count);
}

TEST(MigrationsTest, AFailingMigrationIsNotRecorded) {
  MariaDbServer& server = SharedMariaDb();
  server.ResetDatabase();
  std::vector<mysql::Migration> migrations = mysql::EmbeddedMigrations();
  migrations.push_back({99, "0099_broken", "CREATE TABLE broken (id INT PRIMARY KEY"});
  auto result = mysql::Migrate(server.Options(), migrations);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().outcome, Outcome::kInternal);
  EXPECT_NE(result.error().detail.find("migration failed"), std::string::npos);
  EXPECT_EQ(server.Sql("SELECT COUNT(*) FROM flashsale.schema_migrations"),
            std::to_string(mysql::EmbeddedMigrations().size()));
  EXPECT_EQ(server.Sql("SELECT COUNT(*) FROM flashsale.schema_migrations WHERE version = 99"), "0");
}

TEST(MigrationsTest, UnreachableServerIsUnavailable) {
  auto options = SharedMariaDb().Options();
  options.port = FreePort();
  auto result = mysql::Migrate(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().outcome, Outcome::kUnavailable);
}

TEST_F(MySqlTest, SalesRoundTripWithOddNamesThroughPreparedStatements) {
  mysql::MySqlSaleRepository sales(server_.Options());
  domain::Sale sale = Sale(std::string(64, 'S'), 100);
  sale.items[0].name =
      "Robert'); DROP TABLE orders;-- \\\" \\\\ 100% \xe2\x98\x83 \xf0\x9f\x8e\x81";
  sale.items.push_back(
      domain::SaleItem{MakeId<domain::ItemId>(std::string(64, 'i')), 5, 0, std::string(200, 'n')});
  sale.items.push_back(domain::SaleItem{MakeId<domain::ItemId>("a.b_c:d-e"), 0, 7, ""});
  ASSERT_TRUE(sales.Create(sale).ok());
  auto found = sales.Find(sale.id);
  ASSERT_TRUE(found.ok()) << found.error().detail;
  ASSERT_TRUE(found->has_value());
  const domain::Sale& back = **found;
  EXPECT_EQ(back.id, sale.id);
  EXPECT_EQ(back.per_user_limit, 10);
  EXPECT_EQ(back.starts_at, sale.starts_at);
  EXPECT_EQ(back.ends_at, sale.ends_at);
  ASSERT_EQ(back.items.size(), 3U);
  std::map<std::string, domain::SaleItem> by_id;
  for (const auto& item : back.items) by_id.emplace(item.id.str(), item);
  EXPECT_EQ(by_id.at("item-1").name, sale.items[0].name);
  EXPECT_EQ(by_id.at(std::string(64, 'i')).name, std::string(200, 'n'));
  EXPECT_EQ(by_id.at("a.b_c:d-e").price_cents, 7);
  EXPECT_EQ(server_.Sql("SELECT COUNT(*) FROM flashsale.orders"), "0");  // still there

  auto duplicate = sales.Create(sale);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().outcome, Outcome::kDuplicateRequest);
  domain::Sale invalid = Sale("bad", -1);
  EXPECT_EQ(sales.Create(invalid).error().outcome, Outcome::kInvalidRequest);
  EXPECT_FALSE(sales.Find(invalid.id)->has_value());
  auto list = sales.List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1U);
}

TEST_F(MySqlTest, DownServerIsUnavailableThenRecovers) {
  mysql::MySqlSaleRepository sales(server_.Options());
  mysql::MySqlOrderRepository orders(server_.Options());
  ASSERT_TRUE(sales.Create(Sale("down", 10)).ok());
  std::vector<domain::Order> batch{MakeOrder("X1", "down")};
  ASSERT_TRUE(orders.SaveBatch(batch).ok());
  server_.Kill();
  std::vector<domain::Order> next{MakeOrder("X2", "down", "item-1", "u2")};
  auto failed = orders.SaveBatch(next);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().outcome, Outcome::kUnavailable);
  EXPECT_FALSE(orders.Healthy());
  EXPECT_EQ(orders.Find(batch[0].id).error().outcome, Outcome::kUnavailable);
  server_.Start();
  auto recovered = orders.SaveBatch(next);
  ASSERT_TRUE(recovered.ok()) << recovered.error().detail;
  EXPECT_TRUE((*recovered)[0].saved);
  EXPECT_TRUE(orders.Healthy());
  EXPECT_EQ(*orders.CountSold(next[0].sale, next[0].item), 2);
}

}  // namespace
INSTANTIATE_TEST_SUITE_P(MySql, SaleRepositoryContract, ::testing::Values(kMySql));
INSTANTIATE_TEST_SUITE_P(MySql, OrderRepositoryContract, ::testing::Values(kMySql));

}  // namespace flashsale::testing
