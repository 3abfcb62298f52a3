#include "flashsale/mysql/mysql_order_repository.hpp"

#include <cppconn/datatype.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "connection_pool.hpp"

namespace flashsale::mysql {
namespace {

using core::Outcome;

std::string ItemKey(const std::string& sale, const std::string& item) {
  return sale + "/" + item;  // '/' is not an id character
}

std::string RequestKey(const core::Order& o) {
  return o.sale.str() + "/" + o.user.str() + "/" + o.request.str();
}

ports::SaveResult Saved() { return ports::SaveResult{true, Outcome::kAccepted, {}}; }
ports::SaveResult Refused(Outcome reason, std::string detail) {
  return ports::SaveResult{false, reason, std::move(detail)};
}

}  // namespace

MySqlOrderRepository::MySqlOrderRepository(MySqlOptions options)
    : pool_(std::make_unique<ConnectionPool>(std::move(options))) {}
MySqlOrderRepository::~MySqlOrderRepository() = default;

core::Result<std::vector<ports::SaveResult>> MySqlOrderRepository::SaveBatch(
    std::span<const core::Order> orders) {
  std::vector<ports::SaveResult> results(orders.size());
  if (orders.empty()) return results;
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    session.Begin();

    // 1. Lock the items' rows first (in key order, so concurrent batches never deadlock),
    //    which also serialises writers of the same orders: everything read below is current.
    std::set<std::pair<std::string, std::string>> item_keys;
    for (const auto& o : orders) item_keys.emplace(o.sale.str(), o.item.str());
    struct Stock {
      std::int64_t stock = 0;
      std::int64_t sold = 0;
      std::int64_t added = 0;
    };
    std::map<std::string, Stock> stock;
    {
      auto& lock = session.Prepare(
          "SELECT sale_id, item_id, stock, sold FROM sale_items WHERE (sale_id, item_id) IN (" +
          Placeholders(item_keys.size(), 2) + ") ORDER BY sale_id, item_id FOR UPDATE");
      unsigned int p = 1;
      for (const auto& [sale, item] : item_keys) {
        lock.setString(p++, sale);
        lock.setString(p++, item);
      }
      std::unique_ptr<sql::ResultSet> rs(lock.executeQuery());
      while (rs->next()) {
        stock[ItemKey(std::string(rs->getString(1)), std::string(rs->getString(2)))] =
            Stock{rs->getInt64(3), rs->getInt64(4), 0};
      }
    }

    // 2. Orders already stored keep their first answer.
    std::vector<std::string> ids;
    for (const auto& o : orders) ids.push_back(o.id.str());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::unordered_map<std::string, ports::SaveResult> known;
    {
      auto& find = session.Prepare(
          "SELECT order_id, status, failure_reason FROM orders WHERE order_id IN (" +
          Placeholders(ids.size(), 1) + ")");
      for (unsigned int i = 0; i < ids.size(); ++i) find.setString(i + 1, ids[i]);
      std::unique_ptr<sql::ResultSet> rs(find.executeQuery());
      while (rs->next()) {
        std::string status(rs->getString(2));
        if (status == "confirmed") {
          known[std::string(rs->getString(1))] = Saved();
        } else {
          Outcome reason = Outcome::kSoldOut;
          core::FromString(std::string(rs->getString(3)), reason);
          known[std::string(rs->getString(1))] = Refused(reason, "stored as failed");
        }
      }
    }

    // 3. Request keys already taken by other orders.
    std::vector<const core::Order*> fresh;
    for (const auto& o : orders) {
      if (!known.contains(o.id.str())) fresh.push_back(&o);
    }
    std::unordered_map<std::string, std::string> taken;  // request key -> order id
    if (!fresh.empty()) {
      auto& keys = session.Prepare(
          "SELECT sale_id, user_id, request_id, order_id FROM orders WHERE "
          "(sale_id, user_id, request_id) IN (" +
          Placeholders(fresh.size(), 3) + ")");
      unsigned int p = 1;
      for (const core::Order* o : fresh) {
        keys.setString(p++, o->sale.str());
        keys.setString(p++, o->user.str());
        keys.setString(p++, o->request.str());
      }
      std::unique_ptr<sql::ResultSet> rs(keys.executeQuery());
      while (rs->next()) {
        taken[std::string(rs->getString(1)) + "/" + std::string(rs->getString(2)) + "/" +
              std::string(rs->getString(3))] = std::string(rs->getString(4));
      }
    }

    // 4. Decide order by order: the guard sold + n <= stock.
    std::vector<std::pair<const core::Order*, const ports::SaveResult*>> rows;
    for (std::size_t i = 0; i < orders.size(); ++i) {
      const core::Order& o = orders[i];
      if (auto it = known.find(o.id.str()); it != known.end()) {
        results[i] = it->second;
        continue;
      }
      const std::string request_key = RequestKey(o);
      if (auto it = taken.find(request_key); it != taken.end() && it->second != o.id.str()) {
        results[i] = Refused(Outcome::kDuplicateRequest, "another order has this request key");
        known[o.id.str()] = results[i];  // not stored: the key belongs to the other order
        continue;
      }
      auto item = stock.find(ItemKey(o.sale.str(), o.item.str()));
      if (item == stock.end()) {
        results[i] = Refused(Outcome::kUnknownItem, "unknown sale item");
      } else if (item->second.sold + item->second.added + o.quantity.value() > item->second.stock) {
        results[i] = Refused(Outcome::kSoldOut, "stock guard: sold + quantity > stock");
      } else {
        item->second.added += o.quantity.value();
        results[i] = Saved();
      }
      known[o.id.str()] = results[i];
      taken[request_key] = o.id.str();
      rows.emplace_back(&o, &results[i]);
    }

    // 5. One multi-row INSERT for every new order (confirmed or failed).
    if (!rows.empty()) {
      auto& insert = session.Prepare(
          "INSERT INTO orders (order_id, sale_id, item_id, user_id, request_id, quantity, "
          "unit_price_cents, status, failure_reason, created_at_ms) VALUES " +
          Placeholders(rows.size(), 10));
      unsigned int p = 1;
      for (const auto& [o, result] : rows) {
        insert.setString(p++, o->id.str());
        insert.setString(p++, o->sale.str());
        insert.setString(p++, o->item.str());
        insert.setString(p++, o->user.str());
        insert.setString(p++, o->request.str());
        insert.setInt(p++, o->quantity.value());
        insert.setInt64(p++, o->unit_price_cents);
        insert.setString(p++, result->saved ? "confirmed" : "failed");
        if (result->saved) {
          insert.setNull(p++, sql::DataType::VARCHAR);
        } else {
          insert.setString(p++, std::string(core::ToString(result->reason)));
        }
        insert.setInt64(p++, core::ToUnixMillis(o->created_at));
      }
      insert.executeUpdate();
    }

    // 6. Bump sold with the guard in SQL too (belt and braces: the CHECK constraint is a third).
    auto& bump = session.Prepare(
        "UPDATE sale_items SET sold = sold + ? WHERE sale_id = ? AND item_id = ? "
        "AND sold + ? <= stock");
    for (const auto& [key, s] : stock) {
      if (s.added == 0) continue;
      auto slash = key.find('/');
      bump.setInt64(1, s.added);
      bump.setString(2, key.substr(0, slash));
      bump.setString(3, key.substr(slash + 1));
      bump.setInt64(4, s.added);
      if (bump.executeUpdate() != 1) {
        session.Rollback();
        return core::Error{Outcome::kInternal, "mysql: stock guard refused a locked row"};
      }
    }
    session.Commit();
    return results;
  } catch (const sql::SQLException& e) {
    core::Error error = Translate(e, &session);
    if (!session.broken) session.Rollback();
    return error;
  }
}

core::Result<std::optional<core::Order>> MySqlOrderRepository::Find(const core::OrderId& id) {
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    auto& find = session.Prepare(
        "SELECT order_id, sale_id, item_id, user_id, request_id, quantity, unit_price_cents, "
        "status, created_at_ms FROM orders WHERE order_id = ?");
    find.setString(1, id.str());
    std::unique_ptr<sql::ResultSet> rs(find.executeQuery());
    if (!rs->next()) return std::optional<core::Order>{};
    auto order_id = core::OrderId::Parse(std::string(rs->getString(1)));
    auto sale = core::SaleId::Parse(std::string(rs->getString(2)));
    auto item = core::ItemId::Parse(std::string(rs->getString(3)));
    auto user = core::UserId::Parse(std::string(rs->getString(4)));
    auto request = core::RequestId::Parse(std::string(rs->getString(5)));
    auto quantity = core::Quantity::Parse(rs->getInt(6), 1'000'000);
    if (!order_id || !sale || !item || !user || !request || !quantity) {
      return core::Error{Outcome::kInternal, "mysql: stored order is invalid"};
    }
    return std::optional<core::Order>{
        core::Order{std::move(*order_id), std::move(*sale), std::move(*item), std::move(*user),
                    std::move(*request), *quantity, rs->getInt64(7),
                    std::string(rs->getString(8)) == "confirmed" ? core::OrderStatus::kConfirmed
                                                                 : core::OrderStatus::kFailed,
                    core::FromUnixMillis(rs->getInt64(9))}};
  } catch (const sql::SQLException& e) {
    return Translate(e, &session);
  }
}

core::Result<std::int64_t> MySqlOrderRepository::CountSold(const core::SaleId& sale,
                                                           const core::ItemId& item) {
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    auto& query = session.Prepare("SELECT sold FROM sale_items WHERE sale_id = ? AND item_id = ?");
    query.setString(1, sale.str());
    query.setString(2, item.str());
    std::unique_ptr<sql::ResultSet> rs(query.executeQuery());
    if (!rs->next()) return core::Error{Outcome::kUnknownItem, "unknown sale item"};
    return static_cast<std::int64_t>(rs->getInt64(1));
  } catch (const sql::SQLException& e) {
    return Translate(e, &session);
  }
}

core::Result<ports::SaleAudit> MySqlOrderRepository::Audit(const core::SaleId& sale) {
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    // One consistent snapshot of the three reads.
    session.Begin("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    ports::SaleAudit audit;
    auto& items = session.Prepare(
        "SELECT i.item_id, i.stock, i.sold, "
        "COALESCE(SUM(CASE WHEN o.status = 'confirmed' THEN o.quantity END), 0), "
        "COUNT(CASE WHEN o.status = 'failed' THEN 1 END) "
        "FROM sale_items i LEFT JOIN orders o ON o.sale_id = i.sale_id AND o.item_id = i.item_id "
        "WHERE i.sale_id = ? GROUP BY i.item_id, i.stock, i.sold ORDER BY i.item_id");
    items.setString(1, sale.str());
    std::unique_ptr<sql::ResultSet> rs(items.executeQuery());
    while (rs->next()) {
      auto item = core::ItemId::Parse(std::string(rs->getString(1)));
      if (!item) continue;
      audit.items.push_back(ports::ItemAudit{std::move(*item), rs->getInt64(2), rs->getInt64(3),
                                             rs->getInt64(4), rs->getInt64(5)});
    }
    if (audit.items.empty()) {
      session.Rollback();
      return core::Error{Outcome::kUnknownItem, "unknown sale"};
    }
    auto& ids = session.Prepare(
        "SELECT order_id, user_id, quantity FROM orders WHERE sale_id = ? AND status = "
        "'confirmed'");
    ids.setString(1, sale.str());
    std::unique_ptr<sql::ResultSet> orders(ids.executeQuery());
    while (orders->next()) {
      audit.confirmed_order_ids.emplace_back(orders->getString(1));
      audit.units_by_user[std::string(orders->getString(2))] += orders->getInt(3);
    }
    session.Commit();
    return audit;
  } catch (const sql::SQLException& e) {
    core::Error error = Translate(e, &session);
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
