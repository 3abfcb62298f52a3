// MemoryStockStore, two-step buying: checkout holds, completion, expiry, retirement.
#include <algorithm>
#include <utility>

#include "flashsale/memory/memory_stock_store.hpp"

namespace flashsale::memory {
namespace {

std::string AnswerKey(const domain::UserId& user, const domain::RequestId& request) {
  return user.str() + "/" + request.str();
}

domain::CheckoutReply CheckoutRefusal(domain::Outcome outcome, std::int64_t remaining) {
  domain::CheckoutReply reply;
  reply.outcome = outcome;
  reply.remaining = remaining;
  reply.detail = std::string(domain::DefaultDetail(outcome));
  return reply;
}

domain::CompleteReply CompleteRefusal(domain::Outcome outcome) {
  domain::CompleteReply reply;
  reply.outcome = outcome;
  reply.detail = std::string(domain::DefaultDetail(outcome));
  return reply;
}

}  // namespace

void MemoryStockStore::Checkout(const domain::HoldRequest& hold, ports::CheckoutDone done) {
  SaleState* state = Find(hold.request.sale);
  if (state == nullptr) {
    domain::CheckoutReply reply = CheckoutRefusal(domain::Outcome::kUnknownItem, 0);
    reply.detail = "unknown sale";
    done(std::move(reply));  // not recorded: the store holds no such sale
    return;
  }
  domain::CheckoutReply reply;
  {
    std::lock_guard lock(state->mu);
    reply = CheckoutLocked(*state, hold);
  }
  done(std::move(reply));
}

domain::CheckoutReply MemoryStockStore::CheckoutLocked(SaleState& state,
                                                       const domain::HoldRequest& hold) {
  const domain::CheckoutRequest& req = hold.request;
  state.checkout_answers.Expire(hold.now);
  std::string key;
  std::optional<domain::CheckoutReply> replay;
  if (req.request) {
    key = AnswerKey(req.user, *req.request);
    if (auto stored = state.checkout_answers.by_key.find(key);
        stored != state.checkout_answers.by_key.end()) {
      replay = stored->second.fingerprint == req.Fingerprint()
                   ? stored->second.reply
                   : CheckoutRefusal(domain::Outcome::kDuplicateRequest, 0);
      replay->replayed = replay->outcome != domain::Outcome::kDuplicateRequest;
    }
  }
  // A retired sale's attempts are no longer recorded (as in Redis, its stream is no longer
  // read), but a replay still gets the first answer while it is stored.
  if (state.retire_at) {
    return replay ? *replay : CheckoutRefusal(domain::Outcome::kSaleNotActive, 0);
  }
  domain::CheckoutReply reply = replay ? *replay : DecideCheckout(state, hold);
  // The attempt is recorded first: when the queue is full nothing at all is written.
  if (!queue_.TryPush(domain::CheckoutAttempt{
          hold.attempt, req.sale, req.item, req.user, reply.outcome, reply.code,
          reply.code ? std::optional(reply.expires_at) : std::nullopt, hold.now})) {
    domain::CheckoutReply full = CheckoutRefusal(domain::Outcome::kUnavailable, 0);
    full.detail = "order queue is full";
    return full;
  }
  if (replay) return reply;
  if (reply.outcome == domain::Outcome::kAccepted) TakeHoldLocked(state, hold, reply);
  if (req.request && domain::IsStorable(reply.outcome)) {
    const domain::TimePoint expires = hold.now + options_.idempotency_ttl;
    state.checkout_answers.by_key[key] = {reply, req.Fingerprint(), expires};
    state.checkout_answers.fifo.emplace_back(expires, key);
  }
  return reply;
}

domain::CheckoutReply MemoryStockStore::DecideCheckout(const SaleState& state,
                                                       const domain::HoldRequest& hold) const {
  const domain::CheckoutRequest& req = hold.request;
  const domain::Outcome checked = CheckLocked(state, req.item, req.user, 1, hold.now);
  const domain::SaleItem* item = state.sale.FindItem(req.item);
  const bool counted = checked == domain::Outcome::kSoldOut ||
                       checked == domain::Outcome::kUserLimitReached ||
                       checked == domain::Outcome::kAccepted;
  domain::CheckoutReply reply =
      CheckoutRefusal(checked, counted ? state.remaining.at(req.item.str()) : 0);
  if (item != nullptr && checked != domain::Outcome::kSaleNotActive) {
    reply.unit_price_cents = item->price_cents;
    reply.item_name = item->name;
  }
  if (checked == domain::Outcome::kAccepted) {
    reply.code = hold.code;
    reply.expires_at = hold.expires_at;
    reply.remaining -= 1;
    reply.detail.clear();
  }
  return reply;
}

void MemoryStockStore::TakeHoldLocked(SaleState& state, const domain::HoldRequest& hold,
                                      const domain::CheckoutReply& reply) {
  const domain::CheckoutRequest& req = hold.request;
  Hold record{hold.code,       req.item,         req.user,     1,           reply.unit_price_cents,
              hold.expires_at, HoldState::kHeld, std::nullopt, std::nullopt};
  state.holds.emplace(hold.code.str(), record);
  state.active_holds.emplace(hold.expires_at, hold.code.str());
  --state.remaining[req.item.str()];
  ++state.held[req.item.str()];
  ++state.user_units[req.user.str()];
  ++state.buyers_version;
}

void MemoryStockStore::Complete(const domain::Completion& completion, ports::CompleteDone done) {
  SaleState* state = Find(completion.code.sale());
  if (state == nullptr) {
    done(CompleteRefusal(domain::Outcome::kUnknownCheckout));
    return;
  }
  domain::CompleteReply reply;
  std::optional<domain::ItemId> returned;
  {
    std::lock_guard lock(state->mu);
    reply = CompleteLocked(*state, completion, returned);
  }
  if (returned) NotifyUnitsReturned(completion.code.sale(), *returned);
  done(std::move(reply));
}

domain::CompleteReply MemoryStockStore::CompleteLocked(SaleState& state,
                                                       const domain::Completion& completion,
                                                       std::optional<domain::ItemId>& returned) {
  auto found = state.holds.find(completion.code.str());
  if (found == state.holds.end()) return CompleteRefusal(domain::Outcome::kUnknownCheckout);
  Hold& hold = found->second;
  const domain::SaleItem* item = state.sale.FindItem(hold.item);
  if (hold.state == HoldState::kUsed) {
    const bool same_caller = completion.request && hold.redeemed_with == completion.request;
    domain::CompleteReply reply =
        same_caller ? domain::CompleteReply{} : CompleteRefusal(domain::Outcome::kCheckoutUsed);
    if (same_caller) {
      reply.outcome = domain::Outcome::kAccepted;
      reply.order = hold.order;
      reply.replayed = true;
      reply.user_units = state.user_units[hold.user.str()];
    }
    reply.used_by = hold.order->id;
    reply.item_name = item ? item->name : "";
    return reply;
  }
  if (hold.state == HoldState::kHeld && completion.now >= hold.expires_at) {
    ExpireLocked(state, hold);
    returned = hold.item;
  }
  if (hold.state == HoldState::kExpired) return CompleteRefusal(domain::Outcome::kCheckoutExpired);
  domain::Order order{completion.order_id,
                      state.sale.id,
                      hold.item,
                      hold.user,
                      completion.code.OrderRequestId(),
                      *domain::Quantity::Parse(hold.quantity, domain::kMaxQuantity),
                      hold.price_cents,
                      domain::OrderStatus::kPending,
                      completion.now};
  if (!queue_.TryPush(order)) {  // before any change: a full queue writes nothing
    domain::CompleteReply full = CompleteRefusal(domain::Outcome::kUnavailable);
    full.detail = "order queue is full";
    return full;
  }
  for (auto it = state.active_holds.lower_bound(hold.expires_at);
       it != state.active_holds.end() && it->first == hold.expires_at; ++it) {
    if (it->second == hold.code.str()) {
      state.active_holds.erase(it);
      break;
    }
  }
  hold.state = HoldState::kUsed;
  hold.order = order;
  hold.redeemed_with = completion.request;
  --state.held[hold.item.str()];
  state.orders[order.id.str()] = OrderRecord{domain::OrderStatus::kPending, {}};
  domain::CompleteReply reply;
  reply.outcome = domain::Outcome::kAccepted;
  reply.order = order;
  reply.user_units = state.user_units[hold.user.str()];
  reply.item_name = item ? item->name : "";
  return reply;
}

void MemoryStockStore::ExpireLocked(SaleState& state, Hold& hold) {
  hold.state = HoldState::kExpired;
  ++state.remaining[hold.item.str()];
  --state.held[hold.item.str()];
  auto units = state.user_units.find(hold.user.str());
  if (units != state.user_units.end() && --units->second <= 0) state.user_units.erase(units);
  ++state.buyers_version;
  for (auto it = state.active_holds.lower_bound(hold.expires_at);
       it != state.active_holds.end() && it->first == hold.expires_at; ++it) {
    if (it->second == hold.code.str()) {
      state.active_holds.erase(it);
      break;
    }
  }
}

domain::Result<std::size_t> MemoryStockStore::ExpireHolds(const domain::SaleId& sale,
                                                          domain::TimePoint now, std::size_t max) {
  SaleState* state = Find(sale);
  if (state == nullptr) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  std::vector<domain::ItemId> returned;
  {
    std::lock_guard lock(state->mu);
    while (returned.size() < max && !state->active_holds.empty() &&
           state->active_holds.begin()->first <= now) {
      Hold& hold = state->holds.at(state->active_holds.begin()->second);
      returned.push_back(hold.item);
      ExpireLocked(*state, hold);
    }
  }
  for (const auto& item : returned) NotifyUnitsReturned(sale, item);
  return returned.size();
}

domain::Result<bool> MemoryStockStore::Retire(const domain::SaleId& sale, domain::TimePoint now,
                                              std::chrono::milliseconds retention) {
  SaleState* state = Find(sale);
  if (state == nullptr) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  std::lock_guard lock(state->mu);
  if (state->retire_at) return true;
  if (now < state->sale.ends_at || !state->active_holds.empty() || queue_.CountFor(sale) > 0) {
    return false;
  }
  state->retire_at = clock_.Now() + retention;  // retention runs on the store's clock
  return true;
}

domain::Result<bool> MemoryStockStore::CloseSale(const domain::SaleId& sale, domain::TimePoint at) {
  SaleState* state = Find(sale);
  if (state == nullptr) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  std::lock_guard lock(state->mu);
  return state->sale.CloseAt(at);
}

domain::Result<ports::StoreAudit> MemoryStockStore::Audit(const domain::SaleId& sale) {
  SaleState* state = Find(sale);
  if (state == nullptr) return domain::Error{domain::Outcome::kNotFound, "unknown sale"};
  std::lock_guard lock(state->mu);  // orders of this sale enter the queue under this lock
  ports::StoreAudit audit;
  for (const auto& item : state->sale.items) {
    audit.items.push_back(
        ports::ItemStock{item.id, state->remaining[item.id.str()], state->held[item.id.str()]});
  }
  auto [orders, last] = queue_.OrdersOf(sale);
  for (const auto& order : orders) {
    auto record = state->orders.find(order.id.str());
    if (record != state->orders.end() && record->second.status == domain::OrderStatus::kFailed) {
      continue;  // released: its units are back in the stock
    }
    audit.queued.push_back(
        ports::QueuedOrderRef{order.id, order.item, order.user, order.quantity.value()});
  }
  // Always a position, also before the first order (0: every later order is after it), or
  // the repository would count orders persisted after this snapshot as confirmed.
  audit.position = domain::QueuePosition{0, static_cast<std::int64_t>(last)};
  audit.released_orders = state->released;
  audit.dead_letters = static_cast<std::int64_t>(state->dead.size());
  for (const auto& [user, units] : state->user_units) {
    audit.max_user_units = std::max(audit.max_user_units, units);
  }
  return audit;
}

domain::Result<std::vector<domain::SaleId>> MemoryStockStore::LiveSales() {
  std::vector<SaleState*> states;
  {
    std::shared_lock lock(sales_mu_);
    for (const auto& [id, state] : sales_) states.push_back(state.get());
  }
  std::vector<domain::SaleId> live;
  for (SaleState* state : states) {
    std::lock_guard lock(state->mu);
    if (!state->retire_at) live.push_back(state->sale.id);
  }
  return live;
}

}  // namespace flashsale::memory
