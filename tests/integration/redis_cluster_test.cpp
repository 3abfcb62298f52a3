// The Redis adapters on a real Redis Cluster (label cluster): 3 masters started here (3 more
// as replicas for the failover test). The StockStore, OrderQueue and RateLimiter contracts,
// sales spread over every master, a slot migrated under load, and a master killed under load.
#include "redis_cluster.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "builders.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/ports/logger.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_order_queue.hpp"
#include "flashsale/redis/redis_rate_limiter.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "order_queue_contract.hpp"
#include "rate_limiter_contract.hpp"
#include "stock_store_contract.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;
using std::chrono::milliseconds;

/// One 3-master cluster for the tests that neither kill nor reshard it, emptied per test.
RedisCluster& SharedCluster() {
  static RedisCluster cluster(3, 0);
  static const ::testing::TestInfo* flushed_for = nullptr;
  const auto* current = ::testing::UnitTest::GetInstance()->current_test_info();
  if (current != flushed_for) {
    cluster.FlushAll();
    flushed_for = current;
  }
  return cluster;
}

class ClusterHarness final : public StockStoreHarness {
 public:
  ports::StockStore& store() override { return store_; }
  ports::OrderQueue& queue() override { return queue_; }
  void Track(const domain::Sale& sale) override { queue_.Watch(sale.id); }

 private:
  ports::NullLogger log_;
  redis::RedisStockStore store_{SharedCluster().Options()};
  redis::RedisOrderQueue queue_{SharedCluster().Options(), log_};
};

class ClusterLimiterHarness final : public RateLimiterHarness {
 public:
  ports::RateLimiter& limiter() override { return limiter_; }
  ports::RateLimiter* other() override { return &other_; }
  void Pass(milliseconds d) override { std::this_thread::sleep_for(d); }

 private:
  redis::RedisRateLimiter limiter_{SharedCluster().Options()};
  redis::RedisRateLimiter other_{SharedCluster().Options()};
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Cluster, StockStoreContract,
                         ::testing::Values(HarnessFactory{
                             "cluster", [] { return std::make_unique<ClusterHarness>(); }}));
INSTANTIATE_TEST_SUITE_P(Cluster, HoldsContract,
                         ::testing::Values(HarnessFactory{
                             "cluster", [] { return std::make_unique<ClusterHarness>(); }}));
INSTANTIATE_TEST_SUITE_P(Cluster, OrderQueueContract,
                         ::testing::Values(HarnessFactory{
                             "cluster", [] { return std::make_unique<ClusterHarness>(); }}));
INSTANTIATE_TEST_SUITE_P(Cluster, RateLimiterContract,
                         ::testing::Values(RateLimiterFactory{
                             "cluster", [] { return std::make_unique<ClusterLimiterHarness>(); }}));

namespace {

domain::Sale OpenSale(const std::string& id, std::int64_t stock, std::int32_t limit) {
  auto now = core::SystemClock().Now();
  return MakeSale(id, stock, limit, now - std::chrono::minutes(1), now + std::chrono::hours(1));
}

int SlotOf(const std::string& sale) {
  return redis::Keys::Slot(redis::Keys::Meta(MakeId<domain::SaleId>(sale)));
}

/// `per_master` sale ids (prefix-<n>) whose slot is on each master in turn.
std::vector<std::string> SalesOnEveryMaster(const RedisCluster& cluster, const std::string& prefix,
                                            int per_master) {
  const std::vector<int> owners = cluster.SlotOwners();
  std::map<int, int> count;
  std::vector<std::string> out;
  const auto masters = cluster.Masters();
  for (int n = 0; out.size() < masters.size() * static_cast<std::size_t>(per_master); ++n) {
    std::string id = prefix + "-" + std::to_string(n);
    int& taken = count[owners[static_cast<std::size_t>(SlotOf(id))]];
    if (taken < per_master) {
      ++taken;
      out.push_back(id);
    }
  }
  return out;
}

/// What a crowd of buyers saw: each buyer retries an Unavailable answer with the same request
/// id (purchases are idempotent) until it gets a final one.
struct Crowd {
  std::atomic<int> accepted{0}, sold_out{0}, limited{0}, other{0}, retries{0};
  std::mutex mu;
  std::map<std::string, std::set<std::string>> orders;  // sale -> acknowledged order ids
  std::string last_other;
  std::map<std::string, int> retried_because;  // detail of the Unavailable answers retried
};

/// `threads` buyers, each buying once per request over `sales` in turn, `requests` in all.
void Buy(redis::RedisStockStore& store, const std::vector<domain::Sale>& sales, int requests,
         int threads, Crowd& crowd, std::atomic<int>* done_count = nullptr) {
  std::vector<std::thread> buyers;
  for (int t = 0; t < threads; ++t) {
    buyers.emplace_back([&, t] {
      for (int i = t; i < requests; i += threads) {
        const domain::Sale& sale = sales[static_cast<std::size_t>(i) % sales.size()];
        domain::Reservation reservation{
            MakeRequest(sale.id.str(), "item-1", "user-" + std::to_string(i % 4999),
                        "req-" + std::to_string(i)),
            MakeId<domain::OrderId>("O" + std::to_string(i)), core::SystemClock().Now()};
        domain::PurchaseReply reply;
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (true) {
          reply = ReserveSync(store, reservation);
          if (reply.outcome != Outcome::kUnavailable) break;
          if (std::chrono::steady_clock::now() > give_up) break;
          ++crowd.retries;
          {
            std::lock_guard lock(crowd.mu);
            ++crowd.retried_because[reply.detail.substr(0, 60)];
          }
          std::this_thread::sleep_for(milliseconds(50));
        }
        if (reply.outcome == Outcome::kAccepted) {
          ++crowd.accepted;
          std::lock_guard lock(crowd.mu);
          crowd.orders[sale.id.str()].insert(reply.order_id->str());
        } else if (reply.outcome == Outcome::kSoldOut) {
          ++crowd.sold_out;
        } else if (reply.outcome == Outcome::kUserLimitReached) {
          ++crowd.limited;
        } else {
          ++crowd.other;
          std::lock_guard lock(crowd.mu);
          crowd.last_other = std::string(domain::ToString(reply.outcome)) + ": " + reply.detail;
        }
        if (done_count != nullptr) ++*done_count;
      }
    });
  }
  for (auto& buyer : buyers) buyer.join();
}

/// Every order id in the queue, drained and acknowledged.
void PrintRetries(const Crowd& crowd) {
  for (const auto& [detail, count] : crowd.retried_because) {
    std::printf("  %d retried: %s\n", count, detail.c_str());
  }
}

std::map<std::string, std::set<std::string>> DrainQueue(redis::RedisOrderQueue& queue) {
  std::map<std::string, std::set<std::string>> out;
  for (int idle = 0; idle < 3;) {
    auto pulled = queue.Pull("drain", 500, milliseconds(100));
    if (!pulled) {
      ADD_FAILURE() << pulled.error().detail;
      break;
    }
    if (pulled->empty()) {
      ++idle;
      continue;
    }
    idle = 0;
    std::vector<std::string> receipts;
    for (const auto& entry : *pulled) {
      receipts.push_back(entry.receipt);
      if (entry.order) {
        EXPECT_TRUE(out[entry.order->sale.str()].insert(entry.order->id.str()).second)
            << "delivered twice: " << entry.order->id.str();
      }
    }
    EXPECT_TRUE(queue.Ack(receipts).ok());
  }
  return out;
}

}  // namespace

TEST(RedisClusterTest, KeySlotsAgreeWithTheServer) {
  RedisCluster& cluster = SharedCluster();
  for (std::string key : {"foo", "123456789", "{user1000}.following", "fs:{sale-7}:meta",
                          "fs:{~rl}:u:alice", "a{}b", "{}{x}", "x{y", "fs:sales"}) {
    EXPECT_EQ(std::to_string(redis::Keys::Slot(key)),
              cluster.Cli(0, "CLUSTER KEYSLOT '" + key + "'"))
        << key;
  }
  for (int i = 0; i < 200; ++i) {
    const std::string key = "fs:{s" + std::to_string(i * 7919) + "}:stock:item-1";
    ASSERT_EQ(std::to_string(redis::Keys::Slot(key)),
              cluster.Cli(0, "CLUSTER KEYSLOT '" + key + "'"))
        << key;
  }
}

TEST(RedisClusterTest, SalesOnEveryMasterSellExactlyTheirStockAndQueueEveryOrderOnce) {
  RedisCluster& cluster = SharedCluster();
  redis::RedisStockStore store(cluster.Options());
  ports::NullLogger log;
  redis::RedisOrderQueue queue(cluster.Options(), log);
  ASSERT_TRUE(store.Healthy());
  std::vector<domain::Sale> sales;
  for (const auto& id : SalesOnEveryMaster(cluster, "spread", 2)) {
    sales.push_back(OpenSale(id, 1000, 3));
    ASSERT_TRUE(store.Load(sales.back()).ok()) << id;
  }
  ASSERT_EQ(sales.size(), 6U);

  Crowd crowd;
  Buy(store, sales, 12'000, 16, crowd);

  EXPECT_EQ(crowd.other.load(), 0) << crowd.last_other;
  EXPECT_EQ(crowd.accepted.load(), 6000);
  EXPECT_EQ(crowd.accepted + crowd.sold_out + crowd.limited, 12'000);
  for (const auto& sale : sales) {
    EXPECT_EQ(crowd.orders[sale.id.str()].size(), 1000U) << sale.id.str();
    EXPECT_EQ(store.Snapshot(sale.id)->items[0].remaining, 0) << sale.id.str();
  }
  // The queue finds every sale on its master and delivers each acknowledged order once.
  auto queued = DrainQueue(queue);
  EXPECT_EQ(queued, crowd.orders);
  EXPECT_EQ(*queue.Depth(), 0U);
}

// The hot item of issue 15: one item split into 3 sub-stocks, one on each master. 100,000
// requests from 64 callers, users limited to 2 units: exactly the stock is sold, nobody holds
// more than 2 (each user's count lives only in its home sub-stock), nothing is left in any
// sub-stock or in transit, and every order is queued once.
TEST(RedisClusterTest, AHotItemInThreeSubStocksSellsExactlyItsStockWithinTheLimit) {
  RedisCluster& cluster = SharedCluster();
  redis::RedisOptions options = cluster.Options();
  options.item_shards = 3;
  redis::RedisStockStore store(options);
  ports::NullLogger log;
  redis::RedisOrderQueue queue(cluster.Options(), log);
  ASSERT_TRUE(store.Healthy());
  // A sale id whose three sub-stocks hash to the three masters.
  const std::vector<int> owners = cluster.SlotOwners();
  std::string id;
  for (int n = 0; id.empty(); ++n) {
    const auto sale = MakeId<domain::SaleId>("hot-" + std::to_string(n));
    std::set<int> masters;
    for (int shard = 0; shard < 3; ++shard) {
      masters.insert(
          owners[static_cast<std::size_t>(redis::Keys::Slot(redis::Keys::Meta(sale, shard)))]);
    }
    if (masters.size() == 3) id = sale.str();
  }
  const domain::Sale sale = OpenSale(id, 10'000, 2);
  ASSERT_TRUE(store.Load(sale).ok());
  std::int64_t loaded = 0;
  for (int shard = 0; shard < 3; ++shard) {
    const std::string key = redis::Keys::Stock(sale.id, sale.items[0].id, shard);
    auto units = redis::Router(cluster.Options(), "").Call(key, {"GET", key});
    ASSERT_TRUE(units.ok());
    EXPECT_GE(std::stoll(std::string(redis::Str(units->get()))), 3333) << shard;
    loaded += std::stoll(std::string(redis::Str(units->get())));
  }
  EXPECT_EQ(loaded, 10'000);

  constexpr int kRequests = 100'000;
  constexpr int kCallers = 64;
  constexpr int kUsers = 6'000;  // ~17 requests each; at 2 units each they could take 12,000
  std::atomic<int> accepted{0}, sold_out{0}, limited{0}, other{0};
  std::mutex mu;
  std::map<std::string, int> units_by_user;
  std::set<std::string> orders;
  std::string last_other;
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t) {
    callers.emplace_back([&, t] {
      for (int i = t; i < kRequests; i += kCallers) {
        const std::string user = "u" + std::to_string((static_cast<long>(i) * 7919) % kUsers);
        domain::Reservation reservation{MakeRequest(id, "item-1", user, "r" + std::to_string(i)),
                                        MakeId<domain::OrderId>("H" + std::to_string(i)),
                                        core::SystemClock().Now()};
        domain::PurchaseReply reply = ReserveSync(store, reservation);
        for (int retry = 0; reply.outcome == Outcome::kUnavailable && retry < 100; ++retry) {
          std::this_thread::sleep_for(milliseconds(20));
          reply = ReserveSync(store, reservation);  // same request id: idempotent
        }
        if (reply.outcome == Outcome::kAccepted) {
          ++accepted;
          std::lock_guard lock(mu);
          ++units_by_user[user];
          orders.insert(reply.order_id->str());
        } else if (reply.outcome == Outcome::kSoldOut) {
          ++sold_out;
        } else if (reply.outcome == Outcome::kUserLimitReached) {
          ++limited;
        } else {
          ++other;
          std::lock_guard lock(mu);
          last_other = std::string(domain::ToString(reply.outcome)) + ": " + reply.detail;
        }
      }
    });
  }
  for (auto& caller : callers) caller.join();

  EXPECT_EQ(other.load(), 0) << last_other;
  EXPECT_EQ(accepted.load(), 10'000);
  EXPECT_EQ(accepted + sold_out + limited + other, kRequests);
  EXPECT_EQ(orders.size(), 10'000U);
  int worst = 0;
  for (const auto& [user, units] : units_by_user) worst = std::max(worst, units);
  EXPECT_EQ(worst, 2);  // the limit was reached (and never passed)
  EXPECT_GT(limited.load(), 0);
  std::printf("  hot item: %d accepted, %d sold out, %d limited, %zu buyers (max %d units)\n",
              accepted.load(), sold_out.load(), limited.load(), units_by_user.size(), worst);
  // Nothing left in any sub-stock or in transit, and the store's own count of every user.
  auto snapshot = store.Snapshot(sale.id);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->items[0].remaining, 0);
  auto audit = store.Audit(sale.id);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->max_user_units, worst);
  EXPECT_EQ(audit->queued.size(), 10'000U);
  for (const auto& [user, units] : units_by_user) {
    ASSERT_EQ(*store.UnitsHeld(sale.id, MakeId<domain::UserId>(user)), units) << user;
  }
  auto queued = DrainQueue(queue);
  EXPECT_EQ(queued[id], orders);
  EXPECT_EQ(*queue.Depth(), 0U);
}

// A Release publishes on the sale's master; Redis Cluster delivers it to the subscribers of
// every node, so each instance hears about units coming back whichever master had them.
TEST(RedisClusterTest, UnitsReturnedOnAnyMasterReachEverySubscriber) {
  RedisCluster& cluster = SharedCluster();
  redis::RedisStockStore store(cluster.Options());
  redis::RedisOptions last_first = cluster.Options();  // another instance, other seed order
  std::swap(last_first.port, last_first.more_seeds.back().port);
  redis::RedisStockStore other(last_first);
  std::mutex mu;
  std::map<std::string, int> heard, heard_other;
  store.OnUnitsReturned([&](const domain::SaleId& sale, const domain::ItemId&) {
    std::lock_guard lock(mu);
    ++heard[sale.str()];
  });
  other.OnUnitsReturned([&](const domain::SaleId& sale, const domain::ItemId&) {
    std::lock_guard lock(mu);
    ++heard_other[sale.str()];
  });
  ports::NullLogger log;
  redis::RedisOrderQueue queue(cluster.Options(), log);
  std::vector<std::string> ids = SalesOnEveryMaster(cluster, "returned", 1);
  for (const auto& id : ids) {
    domain::Sale sale = OpenSale(id, 5, 5);
    ASSERT_TRUE(store.Load(sale).ok());
    domain::Reservation reservation{MakeRequest(id, "item-1", "alice", "r1"),
                                    MakeId<domain::OrderId>("O-" + id), core::SystemClock().Now()};
    ASSERT_EQ(ReserveSync(store, reservation).outcome, Outcome::kAccepted);
  }
  int released = 0;
  for (int round = 0; round < 20 && released < 3; ++round) {
    auto pulled = queue.Pull("releaser", 10, milliseconds(100));
    ASSERT_TRUE(pulled.ok());
    for (const auto& entry : *pulled) {
      ASSERT_TRUE(*store.Release(*entry.order, Outcome::kSoldOut));
      ++released;
    }
  }
  ASSERT_EQ(released, 3);
  EXPECT_TRUE(WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return heard.size() == 3 && heard_other.size() == 3;
      },
      std::chrono::seconds(5)));
  for (const auto& id : ids) {
    EXPECT_EQ(heard[id], 1) << id;
    EXPECT_EQ(heard_other[id], 1) << id;
  }
}

TEST(RedisClusterTest, ARouterStartsFromAnyOneSeed) {
  RedisCluster& cluster = SharedCluster();
  redis::RedisOptions options = cluster.Options();
  options.port = cluster.port(cluster.size() - 1);  // one seed only, the last node
  options.more_seeds.clear();
  redis::Router router(options, "");
  EXPECT_TRUE(router.cluster());
  EXPECT_TRUE(router.Healthy());
  EXPECT_EQ(router.Masters().size(), 3U);
  for (int i = 0; i < 30; ++i) {  // keys on every master
    const std::string key = "k{" + std::to_string(i) + "}";
    auto set = router.Call(key, {"SET", key, "v"});
    ASSERT_TRUE(set.ok()) << set.error().detail;
    ASSERT_EQ(redis::Str(set->get()), "OK") << key;
    auto got = router.Call(key, {"GET", key});
    ASSERT_TRUE(got.ok()) << got.error().detail;
    EXPECT_EQ(redis::Str(got->get()), "v") << key;
  }
}

TEST(RedisClusterTest, UnreachableSeedsAnswerUnavailableNotAHang) {
  redis::RedisOptions options;
  options.host = "127.0.0.1";
  options.port = FreePort();
  options.more_seeds.push_back(redis::RedisNode{"127.0.0.1", FreePort()});
  redis::Router router(options, "");
  EXPECT_TRUE(router.cluster());  // several seeds: a cluster, mapped once a seed answers
  EXPECT_FALSE(router.Healthy());
  auto reply = router.Call("k", {"GET", "k"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().outcome, Outcome::kUnavailable);
  EXPECT_NE(reply.error().detail.find("no master serves slot"), std::string::npos)
      << reply.error().detail;
}

// A sale's slot moves to another master (MIGRATING/IMPORTING, MIGRATE of its keys, SETSLOT
// NODE) while buyers buy: the router follows ASK, TRYAGAIN and MOVED; exact-N holds.
TEST(RedisClusterReshardTest, ASlotMovedUnderLoadSellsExactlyTheStock) {
  RedisCluster cluster(3, 0);
  redis::RedisStockStore store(cluster.Options());
  const std::string id = SalesOnEveryMaster(cluster, "moving", 1).front();
  const int slot = SlotOf(id);
  const int from = cluster.MasterOf(slot);
  const auto masters = cluster.Masters();
  const int to = masters[0] == from ? masters[1] : masters[0];
  std::vector<domain::Sale> sales{OpenSale(id, 3000, 2)};
  ASSERT_TRUE(store.Load(sales[0]).ok());

  Crowd crowd;
  std::atomic<int> bought{0};
  std::thread buyers([&] { Buy(store, sales, 9000, 16, crowd, &bought); });
  ASSERT_TRUE(WaitFor([&] { return bought.load() >= 1500; }, std::chrono::seconds(30)));

  const std::string from_id = cluster.Cli(from, "CLUSTER MYID");
  const std::string to_id = cluster.Cli(to, "CLUSTER MYID");
  const std::string s = std::to_string(slot);
  ASSERT_EQ(cluster.Cli(to, "CLUSTER SETSLOT " + s + " IMPORTING " + from_id), "OK");
  ASSERT_EQ(cluster.Cli(from, "CLUSTER SETSLOT " + s + " MIGRATING " + to_id), "OK");
  int moved_keys = 0;
  while (true) {
    const std::string keys = cluster.Cli(from, "CLUSTER GETKEYSINSLOT " + s + " 50");
    if (keys.empty()) break;
    std::string list;
    for (std::size_t start = 0; start < keys.size();) {
      const auto end = keys.find('\n', start);
      list += " '" + keys.substr(start, end - start) + "'";
      ++moved_keys;
      if (end == std::string::npos) break;
      start = end + 1;
    }
    ASSERT_EQ(cluster.Cli(from, "MIGRATE 127.0.0.1 " + std::to_string(cluster.port(to)) +
                                    " \"\" 0 5000 KEYS" + list),
              "OK");
  }
  for (int node : masters) {
    ASSERT_EQ(cluster.Cli(node, "CLUSTER SETSLOT " + s + " NODE " + to_id), "OK");
  }
  buyers.join();
  ::testing::Test::RecordProperty("keys_migrated", moved_keys);
  ::testing::Test::RecordProperty("buyer_retries", crowd.retries.load());
  std::printf("slot %d moved from node %d to %d under load: %d keys, %d buyer retries\n", slot,
              from, to, moved_keys, crowd.retries.load());
  PrintRetries(crowd);

  EXPECT_GT(moved_keys, 1000);
  EXPECT_EQ(cluster.MasterOf(slot), to);
  EXPECT_EQ(crowd.other.load(), 0) << crowd.last_other;
  EXPECT_EQ(crowd.accepted.load(), 3000);
  EXPECT_EQ(crowd.orders[id].size(), 3000U);
  EXPECT_EQ(store.Snapshot(sales[0].id)->items[0].remaining, 0);
  EXPECT_EQ(cluster.Cli(to, "XLEN '" + redis::Keys::Orders(sales[0].id) + "'"), "3000");
}

// kill -9 of the master that owns a sale, mid-load: its replica takes over and purchases
// resume by themselves (with WAIT 1 once the restarted node replicates the new master).
// Returns how many acknowledged orders the promoted replica lacks.
int KillAMasterUnderLoad(int wait_replicas) {
  RedisCluster cluster(3, 1);
  redis::RedisOptions options = cluster.Options();
  options.wait_replicas = wait_replicas;
  redis::RedisStockStore store(options);
  const std::string id = SalesOnEveryMaster(cluster, "failover", 1).front();
  const int slot = SlotOf(id);
  const int master = cluster.MasterOf(slot);
  std::vector<domain::Sale> sales{OpenSale(id, 4000, 2)};
  EXPECT_TRUE(store.Load(sales[0]).ok());

  Crowd crowd;
  std::atomic<int> bought{0};
  std::thread buyers([&] { Buy(store, sales, 12'000, 16, crowd, &bought); });
  EXPECT_TRUE(WaitFor([&] { return bought.load() >= 1500; }, std::chrono::seconds(30)));
  if (std::getenv("FLASHSALE_DEBUG_FAILOVER") != nullptr) {
    for (int n = 0; n < cluster.size(); ++n) {
      std::printf("node %d (port %d):\n%s\n", n, cluster.port(n),
                  cluster.Cli(n, "INFO replication").c_str());
    }
  }
  const auto killed_at = std::chrono::steady_clock::now();
  cluster.Kill(master);
  const int before = bought.load();
  // A supervisor restarts the crashed node once its replica has taken over; it rejoins as
  // that replica's replica (so a master with WAIT 1 has a replica to wait for again).
  EXPECT_TRUE(WaitFor(
      [&] {
        const int now_master = cluster.MasterOf(slot);
        return now_master >= 0 && now_master != master;
      },
      std::chrono::seconds(30)));
  const auto promoted_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - killed_at)
          .count();
  cluster.Start(master);
  EXPECT_TRUE(WaitFor([&] { return bought.load() >= before + 500; }, std::chrono::seconds(30)))
      << "purchases did not resume after the failover";
  const auto resumed_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - killed_at)
          .count();
  buyers.join();

  const int promoted = cluster.MasterOf(slot);
  EXPECT_GE(promoted, 0);
  EXPECT_NE(promoted, master);
  if (promoted < 0) return -1;
  // What the new master holds: every order's status, the stream, the stock left.
  std::set<std::string> kept;
  const std::string ids =
      cluster.Cli(promoted, "HKEYS '" + redis::Keys::OrderStatus(sales[0].id) + "'");
  for (std::size_t start = 0; start < ids.size();) {
    const auto end = ids.find('\n', start);
    kept.insert(ids.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  int lost = 0;
  for (const auto& order : crowd.orders[id]) lost += kept.count(order) == 0 ? 1 : 0;
  const long long in_stream =
      std::atoll(cluster.Cli(promoted, "XLEN '" + redis::Keys::Orders(sales[0].id) + "'").c_str());
  // Right after the failover a read may meet the restarted node still mapped as master:
  // Unavailable, and the map is re-read; retried like a buyer would.
  long long remaining = -1;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto snapshot = store.Snapshot(sales[0].id);
        if (!snapshot) std::printf("snapshot: %s\n", snapshot.error().detail.c_str());
        if (snapshot) remaining = snapshot->items[0].remaining;
        return snapshot.ok();
      },
      std::chrono::seconds(10)));
  ::testing::Test::RecordProperty("promoted_ms", static_cast<int>(promoted_ms));
  ::testing::Test::RecordProperty("resumed_ms", static_cast<int>(resumed_ms));
  ::testing::Test::RecordProperty("acknowledged_orders_lost", lost);
  std::printf(
      "failover, wait-replicas %d: replica promoted %lld ms after kill -9 (then the node "
      "restarted), purchases resumed after %lld ms; %d buyer retries; %d acknowledged orders "
      "missing on the promoted replica; %lld in its stream, %lld left\n",
      wait_replicas, static_cast<long long>(promoted_ms), static_cast<long long>(resumed_ms),
      crowd.retries.load(), lost, in_stream, remaining);
  PrintRetries(crowd);

  EXPECT_EQ(crowd.other.load(), 0) << crowd.last_other;
  // The promoted replica is consistent with itself and sold out (buyers kept coming after
  // the failover): what it sold plus what it has left is the stock.
  EXPECT_EQ(remaining, 0);
  EXPECT_EQ(in_stream, 4000);
  EXPECT_EQ(static_cast<long long>(kept.size()), 4000);
  // Every order it kept was acknowledged to a buyer (buyers retry until answered); a lost
  // one was acknowledged and then sold again to someone else.
  EXPECT_EQ(static_cast<int>(crowd.orders[id].size()), 4000 + lost);
  return lost;
}

// Without WAIT, replication is asynchronous: orders acknowledged just before the crash may be
// missing on the new master. They are counted (printed and recorded), not assumed.
TEST(RedisClusterFailoverTest, AKilledMasterIsReplacedAndPurchasesResume) {
  EXPECT_GE(KillAMasterUnderLoad(0), 0);
}

// With --redis-wait-replicas 1 an order is acknowledged only once the replica has it: the
// promoted replica lacks none.
TEST(RedisClusterFailoverTest, WithWaitReplicasNoAcknowledgedOrderIsLost) {
  EXPECT_EQ(KillAMasterUnderLoad(1), 0);
}

}  // namespace flashsale::testing
