#include "save_batch.hpp"

#include <set>

#include "flashsale/domain/text.hpp"

namespace flashsale::mysql::save_batch {
namespace {

using domain::Outcome;

std::string ItemKey(const std::string& sale, const std::string& item) { return sale + "/" + item; }

std::string RequestKey(const domain::Order& o) {
  return o.sale.str() + "/" + o.user.str() + "/" + o.request.str();
}

// The batch's rows reach MariaDB as one JSON array bound to one parameter and unfolded by
// JSON_TABLE, so each statement has one text whatever the batch's size: prepared once per
// session. (With a placeholder per value, every batch size was a new statement: under live
// load, where sizes vary, the session's statement cache churned and the batches paid a
// prepare, about 7% of the app's CPU.) STRAIGHT_JOIN keeps the JSON rows as the driving
// table, so each of them is one eq_ref lookup in a unique index even while the table is
// small. Ids are at most 64 ASCII id characters (domain::Id), so the columns below hold
// them whole (MariaDB's JSON_TABLE truncates a longer string silently), and failure reasons
// are outcome names of at most 32. Every column is ERROR ON ERROR: a value that does not
// convert (text where a number is due) fails the statement instead of becoming NULL.
std::string IdColumn(std::string_view name, std::string_view path) {
  return std::string(name) + " VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin PATH '" +
         std::string(path) + "' ERROR ON ERROR";
}

const std::string& FindAnswersSql() {
  static const std::string sql =
      "SELECT STRAIGHT_JOIN o.order_id, o.status, o.failure_reason FROM JSON_TABLE(?, '$[*]' "
      "COLUMNS(" +
      IdColumn("id", "$") + ")) AS j JOIN orders o ON o.order_id = j.id";
  return sql;
}

const std::string& FindOwnersSql() {
  static const std::string sql =
      "SELECT STRAIGHT_JOIN o.sale_id, o.user_id, o.request_id, o.order_id FROM JSON_TABLE(?, "
      "'$[*]' COLUMNS(" +
      IdColumn("s", "$[0]") + ", " + IdColumn("u", "$[1]") + ", " + IdColumn("r", "$[2]") +
      ")) AS j JOIN orders o ON o.sale_id = j.s AND o.user_id = j.u AND o.request_id = j.r";
  return sql;
}

const std::string& InsertSql() {
  static const std::string sql =
      "INSERT INTO orders (order_id, sale_id, item_id, user_id, request_id, quantity, "
      "unit_price_cents, status, failure_reason, created_at_ms, queue_ms, queue_seq) "
      "SELECT o, s, i, u, r, q, p, st, fr, c, qm, qs FROM JSON_TABLE(?, '$[*]' COLUMNS(" +
      IdColumn("o", "$[0]") + ", " + IdColumn("s", "$[1]") + ", " + IdColumn("i", "$[2]") + ", " +
      IdColumn("u", "$[3]") + ", " + IdColumn("r", "$[4]") +
      ", q INT PATH '$[5]' ERROR ON ERROR, p BIGINT PATH '$[6]' ERROR ON ERROR, st VARCHAR(9) "
      "CHARACTER SET ascii PATH '$[7]' ERROR ON ERROR, fr VARCHAR(32) CHARACTER SET ascii PATH "
      "'$[8]' ERROR ON ERROR, c BIGINT PATH '$[9]' ERROR ON ERROR, qm BIGINT PATH '$[10]' ERROR "
      "ON ERROR, qs BIGINT PATH '$[11]' ERROR ON ERROR)) AS j";
  return sql;
}

void AppendJsonNumber(std::string& out, std::int64_t value) { out += std::to_string(value); }

ports::SaveResult Saved() { return ports::SaveResult{true, Outcome::kAccepted, {}}; }
ports::SaveResult Refused(Outcome reason, std::string detail) {
  return ports::SaveResult{false, reason, std::move(detail)};
}

}  // namespace

StockByItem ReadItems(Session& session, std::span<const domain::Order> orders, bool lock) {
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& o : orders) keys.emplace(o.sale.str(), o.item.str());
  auto& read = session.Prepare(
      "SELECT sale_id, item_id, stock, sold FROM sale_items WHERE (sale_id, item_id) IN (" +
      Placeholders(keys.size(), 2) + ") ORDER BY sale_id, item_id" + (lock ? " FOR UPDATE" : ""));
  unsigned int p = 1;
  for (const auto& [sale, item] : keys) {
    read.setString(p++, sale);
    read.setString(p++, item);
  }
  std::unique_ptr<sql::ResultSet> rs(read.executeQuery());
  StockByItem stock;
  while (rs->next()) {
    stock[ItemKey(std::string(rs->getString(1)), std::string(rs->getString(2)))] =
        ItemStock{rs->getInt64(3), rs->getInt64(4), 0};
  }
  return stock;
}

Answers FindStoredAnswers(Session& session, std::span<const domain::Order> orders) {
  std::string ids = "[";
  for (const auto& o : orders) {
    if (ids.size() > 1) ids += ',';
    domain::AppendJsonString(ids, o.id.str());
  }
  ids += ']';
  auto& find = session.Prepare(FindAnswersSql());
  find.setString(1, ids);
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
  std::string json = "[";
  for (const domain::Order* o : fresh) {
    json += json.size() > 1 ? ",[" : "[";
    domain::AppendJsonString(json, o->sale.str());
    json += ',';
    domain::AppendJsonString(json, o->user.str());
    json += ',';
    domain::AppendJsonString(json, o->request.str());
    json += ']';
  }
  json += ']';
  auto& keys = session.Prepare(FindOwnersSql());
  keys.setString(1, json);
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
  std::string json = "[";
  json.reserve(rows.size() * 256);
  for (const auto& [o, result] : rows) {
    json += json.size() > 1 ? ",[" : "[";
    for (const std::string* id :
         {&o->id.str(), &o->sale.str(), &o->item.str(), &o->user.str(), &o->request.str()}) {
      domain::AppendJsonString(json, *id);
      json += ',';
    }
    AppendJsonNumber(json, o->quantity.value());
    json += ',';
    AppendJsonNumber(json, o->unit_price_cents);
    json += result->saved ? ",\"confirmed\",null," : ",\"failed\",";
    if (!result->saved) {
      domain::AppendJsonString(json, domain::ToString(result->reason));
      json += ',';
    }
    AppendJsonNumber(json, domain::ToUnixMillis(o->created_at));
    if (o->position) {
      json += ',';
      AppendJsonNumber(json, o->position->major);
      json += ',';
      AppendJsonNumber(json, o->position->minor);
      json += ']';
    } else {
      json += ",null,null]";
    }
  }
  json += ']';
  auto& insert = session.Prepare(InsertSql());
  insert.setString(1, json);
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
