#include "flashsale/memory/memory_order_repository.hpp"

#include <unordered_set>

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
  // apply: a failure half-way writes nothing (one transaction), as in MySQL.
  Batch batch;
  std::vector<ports::SaveResult> results;
  results.reserve(orders.size());
  for (const domain::Order& order : orders) {
    auto decided = Decide(order, batch);
    if (!decided) return decided.error();
    results.push_back(*decided);
  }
  for (auto& [id, stored] : batch.rows) orders_.emplace(id, std::move(stored));
  for (auto& [key, id] : batch.requests) by_request_.emplace(key, std::move(id));
  for (const auto& [key, units] : batch.sold) sold_[key] += units;
  return results;
}

domain::Result<ports::SaveResult> MemoryOrderRepository::Decide(const domain::Order& order,
                                                                Batch& batch) {
  const std::string& id = order.id.str();
  if (auto it = orders_.find(id); it != orders_.end()) return it->second.result;
  if (auto it = batch.rows.find(id); it != batch.rows.end()) return it->second.result;
  if (auto it = batch.refused.find(id); it != batch.refused.end()) return it->second;
  const std::string request_key =
      order.sale.str() + "/" + order.user.str() + "/" + order.request.str();
  const std::string* owner = nullptr;
  if (auto it = by_request_.find(request_key); it != by_request_.end()) owner = &it->second;
  if (auto it = batch.requests.find(request_key); it != batch.requests.end()) owner = &it->second;
  if (owner != nullptr && *owner != id) {
    // Not stored: the request key belongs to the other order.
    ports::SaveResult refused{false, domain::Outcome::kDuplicateRequest,
                              "another order has this request key"};
    batch.refused.emplace(id, refused);
    return refused;
  }
  auto sale = sales_.Find(order.sale);
  if (!sale) return sale.error();
  const domain::SaleItem* item = sale->has_value() ? (*sale)->FindItem(order.item) : nullptr;
  const std::string item_key = order.sale.str() + "/" + order.item.str();
  auto stored_sold = sold_.find(item_key);
  const std::int64_t sold =
      (stored_sold == sold_.end() ? 0 : stored_sold->second) + batch.sold[item_key];
  ports::SaveResult result;
  if (item == nullptr) {
    result = {false, domain::Outcome::kUnknownItem, "unknown sale item"};
  } else if (sold + order.quantity.value() > item->stock) {
    result = {false, domain::Outcome::kSoldOut, "stock guard: sold + quantity > stock"};
  } else {
    result = {true, domain::Outcome::kAccepted, {}};
    batch.sold[item_key] += order.quantity.value();
  }
  // Confirmed or failed, the order is stored and owns its request key.
  domain::Order stored = order;
  stored.status = result.saved ? domain::OrderStatus::kConfirmed : domain::OrderStatus::kFailed;
  batch.rows.emplace(id, Stored{stored, result});
  batch.requests.emplace(request_key, id);
  return result;
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
  auto found = sales_.Find(sale);
  if (!found) return found.error();
  if (!found->has_value() || (*found)->FindItem(item) == nullptr) {
    return domain::Error{domain::Outcome::kUnknownItem, "unknown sale item"};
  }
  std::lock_guard lock(mu_);
  auto it = sold_.find(sale.str() + "/" + item.str());
  return it == sold_.end() ? 0 : it->second;
}

domain::Result<ports::SaleAudit> MemoryOrderRepository::Audit(
    const domain::SaleId& sale, std::optional<domain::QueuePosition> up_to) {
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
    // Queued at or before the audit's position (or with no position recorded).
    const bool seen = !up_to || !o.position || *o.position <= *up_to;
    for (auto& item : audit.items) {
      if (item.item != o.item) continue;
      if (!stored.result.saved) {
        item.failed_units += o.quantity.value();
      } else if (seen) {
        item.confirmed_units += o.quantity.value();
      } else {
        item.later_units += o.quantity.value();
      }
    }
    if (stored.result.saved && seen) {
      audit.confirmed_order_ids.push_back(id);
      audit.units_by_user[o.user.str()] += o.quantity.value();
    }
  }
  std::unordered_set<std::string> codes;
  for (const auto& [id, attempt] : attempts_) {
    if (attempt.sale != sale) continue;
    ++audit.checkout_attempts;
    if (attempt.code) codes.insert(attempt.code->str());
  }
  audit.checkout_holds = static_cast<std::int64_t>(codes.size());
  return audit;
}

domain::Result<void> MemoryOrderRepository::SaveAttempts(
    std::span<const domain::CheckoutAttempt> attempts) {
  if (failing_) return Down();
  std::lock_guard lock(mu_);
  for (const auto& attempt : attempts) attempts_.emplace(attempt.id.str(), attempt);
  return domain::Ok();
}

std::size_t MemoryOrderRepository::size() const {
  std::lock_guard lock(mu_);
  return orders_.size();
}

}  // namespace flashsale::memory
