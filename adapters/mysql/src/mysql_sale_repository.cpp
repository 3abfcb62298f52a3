#include "flashsale/mysql/mysql_sale_repository.hpp"

#include <map>

#include "connection_pool.hpp"

namespace flashsale::mysql {
namespace {

domain::Error Corrupt(const std::string& what) {
  return domain::Error{domain::Outcome::kInternal, "mysql: stored sale is invalid: " + what};
}

/// Reads sales (and their items) from `sales_rs` (sale_id, per_user_limit, starts, ends) and
/// `items_rs` (sale_id, item_id, name, stock, price_cents).
domain::Result<std::vector<domain::Sale>> ReadSales(sql::ResultSet& sales_rs,
                                                    sql::ResultSet& items_rs) {
  std::vector<domain::Sale> sales;
  std::map<std::string, std::size_t> index;
  while (sales_rs.next()) {
    auto id = domain::SaleId::Parse(std::string(sales_rs.getString(1)));
    if (!id) return Corrupt("sale id");
    index[id->str()] = sales.size();
    sales.push_back(domain::Sale{std::move(*id),
                                 {},
                                 sales_rs.getInt(2),
                                 domain::FromUnixMillis(sales_rs.getInt64(3)),
                                 domain::FromUnixMillis(sales_rs.getInt64(4))});
  }
  while (items_rs.next()) {
    auto sale = index.find(std::string(items_rs.getString(1)));
    auto item = domain::ItemId::Parse(std::string(items_rs.getString(2)));
    if (sale == index.end() || !item) return Corrupt("item id");
    sales[sale->second].items.push_back(domain::SaleItem{std::move(*item), items_rs.getInt64(4),
                                                         items_rs.getInt64(5),
                                                         std::string(items_rs.getString(3))});
  }
  return sales;
}

}  // namespace

MySqlSaleRepository::MySqlSaleRepository(MySqlOptions options)
    : pool_(std::make_unique<ConnectionPool>(std::move(options))) {}
MySqlSaleRepository::~MySqlSaleRepository() = default;

domain::Result<void> MySqlSaleRepository::Create(const domain::Sale& sale) {
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
    insert_sale.setInt64(3, domain::ToUnixMillis(sale.starts_at));
    insert_sale.setInt64(4, domain::ToUnixMillis(sale.ends_at));
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
    return domain::Ok();
  } catch (const sql::SQLException& e) {
    session.Rollback();
    if (e.getErrorCode() == 1062) {
      return domain::Error{domain::Outcome::kDuplicateRequest, "a sale with this id exists"};
    }
    return Translate(e, &session);
  }
}

domain::Result<std::vector<domain::Sale>> MySqlSaleRepository::Read(
    const std::string& where, const std::function<void(sql::PreparedStatement&)>& bind) {
  auto lease = pool_->Acquire();
  if (!lease) return lease.error();
  Session& session = **lease;
  try {
    // One snapshot for both reads: a sale created or closed in between never shows without
    // its items or with another window.
    session.BeginSnapshot();
    auto& sales = session.Prepare(
        "SELECT s.sale_id, s.per_user_limit, s.starts_at_ms, s.ends_at_ms FROM sales s " + where +
        " ORDER BY s.starts_at_ms, s.sale_id");
    bind(sales);
    std::unique_ptr<sql::ResultSet> sales_rs(sales.executeQuery());
    auto& items = session.Prepare(
        "SELECT i.sale_id, i.item_id, i.name, i.stock, i.price_cents FROM sale_items i "
        "JOIN sales s ON s.sale_id = i.sale_id " +
        where + " ORDER BY i.sale_id, i.item_id");
    bind(items);
    std::unique_ptr<sql::ResultSet> items_rs(items.executeQuery());
    auto read = ReadSales(*sales_rs, *items_rs);
    session.Commit();
    return read;
  } catch (const sql::SQLException& e) {
    domain::Error error = Translate(e, &session);
    if (!session.broken) session.Rollback();
    return error;
  }
}

domain::Result<std::optional<domain::Sale>> MySqlSaleRepository::Find(const domain::SaleId& id) {
  auto read = Read("WHERE s.sale_id = ?",
                   [&](sql::PreparedStatement& statement) { statement.setString(1, id.str()); });
  if (!read) return read.error();
  if (read->empty()) return std::optional<domain::Sale>{};
  return std::optional<domain::Sale>{std::move(read->front())};
}

domain::Result<std::vector<domain::Sale>> MySqlSaleRepository::List() {
  return Read("", [](sql::PreparedStatement&) {});
}

domain::Result<std::vector<domain::Sale>> MySqlSaleRepository::ListEndingAfter(
    domain::TimePoint t) {
  return Read("WHERE s.ends_at_ms > ?", [&](sql::PreparedStatement& statement) {
    statement.setInt64(1, domain::ToUnixMillis(t));
  });
}

domain::Result<domain::Sale> MySqlSaleRepository::Close(const domain::SaleId& id,
                                                        domain::TimePoint at) {
  {
    auto lease = pool_->Acquire();
    if (!lease) return lease.error();
    Session& session = **lease;
    try {
      // domain::Sale::CloseAt's rule; SET assigns left to right, so the window check holds.
      auto& close = session.Prepare(
          "UPDATE sales SET starts_at_ms = LEAST(starts_at_ms, ? - 1), ends_at_ms = ? "
          "WHERE sale_id = ? AND ends_at_ms > ?");
      const std::int64_t ms = domain::ToUnixMillis(at);
      close.setInt64(1, ms);
      close.setInt64(2, ms);
      close.setString(3, id.str());
      close.setInt64(4, ms);
      close.executeUpdate();
    } catch (const sql::SQLException& e) {
      return Translate(e, &session);
    }
  }
  auto found = Find(id);
  if (!found) return found.error();
  if (!found->has_value()) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  return std::move(**found);
}

}  // namespace flashsale::mysql
