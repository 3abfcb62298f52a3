#include "save_batch.hpp"

#include <cppconn/datatype.h>

#include <algorithm>
#include <set>

namespace flashsale::mysql::save_batch {
namespace {

using domain::Outcome;

std::string ItemKey(const std::string& sale, const std::string& item) { return sale + "/" + item; }

std::string RequestKey(const domain::Order& o) {
  return o.sale.str() + "/" + o.user.str() + "/" + o.request.str();
}

ports::SaveResult Saved() { return ports::SaveResult{true, Outcome::kAccepted, {}}; }
ports::SaveResult Refused(Outcome reason, std::string detail) {
  return ports::SaveResult{false, reason, std::move(detail)};
}

}  // namespace

StockByItem LockItems(Session& session, std::span<const domain::Order> orders) {
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& o : orders) keys.emplace(o.sale.str(), o.item.str());
  auto& lock = session.Prepare(
      "SELECT sale_id, item_id, stock, sold FROM sale_items WHERE (sale_id, item_id) IN (" +
      Placeholders(keys.size(), 2) + ") ORDER BY sale_id, item_id FOR UPDATE");
  unsigned int p = 1;
  for (const auto& [sale, item] : keys) {
    lock.setString(p++, sale);
    lock.setString(p++, item);
  }
  std::unique_ptr<sql::ResultSet> rs(lock.executeQuery());
  StockByItem stock;
  while (rs->next()) {
    stock[ItemKey(std::string(rs->getString(1)), std::string(rs->getString(2)))] =
        ItemStock{rs->getInt64(3), rs->getInt64(4), 0};
  }
  return stock;
}

Answers FindStoredAnswers(Session& session, std::span<const domain::Order> orders) {
  std::vector<std::string> ids;
  for (const auto& o : orders) ids.push_back(o.id.str());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto& find =
      session.Prepare("SELECT order_id, status, failure_reason FROM orders WHERE order_id IN (" +
                      Placeholders(ids.size(), 1) + ")");
  for (unsigned int i = 0; i < ids.size(); ++i) find.setString(i + 1, ids[i]);
  std::unique_ptr<sql::ResultSet> rs(find.executeQuery());
  Answers known;
  while (rs->next()) {
    if (std::string(rs->getString(2)) == "confirmed") {
      known[std::string(rs->getString(1))] = Saved();
    } else {
      Outcome reason = Outcome::kSoldOut;
      domain::FromString(std::string(rs->getString(3)), reason);
      known[std::string(rs->getString(1))] = Refused(reason, "stored as failed");
    }
  }
  return known;
}

RequestOwners FindRequestOwners(Session& session, std::span<const domain::Order> orders,
                                const Answers& known) {
  std::vector<const domain::Order*> fresh;
  for (const auto& o : orders) {
    if (!known.contains(o.id.str())) fresh.push_back(&o);
  }
  RequestOwners owners;
  if (fresh.empty()) return owners;
  auto& keys = session.Prepare(
      "SELECT sale_id, user_id, request_id, order_id FROM orders WHERE "
      "(sale_id, user_id, request_id) IN (" +
      Placeholders(fresh.size(), 3) + ")");
  unsigned int p = 1;
  for (const domain::Order* o : fresh) {
    keys.setString(p++, o->sale.str());
    keys.setString(p++, o->user.str());
    keys.setString(p++, o->request.str());
  }
  std::unique_ptr<sql::ResultSet> rs(keys.executeQuery());
  while (rs->next()) {
    owners[std::string(rs->getString(1)) + "/" + std::string(rs->getString(2)) + "/" +
           std::string(rs->getString(3))] = std::string(rs->getString(4));
  }
  return owners;
}

std::vector<NewRow> Decide(std::span<const domain::Order> orders, Answers& known,
                           RequestOwners& owners, StockByItem& stock,
                           std::vector<ports::SaveResult>& results) {
  std::vector<NewRow> rows;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const domain::Order& o = orders[i];
    if (auto it = known.find(o.id.str()); it != known.end()) {
      results[i] = it->second;
      continue;
    }
    const std::string request_key = RequestKey(o);
    if (auto it = owners.find(request_key); it != owners.end() && it->second != o.id.str()) {
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
    owners[request_key] = o.id.str();
    rows.emplace_back(&o, &results[i]);
  }
  return rows;
}

void InsertOrders(Session& session, const std::vector<NewRow>& rows) {
  if (rows.empty()) return;
  auto& insert = session.Prepare(
      "INSERT INTO orders (order_id, sale_id, item_id, user_id, request_id, quantity, "
      "unit_price_cents, status, failure_reason, created_at_ms, queue_ms, queue_seq) VALUES " +
      Placeholders(rows.size(), 12));
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
      insert.setString(p++, std::string(domain::ToString(result->reason)));
    }
    insert.setInt64(p++, domain::ToUnixMillis(o->created_at));
    if (o->position) {
      insert.setInt64(p++, o->position->major);
      insert.setInt64(p++, o->position->minor);
    } else {
      insert.setNull(p++, sql::DataType::BIGINT);
      insert.setNull(p++, sql::DataType::BIGINT);
    }
  }
  insert.executeUpdate();
}

bool BumpSold(Session& session, const StockByItem& stock) {
  auto& bump = session.Prepare(
      "UPDATE sale_items SET sold = sold + ? WHERE sale_id = ? AND item_id = ? "
      "AND sold + ? <= stock");
  for (const auto& [key, s] : stock) {
    if (s.added == 0) continue;
    const auto slash = key.find('/');
    bump.setInt64(1, s.added);
    bump.setString(2, key.substr(0, slash));
    bump.setString(3, key.substr(slash + 1));
    bump.setInt64(4, s.added);
    if (bump.executeUpdate() != 1) return false;
  }
  return true;
}

}  // namespace flashsale::mysql::save_batch
