// The answer when Redis is lost after a reservation was sent, against a real redis-server:
// an unknown outcome (Unavailable, "outcome unknown"), which a retry with the same request id
// resolves.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "builders.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "redis_server.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;

/// Submits every reservation without waiting (so that they queue up together), then waits
/// for all the answers, in submission order.
std::vector<domain::PurchaseReply> ReserveAll(redis::RedisStockStore& store,
                                              const std::vector<domain::Reservation>& all) {
  std::vector<std::promise<domain::PurchaseReply>> promises(all.size());
  std::vector<std::future<domain::PurchaseReply>> futures;
  for (auto& promise : promises) futures.push_back(promise.get_future());
  for (std::size_t i = 0; i < all.size(); ++i) {
    store.Reserve(all[i], [&promises, i](domain::PurchaseReply reply) {
      promises[i].set_value(std::move(reply));
    });
  }
  std::vector<domain::PurchaseReply> replies;
  for (auto& future : futures) replies.push_back(future.get());
  return replies;
}

std::vector<domain::Reservation> Reservations(const domain::Sale& sale, int count,
                                              const std::string& tag,
                                              const std::vector<std::string>& items) {
  std::vector<domain::Reservation> all;
  const auto now = core::SystemClock().Now();
  for (int i = 0; i < count; ++i) {
    const std::string n = std::to_string(i);
    all.push_back(
        domain::Reservation{MakeRequest(sale.id.str(), items[i % items.size()], "u" + n, "r" + n),
                            MakeId<domain::OrderId>(tag + n), now});
  }
  return all;
}

TEST(RedisUnknownOutcomeTest, AReplyThatNeverCameIsAnUnknownOutcomeAndARetryTellsIt) {
  RedisServer server;
  redis::RedisStockStore store(server.Options());  // 200 ms command timeout
  const auto now = core::SystemClock().Now();
  domain::Sale sale =
      MakeSale("unknown", 10, 10, now - std::chrono::minutes(1), now + std::chrono::hours(1));
  ASSERT_TRUE(store.Load(sale).ok());
  // Redis busy for 3 s (a script on another connection), and the test waits until a probe
  // sees it stalled: the reservation is sent, its reply does not come within the timeout,
  // and the connection is given up.
  std::thread busy;
  const bool stalled = server.StartBusy(
      "EVAL \"local s = redis.call('TIME') local t = s[1] * 1000000 + s[2] "
      "while true do local n = redis.call('TIME') "
      "if n[1] * 1000000 + n[2] - t > 3000000 then return 1 end end\" 0",
      busy);
  const auto first = stalled ? ReserveAll(store, Reservations(sale, 1, "U", {"item-1"}))
                             : std::vector<domain::PurchaseReply>{};
  if (busy.joinable()) busy.join();
  ASSERT_TRUE(stalled) << "redis-server never ran the busy script";
  ASSERT_EQ(first[0].outcome, Outcome::kUnavailable) << first[0].detail;
  EXPECT_EQ(first[0].detail, domain::kOutcomeUnknownDetail);
  // The retry with the same request id learns the outcome once the store has reconnected;
  // either way one order exists.
  domain::PurchaseReply retry;
  for (int attempt = 0; attempt < 50; ++attempt) {
    retry = ReserveAll(store, Reservations(sale, 1, "V", {"item-1"}))[0];
    if (retry.outcome != Outcome::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(retry.outcome, Outcome::kAccepted) << retry.detail;
  EXPECT_EQ(server.Cli("XLEN '" + redis::Keys::Orders(sale.id) + "'"), "1");
}

}  // namespace
}  // namespace flashsale::testing
