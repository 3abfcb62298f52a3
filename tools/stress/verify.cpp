#include "verify.hpp"

#include <cstdio>
#include <thread>

#include "flashsale/mysql/mysql_order_repository.hpp"
#include "flashsale/mysql/mysql_sale_repository.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "flashsale/redis/router.hpp"

namespace flashsale::stress {
namespace {

/// Prints PASS/FAIL lines and counts the failures.
class Checker {
 public:
  void Check(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", what.c_str());
    if (!ok) ++failures_;
  }
  int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

void CheckAnswers(const Run& run, Checker& checker) {
  const long errors =
      run.outcomes[kUnavailable] + run.outcomes[kInternal] + run.outcomes[kTransport];
  checker.Check(errors == 0, "every request got a definitive answer (" + std::to_string(errors) +
                                 " unavailable/internal/transport errors)");
  checker.Check(run.accepted_ids.size() == static_cast<std::size_t>(run.outcomes[kAccepted].load()),
                "accepted order ids are unique (" + std::to_string(run.accepted_ids.size()) + ")");
}

/// Waits for the persistence workers to drain the sale's streams (one per sub-stock of a
/// split sale); the backlog left.
long long WaitForDrain(const redis::RedisOptions& options, const domain::SaleId& sale,
                       double timeout_s) {
  redis::Router router(options, "");  // the sale's master when Redis is a cluster
  const std::string meta = redis::Keys::Meta(sale);
  auto shards = redis::CheckReply(router.Call(meta, {"HGET", meta, "shards"}));
  const int count =
      shards && !redis::IsNil(shards->get()) ? static_cast<int>(redis::Int(shards->get())) : 1;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_s));
  long long backlog = -1;
  while (true) {
    backlog = 0;
    for (int shard = 0; shard < count && backlog >= 0; ++shard) {
      const std::string stream = redis::Keys::Orders(sale, shard);
      auto reply = redis::CheckReply(router.Call(stream, {"XLEN", stream}));
      backlog = reply ? backlog + redis::Int(reply->get()) : -1;
    }
    if (backlog <= 0 || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return backlog;
}

/// Exactly the accepted orders are persisted: none missing, and no other order for this
/// run's users (their ids carry the run id, so earlier runs on the same sale don't count).
void CheckPersisted(Run& run, const ports::SaleAudit& audit, Checker& checker) {
  std::set<std::string> stored(audit.confirmed_order_ids.begin(), audit.confirmed_order_ids.end());
  std::size_t missing = 0;
  for (const auto& id : run.accepted_ids) missing += stored.count(id) == 0 ? 1 : 0;
  long run_units = 0, accepted_units = 0;
  for (const auto& [user, units] : audit.units_by_user) {
    if (user.rfind(run.options.run_id + "-u", 0) == 0) run_units += units;
  }
  for (const auto& [user, units] : run.accepted_units_by_user) accepted_units += units;
  checker.Check(missing == 0 && run_units == accepted_units,
                "MySQL holds exactly the accepted orders (" + std::to_string(missing) + " of " +
                    std::to_string(run.accepted_ids.size()) + " missing; " +
                    std::to_string(run_units) + " units stored for this run's users, " +
                    std::to_string(accepted_units) + " accepted)");
}

void CheckItem(Run& run, const ports::ItemAudit& item, std::int64_t remaining, long demand,
               Checker& checker) {
  const long accepted = run.accepted_units_by_item[item.item.str()];
  const std::string name = item.item.str();
  checker.Check(accepted <= item.stock, name + ": no oversell (" + std::to_string(accepted) +
                                            " accepted <= " + std::to_string(item.stock) +
                                            " stock)");
  checker.Check(
      item.sold == item.confirmed_units && item.sold <= item.stock,
      name + ": sold counter == confirmed units (" + std::to_string(item.sold) + ") <= stock");
  checker.Check(remaining + item.confirmed_units == item.stock,
                name + ": Redis stock + persisted == initial (" + std::to_string(remaining) +
                    " + " + std::to_string(item.confirmed_units) +
                    " == " + std::to_string(item.stock) + ")");
  if (run.items.size() == 1) {
    // One item: every accepted unit was one the crowd asked for, within the limit.
    checker.Check(accepted == std::min<long>(demand, accepted + remaining),
                  name + ": accepted == min(demand, stock available to this run) (" +
                      std::to_string(accepted) + " accepted, demand " + std::to_string(demand) +
                      ")");
  }
  if (run.items_sold_out.count(name)) {
    checker.Check(remaining == 0, name + ": sold out means nothing left unsold (" +
                                      std::to_string(remaining) + " remaining)");
  }
}

void CheckItems(Run& run, const ports::SaleAudit& audit, const ports::StockSnapshot& snapshot,
                std::int64_t limit, Checker& checker) {
  long demand = 0;
  for (const auto& [user, units] : run.demand_by_user) {
    demand += limit > 0 ? std::min<long>(units, limit) : units;
  }
  for (const auto& item : audit.items) {
    std::int64_t remaining = -1;
    for (const auto& s : snapshot.items) {
      if (s.item == item.item) remaining = s.remaining;
    }
    CheckItem(run, item, remaining, demand, checker);
  }
  long worst = 0;
  for (const auto& [user, units] : audit.units_by_user) worst = std::max<long>(worst, units);
  checker.Check(limit == 0 || worst <= limit, "per-user limit never exceeded (max " +
                                                  std::to_string(worst) +
                                                  " <= " + std::to_string(limit) + ")");
}

/// Checkout flow: every checkout that reached the store is recorded, and no unit stays held.
void CheckCheckouts(const Run& run, const ports::SaleAudit& audit,
                    const ports::StockSnapshot& snapshot, Checker& checker) {
  std::int64_t held = 0;
  for (const auto& item : snapshot.items) held += item.held;
  checker.Check(held == 0, "no unit left held (" + std::to_string(held) + ")");
  const long recorded = static_cast<long>(audit.checkout_attempts) - run.attempts_before;
  checker.Check(run.attempts_before >= 0 && recorded == run.checkout_attempts.load(),
                "every checkout attempt recorded (" + std::to_string(recorded) + " recorded, " +
                    std::to_string(run.checkout_attempts.load()) + " answered)");
}

}  // namespace

long RecordedAttempts(const Options& o) {
  auto sale = domain::SaleId::Parse(o.sale_id);
  auto mysql_options = mysql::ParseMySqlUrl(o.mysql_url);
  if (!sale || !mysql_options) return -1;
  auto audit = mysql::MySqlOrderRepository(*mysql_options).Audit(*sale, std::nullopt);
  return audit ? static_cast<long>(audit->checkout_attempts) : -1;
}

int Verify(Run& run) {
  const Options& o = run.options;
  Checker checker;
  CheckAnswers(run, checker);
  auto sale = domain::SaleId::Parse(o.sale_id);
  auto mysql_options = mysql::ParseMySqlUrl(o.mysql_url);
  auto redis_options = redis::ParseRedisUrl(o.redis_url);
  if (!sale || !mysql_options || !redis_options) {
    checker.Check(false, "--verify needs --redis-url, --mysql-url and a valid --sale-id");
    return checker.failures();
  }
  const long long backlog = WaitForDrain(*redis_options, *sale, o.drain_timeout_s);
  checker.Check(backlog == 0, "order queue drained (" + std::to_string(backlog) + " left)");

  mysql::MySqlOrderRepository repository(*mysql_options);
  redis::RedisStockStore store(*redis_options);
  auto audit = repository.Audit(*sale, std::nullopt);
  auto snapshot = store.Snapshot(*sale);
  if (!audit || !snapshot) {
    checker.Check(false, "read MySQL audit and Redis stock");
    return checker.failures();
  }
  std::int64_t limit = 0;
  if (auto found = mysql::MySqlSaleRepository(*mysql_options).Find(*sale);
      found && found->has_value()) {
    limit = (**found).per_user_limit;
  }
  CheckPersisted(run, *audit, checker);
  CheckItems(run, *audit, *snapshot, limit, checker);
  if (o.flow == "checkout") CheckCheckouts(run, *audit, *snapshot, checker);
  return checker.failures();
}

}  // namespace flashsale::stress
