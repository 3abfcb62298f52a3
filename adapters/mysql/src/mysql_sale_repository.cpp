#include "flashsale/mysql/mysql_sale_repository.hpp"

#include <map>

#include "connection_pool.hpp"

namespace flashsale::mysql {
namespace {

core::Error Corrupt(const std::string& what) {
  return core::Error{core::Outcome::kInternal, "mysql: stored sale is invalid: " + what};
}

/// Reads sales (and their items) from `sales_rs` (sale_id, per_user_limit, starts, ends) and
/// `items_rs` (sale_id, item_id, name, stock, price_cents).
core::Result<std::vector<core::Sale>> ReadSales(sql::ResultSet& sales_rs,
                                                sql::ResultSet& items_rs) {
  std::vector<core::Sale> sales;
  std::map<std::string, std::size_t> index;
  while (sales_rs.next()) {
    auto id = core::SaleId::Parse(std::string(sales_rs.getString(1)));
    if (!id) return Corrupt("sale id");
    index[id->str()] = sales.size();
    sales.push_back(core::Sale{std::move(*id),
                               {},
                               sales_rs.getInt(2),
                               core::FromUnixMillis(sales_rs.getInt64(3)),
                               core::FromUnixMillis(sales_rs.getInt64(4))});
  }
  while (items_rs.next()) {
    auto sale = index.find(std::string(items_rs.getString(1)));
    auto item = core::ItemId::Parse(std::string(items_rs.getString(2)));
    if (sale == index.end() || !item) return Corrupt("item id");
    sales[sale->second].items.push_back(core::SaleItem{std::move(*item), items_rs.getInt64(4),
                                                       items_rs.getInt64(5),
                                                       std::string(items_rs.getString(3))});
  }
  return sales;
}

}  // namespace

MySqlSaleRepository::MySqlSaleRepository(MySqlOptions options)
    : pool_(std::make_unique<ConnectionPool>(std::move(options))) {}
MySqlSaleRepository::~MySqlSaleRepository() = default;

core::Result<void> MySqlSaleRepository::Create(const core::Sale& sale) {
  if (auto valid = sale.Validate(); !valid) return valid.error();
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    session.Begin();
    auto& insert_sale = session.Prepare(
        "INSERT INTO sales (sale_id, per_user_limit, starts_at_ms, ends_at_ms) VALUES (?,?,?,?)");
    insert_sale.setString(1, sale.id.str());
    insert_sale.setInt(2, sale.per_user_limit);
    insert_sale.setInt64(3, core::ToUnixMillis(sale.starts_at));
    insert_sale.setInt64(4, core::ToUnixMillis(sale.ends_at));
    insert_sale.executeUpdate();
    auto& insert_items = session.Prepare(
        "INSERT INTO sale_items (sale_id, item_id, name, stock, price_cents) VALUES " +
        Placeholders(sale.items.size(), 5));
    unsigned int p = 1;
    for (const auto& item : sale.items) {
      insert_items.setString(p++, sale.id.str());
      insert_items.setString(p++, item.id.str());
      insert_items.setString(p++, item.name);
      insert_items.setInt64(p++, item.stock);
      insert_items.setInt64(p++, item.price_cents);
    }
    insert_items.executeUpdate();
    session.Commit();
    return core::Ok();
  } catch (const sql::SQLException& e) {
    session.Rollback();
    if (e.getErrorCode() == 1062) {
      return core::Error{core::Outcome::kDuplicateRequest, "a sale with this id exists"};
    }
    return Translate(e, &session);
  }
}

core::Result<std::optional<core::Sale>> MySqlSaleRepository::Find(const core::SaleId& id) {
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    auto& sales = session.Prepare(
        "SELECT sale_id, per_user_limit, starts_at_ms, ends_at_ms FROM sales WHERE sale_id = ?");
    sales.setString(1, id.str());
    std::unique_ptr<sql::ResultSet> sales_rs(sales.executeQuery());
    auto& items = session.Prepare(
        "SELECT sale_id, item_id, name, stock, price_cents FROM sale_items WHERE sale_id = ? "
        "ORDER BY item_id");
    items.setString(1, id.str());
    std::unique_ptr<sql::ResultSet> items_rs(items.executeQuery());
    auto read = ReadSales(*sales_rs, *items_rs);
    if (!read) return read.error();
    if (read->empty()) return std::optional<core::Sale>{};
    return std::optional<core::Sale>{std::move(read->front())};
  } catch (const sql::SQLException& e) {
    return Translate(e, &session);
  }
}

core::Result<std::vector<core::Sale>> MySqlSaleRepository::List() {
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    std::unique_ptr<sql::ResultSet> sales_rs(
        session
            .Prepare("SELECT sale_id, per_user_limit, starts_at_ms, ends_at_ms FROM sales "
                     "ORDER BY starts_at_ms, sale_id")
            .executeQuery());
    std::unique_ptr<sql::ResultSet> items_rs(
        session
            .Prepare("SELECT sale_id, item_id, name, stock, price_cents FROM sale_items "
                     "ORDER BY sale_id, item_id")
            .executeQuery());
    return ReadSales(*sales_rs, *items_rs);
  } catch (const sql::SQLException& e) {
    return Translate(e, &session);
  }
}

}  // namespace flashsale::mysql
