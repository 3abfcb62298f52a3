// Redis memory stays bounded over many sales: once a sale is over, settled (no hold, nothing
// queued) and retired, every one of its keys leaves Redis after the retention.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "builders.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/ports/logger.hpp"
#include "flashsale/redis/redis_order_queue.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "redis_server.hpp"
#include "reserve_sync.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;

/// A field of INFO memory (bytes); -1 when absent.
long long MemoryField(RedisServer& server, const std::string& field) {
  const std::string info = server.Cli("INFO memory");
  const auto at = info.find("\n" + field + ":");
  return at == std::string::npos ? -1 : std::atoll(info.c_str() + at + field.size() + 2);
}

long long Keys(RedisServer& server) { return std::atoll(server.Cli("DBSIZE").c_str()); }

/// One short sale with the full life: purchases (with stored answers and rate buckets), checkouts
/// (held, redeemed, expired), persistence (entries acknowledged), expiry, retirement.
void RunOneSale(redis::RedisStockStore& store, redis::RedisOrderQueue& queue, int n) {
  const auto now = core::SystemClock().Now();
  domain::Sale sale = MakeSale("short-" + std::to_string(n), 100, 10, now - std::chrono::minutes(1),
                               now + milliseconds(50));
  ASSERT_TRUE(store.Load(sale).ok());
  queue.Watch(sale.id);
  for (int i = 0; i < 20; ++i) {
    domain::Reservation r{
        MakeRequest(sale.id.str(), "item-1", "u" + std::to_string(i), "r" + std::to_string(i)),
        MakeId<domain::OrderId>(sale.id.str() + "-o" + std::to_string(i)),
        now,
        // rate buckets too: the sale's bucket hash must leave with the rest
        {{"u:u" + std::to_string(i), 100, 10}, {"a:10.0.0.1", 1000, 100}}};
    ASSERT_EQ(ReserveSync(store, r).outcome, Outcome::kAccepted);
  }
  for (int i = 0; i < 10; ++i) {
    std::string secret(domain::CheckoutCode::kSecretChars, '0');
    secret.back() = "0123456789"[i];
    secret[0] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[n % 32];
    domain::HoldRequest hold{
        domain::CheckoutRequest{sale.id, MakeId<domain::ItemId>("item-1"),
                                MakeId<domain::UserId>("h" + std::to_string(i)),
                                MakeId<domain::RequestId>("c" + std::to_string(i))},
        *domain::CheckoutCode::Make(secret, sale.id),
        MakeId<domain::AttemptId>(sale.id.str() + "-a" + std::to_string(i)), now,
        now + milliseconds(10)};
    auto held = CheckoutSync(store, hold);
    ASSERT_EQ(held.outcome, Outcome::kAccepted);
    if (i % 2 == 0) {
      domain::Completion c{*held.code, std::nullopt,
                           MakeId<domain::OrderId>(sale.id.str() + "-c" + std::to_string(i)), now};
      ASSERT_EQ(CompleteSync(store, c).outcome, Outcome::kAccepted);
    }
  }
  for (;;) {  // what the persistence workers do: take everything, acknowledge it
    auto batch = queue.Pull("retention", 1000, milliseconds(0));
    ASSERT_TRUE(batch.ok());
    if (batch->empty() && *queue.Depth() == 0) break;
    std::vector<std::string> receipts;
    for (const auto& e : *batch) receipts.push_back(e.receipt);
    ASSERT_TRUE(queue.Ack(receipts).ok());
  }
  const auto later = now + milliseconds(100);
  ASSERT_EQ(*store.ExpireHolds(sale.id, later, 100), 5U);
  auto retired = store.Retire(sale.id, later, milliseconds(300));
  ASSERT_TRUE(retired.ok());
  EXPECT_TRUE(*retired) << "queue depth " << *queue.Depth();
}

TEST(RedisRetentionTest, AStreamThatExpiresBeforeItsMetaIsNotRecreated) {
  // Retirement puts a TTL on every key of the sale; they expire one by one. A consumer that
  // meets the stream already gone (NOGROUP) while the meta still exists must forget the sale,
  // not recreate the stream with its group: that stream would have no TTL and stay forever.
  RedisServer server;
  auto options = server.Options();
  redis::RedisStockStore store(options);
  ports::NullLogger log;
  redis::RedisOrderQueue queue(options, log);
  const auto now = core::SystemClock().Now();
  domain::Sale sale =
      MakeSale("expiring", 10, 10, now - std::chrono::minutes(1), now + milliseconds(50));
  ASSERT_TRUE(store.Load(sale).ok());
  queue.Watch(sale.id);
  ASSERT_TRUE(queue.Pull("c", 10, milliseconds(0)).ok());  // reads the (empty) stream once
  ASSERT_TRUE(*store.Retire(sale.id, now + milliseconds(100), std::chrono::hours(1)));
  ASSERT_EQ(server.Cli("DEL fs:{expiring}:orders"), "1");  // the stream's TTL ran out first

  for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue.Pull("c", 10, milliseconds(0)).ok());
  EXPECT_EQ(server.Cli("EXISTS fs:{expiring}:orders"), "0");
  EXPECT_NE(server.Cli("PTTL fs:{expiring}:meta"), "-1");  // the rest keeps expiring
}

TEST(RedisRetentionTest, ARetiredSaleStillListedLeavesTheLiveSalesAtTheNextSweep) {
  // fs4_retire and the SREM from fs:sales are two calls: a process that dies between them
  // leaves the id listed. The next Retire removes it, whether the sale's keys still exist
  // (retired before) or have expired already (unknown sale).
  RedisServer server;
  redis::RedisStockStore store(server.Options());
  const auto now = core::SystemClock().Now();
  domain::Sale sale =
      MakeSale("listed", 10, 10, now - std::chrono::minutes(1), now + milliseconds(50));
  ASSERT_TRUE(store.Load(sale).ok());
  ASSERT_TRUE(*store.Retire(sale.id, now + milliseconds(100), std::chrono::hours(1)));
  ASSERT_EQ(server.Cli("SADD fs:sales listed"), "1");  // as if the SREM never happened
  EXPECT_TRUE(*store.Retire(sale.id, now + milliseconds(200), std::chrono::hours(1)));
  EXPECT_EQ(server.Cli("SISMEMBER fs:sales listed"), "0");

  ASSERT_EQ(server.Cli("SADD fs:sales gone"), "1");  // listed, every key already expired
  auto retired = store.Retire(*domain::SaleId::Parse("gone"), now, std::chrono::hours(1));
  ASSERT_FALSE(retired.ok());
  EXPECT_EQ(retired.error().outcome, Outcome::kNotFound);
  EXPECT_EQ(server.Cli("SISMEMBER fs:sales gone"), "0");
  auto live = store.LiveSales();
  ASSERT_TRUE(live.ok());
  EXPECT_TRUE(live->empty());
}

TEST(RedisRetentionTest, FiftySalesBackToBackLeaveNoKeysBehind) {
  RedisServer server;
  redis::RedisOptions options = server.Options();
  options.sale_retention = milliseconds(300);
  ports::NullLogger log;
  redis::RedisStockStore store(options);
  redis::RedisOrderQueue queue(options, log);
  // Warm-up: sales through their whole life, so that the baseline includes what Redis keeps
  // once it has served sales at all (grown hash tables, client buffers, function caches).
  for (int n = 0; n < 5; ++n) RunOneSale(store, queue, 1000 + n);
  std::this_thread::sleep_for(milliseconds(1500));
  const long long baseline_keys = Keys(server);
  const long long baseline_memory = MemoryField(server, "used_memory");
  long long peak_keys = 0;
  long long peak_memory = 0;
  for (int n = 0; n < 50; ++n) {
    RunOneSale(store, queue, n);
    if (HasFatalFailure()) return;
    peak_keys = std::max(peak_keys, Keys(server));
    peak_memory = std::max(peak_memory, MemoryField(server, "used_memory"));
  }
  std::this_thread::sleep_for(milliseconds(1500));  // retention (300 ms) + active expiry
  const long long keys = Keys(server);
  const long long memory = MemoryField(server, "used_memory");
  std::printf(
      "keys: baseline %lld, peak %lld, after %lld; used_memory: baseline %lld, peak %lld, "
      "after %lld\n",
      baseline_keys, peak_keys, keys, baseline_memory, peak_memory, memory);
  EXPECT_GT(peak_keys, baseline_keys + 100);  // the sales really were there
  EXPECT_EQ(keys, baseline_keys) << server.Cli("KEYS '*'");
  EXPECT_LT(memory, baseline_memory + 64 * 1024);
  EXPECT_EQ(server.Cli("SCARD fs:sales"), "0");
}

}  // namespace
}  // namespace flashsale::testing
