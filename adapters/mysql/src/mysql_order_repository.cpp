#include "flashsale/mysql/mysql_order_repository.hpp"

#include <cppconn/datatype.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "connection_pool.hpp"
#include "save_batch.hpp"

namespace flashsale::mysql {
using domain::Outcome;

namespace {
/// An order queued at or before the audit's position (or persisted before positions were).
const std::string kSeen = "(o.queue_ms IS NULL OR (o.queue_ms, o.queue_seq) <= (?, ?))";

/// Per item: stock, sold, confirmed units queued up to `bound`, failed units, and confirmed
/// units queued after it (the store does not count those yet). Throws sql::SQLException.
void ReadItemTotals(Session& session, const domain::SaleId& sale,
                    const domain::QueuePosition& bound, ports::SaleAudit& audit) {
  auto& items = session.Prepare(
      "SELECT i.item_id, i.stock, i.sold, "
      "COALESCE(SUM(CASE WHEN o.status = 'confirmed' AND " +
      kSeen +
      " THEN o.quantity END), 0), "
      "COALESCE(SUM(CASE WHEN o.status = 'failed' THEN o.quantity END), 0), "
      "COALESCE(SUM(CASE WHEN o.status = 'confirmed' AND NOT " +
      kSeen +
      " THEN o.quantity END), 0) "
      "FROM sale_items i LEFT JOIN orders o ON o.sale_id = i.sale_id AND o.item_id = i.item_id "
      "WHERE i.sale_id = ? GROUP BY i.item_id, i.stock, i.sold ORDER BY i.item_id");
  items.setInt64(1, bound.major);
  items.setInt64(2, bound.minor);
  items.setInt64(3, bound.major);
  items.setInt64(4, bound.minor);
  items.setString(5, sale.str());
  std::unique_ptr<sql::ResultSet> rs(items.executeQuery());
  while (rs->next()) {
    auto item = domain::ItemId::Parse(std::string(rs->getString(1)));
    if (!item) continue;
    audit.items.push_back(ports::ItemAudit{std::move(*item), rs->getInt64(2), rs->getInt64(3),
                                           rs->getInt64(4), rs->getInt64(5), rs->getInt64(6)});
  }
}

/// The confirmed orders queued up to `bound`, and units per user. Throws sql::SQLException.
void ReadConfirmedOrders(Session& session, const domain::SaleId& sale,
                         const domain::QueuePosition& bound, ports::SaleAudit& audit) {
  auto& ids = session.Prepare(
      "SELECT order_id, user_id, quantity FROM orders o WHERE sale_id = ? AND status = "
      "'confirmed' AND " +
      kSeen);
  ids.setString(1, sale.str());
  ids.setInt64(2, bound.major);
  ids.setInt64(3, bound.minor);
  std::unique_ptr<sql::ResultSet> orders(ids.executeQuery());
  while (orders->next()) {
    audit.confirmed_order_ids.emplace_back(orders->getString(1));
    audit.units_by_user[std::string(orders->getString(2))] += orders->getInt(3);
  }
}

/// Checkout attempts recorded, and the holds among them. Throws sql::SQLException.
void ReadAttemptCounts(Session& session, const domain::SaleId& sale, ports::SaleAudit& audit) {
  auto& attempts = session.Prepare(
      "SELECT COUNT(*), COUNT(DISTINCT checkout_code) FROM checkout_attempts WHERE sale_id = ?");
  attempts.setString(1, sale.str());
  std::unique_ptr<sql::ResultSet> counted(attempts.executeQuery());
  if (counted->next()) {
    audit.checkout_attempts = counted->getInt64(1);
    audit.checkout_holds = counted->getInt64(2);
  }
}
}  // namespace

MySqlOrderRepository::MySqlOrderRepository(MySqlOptions options)
    : pool_(std::make_unique<ConnectionPool>(std::move(options))) {}
MySqlOrderRepository::~MySqlOrderRepository() = default;

domain::Result<std::vector<ports::SaveResult>> MySqlOrderRepository::SaveBatch(
    std::span<const domain::Order> orders) {
  std::vector<ports::SaveResult> results(orders.size());
  if (orders.empty()) return results;
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    namespace steps = save_batch;
    // Optimistic first: the hot item's sale_items row is locked last, by the guarded `sold`
    // update just before the commit, so concurrent batches hold it for that update and the
    // commit only, not through the lookups and the INSERT (BENCHMARKS.md, R4). When the guard
    // refuses (another batch sold the units this one counted on meanwhile), the batch is
    // done again with the rows locked first, which cannot be refused.
    for (const bool lock : {false, true}) {
      results.assign(orders.size(), ports::SaveResult{});
      session.Begin();
      steps::StockByItem stock = steps::ReadItems(session, orders, lock);
      steps::Answers known = steps::FindStoredAnswers(session, orders);
      steps::RequestOwners owners = steps::FindRequestOwners(session, orders, known);
      const auto rows = steps::Decide(orders, known, owners, stock, results);
      steps::InsertOrders(session, rows);
      if (!steps::BumpSold(session, stock)) {
        session.Rollback();
        if (!lock) continue;
        return domain::Error{Outcome::kInternal, "mysql: stock guard refused a locked row"};
      }
      session.Commit();
      return results;
    }
    return domain::Error{Outcome::kInternal, "mysql: unreachable"};
  } catch (const sql::SQLException& e) {
    domain::Error error = Translate(e, &session);
    if (!session.broken) session.Rollback();
    return error;
  }
}

domain::Result<void> MySqlOrderRepository::SaveAttempts(
    std::span<const domain::CheckoutAttempt> attempts) {
  if (attempts.empty()) return domain::Ok();
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    // INSERT IGNORE on the unique attempt id: a redelivered attempt is a no-op. One statement
    // (autocommit): all rows or none.
    auto& insert = session.Prepare(
        "INSERT IGNORE INTO checkout_attempts (attempt_id, sale_id, item_id, user_id, "
        "checkout_code, outcome, expires_at_ms, created_at_ms) VALUES " +
        Placeholders(attempts.size(), 8));
    unsigned int p = 1;
    for (const auto& a : attempts) {
      insert.setString(p++, a.id.str());
      insert.setString(p++, a.sale.str());
      insert.setString(p++, a.item.str());
      insert.setString(p++, a.user.str());
      if (a.code) {
        insert.setString(p++, a.code->str());
      } else {
        insert.setNull(p++, sql::DataType::VARCHAR);
      }
      insert.setString(p++, std::string(domain::ToString(a.outcome)));
      if (a.expires_at) {
        insert.setInt64(p++, domain::ToUnixMillis(*a.expires_at));
      } else {
        insert.setNull(p++, sql::DataType::BIGINT);
      }
      insert.setInt64(p++, domain::ToUnixMillis(a.created_at));
    }
    insert.executeUpdate();
    return domain::Ok();
  } catch (const sql::SQLException& e) {
    return Translate(e, &session);
  }
}

domain::Result<std::optional<domain::Order>> MySqlOrderRepository::Find(const domain::OrderId& id) {
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    auto& find = session.Prepare(
        "SELECT order_id, sale_id, item_id, user_id, request_id, quantity, unit_price_cents, "
        "status, created_at_ms FROM orders WHERE order_id = ?");
    find.setString(1, id.str());
    std::unique_ptr<sql::ResultSet> rs(find.executeQuery());
    if (!rs->next()) return std::optional<domain::Order>{};
    auto order_id = domain::OrderId::Parse(std::string(rs->getString(1)));
    auto sale = domain::SaleId::Parse(std::string(rs->getString(2)));
    auto item = domain::ItemId::Parse(std::string(rs->getString(3)));
    auto user = domain::UserId::Parse(std::string(rs->getString(4)));
    auto request = domain::RequestId::Parse(std::string(rs->getString(5)));
    auto quantity = domain::Quantity::Parse(rs->getInt(6), domain::kMaxQuantity);
    if (!order_id || !sale || !item || !user || !request || !quantity) {
      return domain::Error{Outcome::kInternal, "mysql: stored order is invalid"};
    }
    return std::optional<domain::Order>{
        domain::Order{std::move(*order_id), std::move(*sale), std::move(*item), std::move(*user),
                      std::move(*request), *quantity, rs->getInt64(7),
                      std::string(rs->getString(8)) == "confirmed" ? domain::OrderStatus::kConfirmed
                                                                   : domain::OrderStatus::kFailed,
                      domain::FromUnixMillis(rs->getInt64(9))}};
  } catch (const sql::SQLException& e) {
    return Translate(e, &session);
  }
}

domain::Result<std::int64_t> MySqlOrderRepository::CountSold(const domain::SaleId& sale,
                                                             const domain::ItemId& item) {
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    auto& query = session.Prepare("SELECT sold FROM sale_items WHERE sale_id = ? AND item_id = ?");
    query.setString(1, sale.str());
    query.setString(2, item.str());
    std::unique_ptr<sql::ResultSet> rs(query.executeQuery());
    if (!rs->next()) return domain::Error{Outcome::kUnknownItem, "unknown sale item"};
    return static_cast<std::int64_t>(rs->getInt64(1));
  } catch (const sql::SQLException& e) {
    return Translate(e, &session);
  }
}

domain::Result<ports::SaleAudit> MySqlOrderRepository::Audit(
    const domain::SaleId& sale, std::optional<domain::QueuePosition> up_to) {
  const domain::QueuePosition bound = up_to.value_or(domain::QueuePosition{
      std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()});
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    // One consistent snapshot of the three reads.
    session.BeginSnapshot();
    ports::SaleAudit audit;
    ReadItemTotals(session, sale, bound, audit);
    if (audit.items.empty()) {
      session.Rollback();
      return domain::Error{Outcome::kNotFound, "unknown sale"};
    }
    ReadConfirmedOrders(session, sale, bound, audit);
    ReadAttemptCounts(session, sale, audit);
    session.Commit();
    return audit;
  } catch (const sql::SQLException& e) {
    domain::Error error = Translate(e, &session);
    if (!session.broken) session.Rollback();
    return error;
  }
}

bool MySqlOrderRepository::Healthy() {
  auto lease = pool_->Acquire();
  if (!lease) return false;
  try {
    std::unique_ptr<sql::ResultSet> rs((*lease)->Prepare("SELECT 1").executeQuery());
    return rs->next();
  } catch (const sql::SQLException& e) {
    (void)Translate(e, &**lease);
    return false;
  }
}

}  // namespace flashsale::mysql
