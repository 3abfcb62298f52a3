#include "flashsale/memory/memory_stock_store.hpp"

#include <utility>

namespace flashsale::memory {
namespace {

std::string AnswerKey(const domain::UserId& user, const domain::RequestId& request) {
  return user.str() + "/" + request.str();  // '/' is not an id character: unambiguous
}

/// A refused attempt with the outcome's default detail.
domain::PurchaseReply Refusal(domain::Outcome outcome, std::int64_t remaining) {
  domain::PurchaseReply reply;
  reply.outcome = outcome;
  reply.remaining = remaining;
  reply.detail = std::string(domain::DefaultDetail(outcome));
  return reply;
}

domain::Error UnknownSale() { return domain::Error{domain::Outcome::kNotFound, "unknown sale"}; }

}  // namespace

MemoryStockStore::MemoryStockStore(MemoryOrderQueue& queue, const ports::Clock& clock,
                                   MemoryStockOptions options)
    : queue_(queue), clock_(clock), options_(options) {}

MemoryStockStore::SaleState* MemoryStockStore::Find(const domain::SaleId& sale) const {
  SaleState* state = nullptr;
  {
    std::shared_lock lock(sales_mu_);
    auto it = sales_.find(sale.str());
    if (it == sales_.end()) return nullptr;
    state = it->second.get();
  }
  // A retired sale is gone once its retention is over (the state itself stays allocated:
  // other threads may still hold the pointer).
  std::lock_guard lock(state->mu);
  if (state->retire_at && *state->retire_at <= clock_.Now()) return nullptr;
  return state;
}

domain::Result<bool> MemoryStockStore::Load(const domain::Sale& sale) {
  if (auto valid = sale.Validate(); !valid) return valid.error();
  std::unique_lock lock(sales_mu_);
  if (sales_.contains(sale.id.str())) return false;
  auto state = std::make_unique<SaleState>(sale);
  for (const auto& item : sale.items) state->remaining[item.id.str()] = item.stock;
  sales_.emplace(sale.id.str(), std::move(state));
  return true;
}

void MemoryStockStore::Reserve(const domain::Reservation& reservation, ports::ReserveDone done) {
  SaleState* state = Find(reservation.request.sale);
  domain::PurchaseReply reply;
  if (state == nullptr) {
    reply.outcome = domain::Outcome::kUnknownItem;
    reply.detail = "unknown sale";
  } else {
    std::lock_guard lock(state->mu);
    reply = ReserveLocked(*state, reservation);
  }
  done(std::move(reply));
}

domain::PurchaseReply MemoryStockStore::ReserveLocked(SaleState& state,
                                                      const domain::Reservation& r) {
  const domain::PurchaseRequest& req = r.request;
  state.answers.Expire(r.now);
  const std::string key = AnswerKey(req.user, req.request);
  const std::string fingerprint = req.Fingerprint();
  if (auto stored = state.answers.by_key.find(key); stored != state.answers.by_key.end()) {
    if (stored->second.fingerprint != fingerprint) {
      return Refusal(domain::Outcome::kDuplicateRequest, 0);
    }
    domain::PurchaseReply reply = stored->second.reply;
    reply.replayed = true;
    return reply;
  }
  const domain::Outcome checked =
      CheckLocked(state, req.item, req.user, req.quantity.value(), r.now);
  domain::PurchaseReply reply =
      checked == domain::Outcome::kAccepted
          ? AcceptLocked(state, r, key)
          : Refusal(checked, checked == domain::Outcome::kSoldOut ||
                                     checked == domain::Outcome::kUserLimitReached
                                 ? state.remaining.at(req.item.str())
                                 : 0);
  if (checked == domain::Outcome::kSaleNotActive) {
    reply.detail = r.now < state.sale.starts_at ? "the sale has not started" : "the sale has ended";
  }
  if (domain::IsStorable(reply.outcome)) {
    const domain::TimePoint expires = r.now + options_.idempotency_ttl;
    state.answers.by_key[key] = {reply, fingerprint, expires};
    state.answers.fifo.emplace_back(expires, key);
  }
  if (reply.outcome == domain::Outcome::kSoldOut) reply.buyers_version = state.buyers_version;
  return reply;
}

domain::Outcome MemoryStockStore::CheckLocked(const SaleState& state, const domain::ItemId& item,
                                              const domain::UserId& user, std::int64_t quantity,
                                              domain::TimePoint now) const {
  if (!state.sale.IsActiveAt(now)) return domain::Outcome::kSaleNotActive;
  if (state.sale.FindItem(item) == nullptr) return domain::Outcome::kUnknownItem;
  if (quantity > state.remaining.at(item.str())) return domain::Outcome::kSoldOut;
  auto units = state.user_units.find(user.str());
  const std::int64_t already = units == state.user_units.end() ? 0 : units->second;
  if (already + quantity > state.sale.per_user_limit) return domain::Outcome::kUserLimitReached;
  return domain::Outcome::kAccepted;
}

domain::PurchaseReply MemoryStockStore::AcceptLocked(SaleState& state, const domain::Reservation& r,
                                                     const std::string& answer_key) {
  const domain::PurchaseRequest& req = r.request;
  const domain::SaleItem* item = state.sale.FindItem(req.item);
  domain::Order order{r.order_id,  req.sale,     req.item,          req.user,
                      req.request, req.quantity, item->price_cents, domain::OrderStatus::kPending,
                      r.now};
  if (!queue_.TryPush(order)) {
    domain::PurchaseReply full = Refusal(domain::Outcome::kUnavailable, 0);
    full.detail = "order queue is full";
    return full;  // transient: nothing written, nothing stored
  }
  std::int64_t& remaining = state.remaining[req.item.str()];
  remaining -= req.quantity.value();
  state.user_units[req.user.str()] += req.quantity.value();
  ++state.buyers_version;
  state.orders[r.order_id.str()] = OrderRecord{domain::OrderStatus::kPending, answer_key};
  domain::PurchaseReply reply;
  reply.outcome = domain::Outcome::kAccepted;
  reply.order_id = r.order_id;
  reply.remaining = remaining;
  return reply;
}

domain::Result<bool> MemoryStockStore::Release(const domain::Order& order, domain::Outcome reason) {
  SaleState* state = Find(order.sale);
  if (state == nullptr) return UnknownSale();
  {
    std::lock_guard lock(state->mu);
    auto record = state->orders.find(order.id.str());
    if (record != state->orders.end() && record->second.status == domain::OrderStatus::kFailed) {
      return false;
    }
    if (record == state->orders.end()) {
      // Never reserved here: nothing to give back, but keep it visible to operators.
      state->dead.push_back(DeadLetter{order, reason});
      return false;
    }
    record->second.status = domain::OrderStatus::kFailed;
    state->remaining[order.item.str()] += order.quantity.value();
    auto units = state->user_units.find(order.user.str());
    if (units != state->user_units.end()) {
      units->second -= order.quantity.value();
      if (units->second <= 0) state->user_units.erase(units);
    }
    ++state->buyers_version;
    ++state->released;
    auto answer = state->answers.by_key.find(record->second.answer_key);
    if (answer != state->answers.by_key.end() && answer->second.reply.order_id == order.id) {
      answer->second.reply.outcome = reason;
      answer->second.reply.order_failed = true;
      answer->second.reply.detail = std::string(domain::kOrderFailedDetail);
    }
    state->dead.push_back(DeadLetter{order, reason});
  }
  NotifyUnitsReturned(order.sale, order.item);
  return true;
}

void MemoryStockStore::NotifyUnitsReturned(const domain::SaleId& sale, const domain::ItemId& item) {
  std::vector<ports::UnitsReturnedListener> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(sale, item);
}

domain::Result<ports::StockSnapshot> MemoryStockStore::Snapshot(const domain::SaleId& sale) {
  SaleState* state = Find(sale);
  if (state == nullptr) return UnknownSale();
  std::lock_guard lock(state->mu);
  ports::StockSnapshot snapshot;
  for (const auto& item : state->sale.items) {
    snapshot.items.push_back(
        ports::ItemStock{item.id, state->remaining[item.id.str()], state->held[item.id.str()]});
  }
  snapshot.released_orders = state->released;
  return snapshot;
}

domain::Result<std::optional<domain::OrderStatus>> MemoryStockStore::FindOrderStatus(
    const domain::SaleId& sale, const domain::OrderId& order) {
  SaleState* state = Find(sale);
  if (state == nullptr) return UnknownSale();
  std::lock_guard lock(state->mu);
  auto record = state->orders.find(order.str());
  if (record == state->orders.end()) return std::optional<domain::OrderStatus>{};
  return std::optional<domain::OrderStatus>{record->second.status};
}

void MemoryStockStore::FetchBuyers(const domain::SaleId& sale, ports::BuyersDone done) {
  SaleState* state = Find(sale);
  if (state == nullptr) {
    done(UnknownSale());
    return;
  }
  ports::BuyerSet set;
  {
    std::lock_guard lock(state->mu);
    set.version = state->buyers_version;
    set.users.reserve(state->user_units.size());
    for (const auto& [user, units] : state->user_units) set.users.push_back(user);
  }
  done(std::move(set));
}

void MemoryStockStore::OnUnitsReturned(ports::UnitsReturnedListener listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

std::vector<DeadLetter> MemoryStockStore::DeadLetters(const domain::SaleId& sale) const {
  SaleState* state = Find(sale);
  if (state == nullptr) return {};
  std::lock_guard lock(state->mu);
  return state->dead;
}

std::int64_t MemoryStockStore::UnitsHeld(const domain::SaleId& sale,
                                         const domain::UserId& user) const {
  SaleState* state = Find(sale);
  if (state == nullptr) return 0;
  std::lock_guard lock(state->mu);
  auto it = state->user_units.find(user.str());
  return it == state->user_units.end() ? 0 : it->second;
}

}  // namespace flashsale::memory
