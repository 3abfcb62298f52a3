#include "flashsale/core/audit_sale.hpp"

#include <fmt/format.h>

#include <unordered_set>

namespace flashsale::core {

AuditSale::AuditSale(SaleCatalog& catalog, ports::StockStore& store, ports::OrderRepository& orders)
    : catalog_(catalog), store_(store), orders_(orders) {}

domain::Result<AuditReport> AuditSale::Execute(std::string_view sale_id) {
  auto id = domain::SaleId::Parse(sale_id);
  if (!id) return id.error();
  auto sale = catalog_.Find(*id);
  if (!sale) return sale.error();
  if (!sale->has_value()) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  // The store first: the system of record's read then counts exactly the orders it saw.
  auto stored = store_.Audit(*id);
  if (!stored) return stored.error();
  auto recorded = orders_.Audit(*id, stored->position);
  if (!recorded) return recorded.error();

  const std::unordered_set<std::string> confirmed(recorded->confirmed_order_ids.begin(),
                                                  recorded->confirmed_order_ids.end());
  AuditReport report{**sale,
                     {},
                     stored->dead_letters,
                     stored->max_user_units,
                     recorded->checkout_attempts,
                     recorded->checkout_holds,
                     false,
                     {}};
  for (const auto& item : recorded->items) {
    ItemAuditReport row{item.item, item.stock, 0, 0, 0, item.confirmed_units, item.failed_units};
    for (const auto& stock : stored->items) {
      if (stock.item == item.item) {
        row.remaining = stock.remaining;
        row.held = stock.held;
      }
    }
    for (const auto& queued : stored->queued) {
      if (queued.item == item.item && !confirmed.contains(queued.id.str())) {
        row.pending += queued.quantity;
      }
    }
    report.items.push_back(row);
  }
  Check(report, *recorded);
  return report;
}

void AuditSale::Check(AuditReport& report, const ports::SaleAudit& recorded) {
  for (const auto& row : report.items) {
    const std::int64_t accounted = row.remaining + row.held + row.pending + row.persisted;
    if (accounted != row.initial) {
      report.differences.push_back(fmt::format(
          "{}: initial {} != remaining {} + held {} + pending {} + persisted {} = {} ({:+})",
          row.item.str(), row.initial, row.remaining, row.held, row.pending, row.persisted,
          accounted, accounted - row.initial));
    }
  }
  for (const auto& item : recorded.items) {
    if (item.sold != item.confirmed_units + item.later_units) {
      report.differences.push_back(fmt::format("{}: sold counter {} != confirmed units {}",
                                               item.item.str(), item.sold,
                                               item.confirmed_units + item.later_units));
    }
  }
  if (report.max_units_per_user > report.sale.per_user_limit) {
    report.differences.push_back(fmt::format("a user holds {} units, above the limit of {}",
                                             report.max_units_per_user,
                                             report.sale.per_user_limit));
  }
  report.consistent = report.differences.empty();
}

}  // namespace flashsale::core
