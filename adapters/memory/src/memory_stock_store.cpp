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
  std::shared_lock lock(sales_mu_);
  auto it = sales_.find(sale.str());
  return it == sales_.end() ? nullptr : it->second.get();
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

void MemoryStockStore::ExpireAnswersLocked(SaleState& state, domain::TimePoint now) {
  while (!state.answer_expiry.empty() && state.answer_expiry.front().first <= now) {
    auto it = state.answers.find(state.answer_expiry.front().second);
    if (it != state.answers.end() && it->second.expires_at <= now) state.answers.erase(it);
    state.answer_expiry.pop_front();
  }
}

domain::PurchaseReply MemoryStockStore::ReserveLocked(SaleState& state,
                                                      const domain::Reservation& r) {
  const domain::PurchaseRequest& req = r.request;
  ExpireAnswersLocked(state, r.now);
  const std::string key = AnswerKey(req.user, req.request);
  const std::string fingerprint = req.Fingerprint();
  if (auto stored = state.answers.find(key); stored != state.answers.end()) {
    if (stored->second.fingerprint != fingerprint) {
      return Refusal(domain::Outcome::kDuplicateRequest, 0);
    }
    domain::PurchaseReply reply = stored->second.reply;
    reply.replayed = true;
    return reply;
  }
  domain::PurchaseReply reply = CheckLocked(state, req, r.now);
  if (reply.outcome == domain::Outcome::kAccepted) reply = AcceptLocked(state, r, key);
  if (domain::IsStorable(reply.outcome)) {
    const domain::TimePoint expires = r.now + options_.idempotency_ttl;
    state.answers[key] = StoredAnswer{reply, fingerprint, expires};
    state.answer_expiry.emplace_back(expires, key);
  }
  if (reply.outcome == domain::Outcome::kSoldOut) reply.buyers_version = state.buyers_version;
  return reply;
}

domain::PurchaseReply MemoryStockStore::CheckLocked(const SaleState& state,
                                                    const domain::PurchaseRequest& req,
                                                    domain::TimePoint now) const {
  if (!state.sale.IsActiveAt(now)) {
    domain::PurchaseReply reply = Refusal(domain::Outcome::kSaleNotActive, 0);
    reply.detail = now < state.sale.starts_at ? "the sale has not started" : "the sale has ended";
    return reply;
  }
  if (state.sale.FindItem(req.item) == nullptr) return Refusal(domain::Outcome::kUnknownItem, 0);
  const std::int64_t remaining = state.remaining.at(req.item.str());
  const std::int64_t qty = req.quantity.value();
  if (qty > remaining) return Refusal(domain::Outcome::kSoldOut, remaining);
  auto held = state.held.find(req.user.str());
  const std::int64_t already = held == state.held.end() ? 0 : held->second;
  if (already + qty > state.sale.per_user_limit) {
    return Refusal(domain::Outcome::kUserLimitReached, remaining);
  }
  domain::PurchaseReply ok;
  ok.outcome = domain::Outcome::kAccepted;
  return ok;
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
  state.held[req.user.str()] += req.quantity.value();
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
    auto held = state->held.find(order.user.str());
    if (held != state->held.end()) {
      held->second -= order.quantity.value();
      if (held->second <= 0) state->held.erase(held);
    }
    ++state->buyers_version;
    ++state->released;
    auto answer = state->answers.find(record->second.answer_key);
    if (answer != state->answers.end() && answer->second.reply.order_id == order.id) {
      answer->second.reply.outcome = reason;
      answer->second.reply.order_failed = true;
      answer->second.reply.detail = std::string(domain::kOrderFailedDetail);
    }
    state->dead.push_back(DeadLetter{order, reason});
  }
  std::vector<ports::UnitsReturnedListener> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(order.sale, order.item);
  return true;
}

domain::Result<ports::StockSnapshot> MemoryStockStore::Snapshot(const domain::SaleId& sale) {
  SaleState* state = Find(sale);
  if (state == nullptr) return UnknownSale();
  std::lock_guard lock(state->mu);
  ports::StockSnapshot snapshot;
  for (const auto& item : state->sale.items) {
    snapshot.items.push_back(ports::ItemStock{item.id, state->remaining[item.id.str()]});
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
    set.users.reserve(state->held.size());
    for (const auto& [user, units] : state->held) set.users.push_back(user);
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
  auto it = state->held.find(user.str());
  return it == state->held.end() ? 0 : it->second;
}

}  // namespace flashsale::memory
