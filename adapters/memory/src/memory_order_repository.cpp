#include "flashsale/memory/memory_order_repository.hpp"

namespace flashsale::memory {
namespace {

domain::Error Down() {
  return domain::Error{domain::Outcome::kUnavailable, "repository unavailable"};
}

}  // namespace

MemoryOrderRepository::MemoryOrderRepository(ports::SaleRepository& sales) : sales_(sales) {}

domain::Result<std::vector<ports::SaveResult>> MemoryOrderRepository::SaveBatch(
    std::span<const domain::Order> orders) {
  if (failing_) return Down();
  std::lock_guard lock(mu_);
  // Decide everything first against the stored state plus this batch's own effects, then
  // apply: a failure half-way writes nothing (one transaction).
  std::unordered_map<std::string, Stored> added;                // order id -> stored
  std::unordered_map<std::string, std::string> added_requests;  // request key -> order id
  std::unordered_map<std::string, std::int64_t> added_sold;     // item key -> units
  std::vector<ports::SaveResult> results;
  results.reserve(orders.size());
  for (const domain::Order& order : orders) {
    const std::string& id = order.id.str();
    if (auto it = orders_.find(id); it != orders_.end()) {
      results.push_back(it->second.result);  // same answer as the first time
      continue;
    }
    if (auto it = added.find(id); it != added.end()) {
      results.push_back(it->second.result);
      continue;
    }
    const std::string request_key =
        order.sale.str() + "/" + order.user.str() + "/" + order.request.str();
    const std::string item_key = order.sale.str() + "/" + order.item.str();
    auto sale = sales_.Find(order.sale);
    if (!sale) return sale.error();
    const domain::SaleItem* item = sale->has_value() ? (*sale)->FindItem(order.item) : nullptr;
    auto sold_so_far = [&] {
      auto stored = sold_.find(item_key);
      return (stored == sold_.end() ? 0 : stored->second) + added_sold[item_key];
    };
    ports::SaveResult result;
    if (by_request_.contains(request_key) || added_requests.contains(request_key)) {
      result = {false, domain::Outcome::kDuplicateRequest, "another order has this request key"};
    } else if (item == nullptr) {
      result = {false, domain::Outcome::kUnknownItem, "unknown sale item"};
    } else if (sold_so_far() + order.quantity.value() > item->stock) {
      result = {false, domain::Outcome::kSoldOut, "stock guard: sold + quantity > stock"};
    } else {
      result = {true, domain::Outcome::kAccepted, {}};
      added_sold[item_key] += order.quantity.value();
      added_requests.emplace(request_key, id);
    }
    domain::Order stored = order;
    stored.status = result.saved ? domain::OrderStatus::kConfirmed : domain::OrderStatus::kFailed;
    added.emplace(id, Stored{stored, result});
    results.push_back(result);
  }
  for (auto& [id, stored] : added) orders_.emplace(id, std::move(stored));
  for (auto& [key, id] : added_requests) by_request_.emplace(key, std::move(id));
  for (const auto& [key, units] : added_sold) sold_[key] += units;
  return results;
}

domain::Result<std::optional<domain::Order>> MemoryOrderRepository::Find(
    const domain::OrderId& id) {
  if (failing_) return Down();
  std::lock_guard lock(mu_);
  auto it = orders_.find(id.str());
  if (it == orders_.end()) return std::optional<domain::Order>{};
  return std::optional<domain::Order>{it->second.order};
}

domain::Result<std::int64_t> MemoryOrderRepository::CountSold(const domain::SaleId& sale,
                                                              const domain::ItemId& item) {
  if (failing_) return Down();
  std::lock_guard lock(mu_);
  auto it = sold_.find(sale.str() + "/" + item.str());
  return it == sold_.end() ? 0 : it->second;
}

domain::Result<ports::SaleAudit> MemoryOrderRepository::Audit(const domain::SaleId& sale) {
  if (failing_) return Down();
  auto found = sales_.Find(sale);
  if (!found) return found.error();
  if (!found->has_value()) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  std::lock_guard lock(mu_);
  ports::SaleAudit audit;
  for (const auto& item : (*found)->items) {
    auto sold = sold_.find(sale.str() + "/" + item.id.str());
    audit.items.push_back(
        ports::ItemAudit{item.id, item.stock, sold == sold_.end() ? 0 : sold->second, 0, 0});
  }
  for (const auto& [id, stored] : orders_) {
    const domain::Order& o = stored.order;
    if (o.sale != sale) continue;
    for (auto& item : audit.items) {
      if (item.item != o.item) continue;
      if (stored.result.saved) {
        item.confirmed_units += o.quantity.value();
      } else {
        ++item.failed_orders;
      }
    }
    if (stored.result.saved) {
      audit.confirmed_order_ids.push_back(id);
      audit.units_by_user[o.user.str()] += o.quantity.value();
    }
  }
  return audit;
}

std::size_t MemoryOrderRepository::size() const {
  std::lock_guard lock(mu_);
  return orders_.size();
}

}  // namespace flashsale::memory
