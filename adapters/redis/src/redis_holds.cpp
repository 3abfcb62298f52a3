// RedisStockStore, two-step buying: checkout holds, completion, expiry, retirement.
#include <hiredis/hiredis.h>

#include <algorithm>
#include <string>
#include <utility>

#include "flashsale/redis/functions.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "function_reply.hpp"

namespace flashsale::redis {
namespace {

using domain::Outcome;

/// {outcome, code, expires_ms, remaining, price_cents, item_name, replayed} -> CheckoutReply.
domain::CheckoutReply ParseCheckout(domain::Result<Reply> raw) {
  domain::CheckoutReply reply;
  const redisReply* a = OutcomeReply(raw, 7, "checkout", reply);
  if (a == nullptr) return reply;
  if (!Str(At(a, 1)).empty()) {
    auto code = domain::CheckoutCode::Parse(Str(At(a, 1)));
    if (code) reply.code = std::move(*code);
  }
  reply.expires_at = domain::FromUnixMillis(Int(At(a, 2)));
  reply.remaining = Int(At(a, 3));
  reply.unit_price_cents = Int(At(a, 4));
  reply.item_name = std::string(Str(At(a, 5)));
  reply.replayed = Int(At(a, 6)) != 0;
  if (reply.outcome == Outcome::kInvalidRequest) {
    // The only refusal of its kind in fs4_checkout: a hold lives with its code, which names
    // the sale, not the buyer's sub-stock (DESIGN.md section 12).
    reply.detail =
        "this sale is split into sub-stocks (--item-shards): checkout is not available for it; "
        "buy with a one-step purchase";
  } else if (reply.outcome != Outcome::kAccepted) {
    reply.detail = std::string(domain::DefaultDetail(reply.outcome));
  }
  return reply;
}

/// {outcome, order_id, item, user, quantity, price, created_ms, user_units, replayed, name}.
domain::CompleteReply ParseComplete(domain::Result<Reply> raw, const domain::Completion& c) {
  domain::CompleteReply reply;
  const redisReply* a = OutcomeReply(raw, 10, "complete", reply);
  if (a == nullptr) return reply;
  reply.item_name = std::string(Str(At(a, 9)));
  reply.replayed = Int(At(a, 8)) != 0;
  reply.user_units = Int(At(a, 7));
  auto order_id = domain::OrderId::Parse(Str(At(a, 1)));
  if (reply.outcome == Outcome::kCheckoutUsed && order_id) reply.used_by = *order_id;
  if (reply.outcome != Outcome::kAccepted) {
    reply.detail = std::string(domain::DefaultDetail(reply.outcome));
    return reply;
  }
  auto item = domain::ItemId::Parse(Str(At(a, 2)));
  auto user = domain::UserId::Parse(Str(At(a, 3)));
  auto quantity = domain::Quantity::Parse(Int(At(a, 4)), domain::kMaxQuantity);
  if (!order_id || !item || !user || !quantity) {
    reply.outcome = Outcome::kInternal;
    reply.detail = "redis: corrupt hold record";
    return reply;
  }
  reply.used_by = *order_id;
  reply.order = domain::Order{*order_id,
                              c.code.sale(),
                              std::move(*item),
                              std::move(*user),
                              c.code.OrderRequestId(),
                              *quantity,
                              Int(At(a, 5)),
                              domain::OrderStatus::kPending,
                              domain::FromUnixMillis(Int(At(a, 6)))};
  return reply;
}

}  // namespace

void RedisStockStore::Checkout(const domain::HoldRequest& hold, ports::CheckoutDone done) {
  const domain::CheckoutRequest& req = hold.request;
  const bool has_request = req.request.has_value();
  std::vector<std::string> keys{Keys::Meta(req.sale),
                                Keys::Stock(req.sale, req.item),
                                Keys::Bought(req.sale),
                                has_request ? Keys::CheckoutAnswer(req.sale, req.user, *req.request)
                                            : Keys::Meta(req.sale),  // unused without a request id
                                Keys::Orders(req.sale),
                                Keys::Holds(req.sale),
                                Keys::Hold(hold.code)};
  std::vector<std::string> args{req.user.str(),
                                req.item.str(),
                                req.Fingerprint(),
                                hold.code.str(),
                                hold.attempt.str(),
                                Num(domain::ToUnixMillis(hold.now)),
                                Num(domain::ToUnixMillis(hold.expires_at)),
                                Num(options_.idempotency_ttl.count()),
                                has_request ? "1" : "0",
                                req.sale.str(),
                                Num(options_.sale_retention.count())};
  router_.Fcall(functions::kCheckout, keys, args,
                [done = std::move(done)](domain::Result<Reply> reply) {
                  done(ParseCheckout(std::move(reply)));
                });
}

void RedisStockStore::Complete(const domain::Completion& c, ports::CompleteDone done) {
  const domain::SaleId& sale = c.code.sale();
  std::vector<std::string> keys{Keys::Meta(sale),   Keys::Hold(c.code), Keys::Holds(sale),
                                Keys::Bought(sale), Keys::Orders(sale), Keys::OrderStatus(sale)};
  std::vector<std::string> args{c.code.str(),
                                c.order_id.str(),
                                Num(domain::ToUnixMillis(c.now)),
                                c.request ? c.request->str() : std::string(),
                                sale.str(),
                                c.code.OrderRequestId().str(),
                                std::string(Keys::kUnitsReturnedChannel),
                                Num(options_.idempotency_ttl.count()),
                                Num(options_.sale_retention.count())};
  router_.Fcall(
      functions::kComplete, keys, args,
      [c, done = std::move(done)](domain::Result<Reply> reply) {
        done(ParseComplete(std::move(reply), c));
      },
      /*replicated=*/true);
}

domain::Result<std::size_t> RedisStockStore::ExpireHolds(const domain::SaleId& sale,
                                                         domain::TimePoint now, std::size_t max) {
  auto shards = ShardsOf(sale);
  if (!shards) return shards.error();
  if (*shards > 1) {
    // A split sale has no holds; what the sweep does there is finish the transfers whose
    // mover died (or is very late).
    auto finished = FinishTransfers(sale, *shards, now - std::chrono::seconds(1));
    if (!finished) return finished.error();
  }
  auto reply = CheckReply(router_.CallFcall(
      functions::kExpire, {Keys::Meta(sale), Keys::Holds(sale), Keys::Bought(sale)},
      {Num(domain::ToUnixMillis(now)), std::to_string(max),
       std::string(Keys::kUnitsReturnedChannel), sale.str(), Num(options_.idempotency_ttl.count()),
       Num(options_.sale_retention.count())}));
  if (!reply) return reply.error();
  return static_cast<std::size_t>(Int(reply->get()));
}

domain::Result<bool> RedisStockStore::Retire(const domain::SaleId& sale, domain::TimePoint now,
                                             std::chrono::milliseconds retention) {
  auto stored = ShardsOf(sale);
  if (!stored) return stored.error();
  const int shards = *stored;
  long long state = 1;
  for (int shard = 0; shard < shards; ++shard) {
    auto reply = CheckReply(router_.CallFcall(
        functions::kRetire,
        {Keys::Meta(sale, shard), Keys::Orders(sale, shard), Keys::Holds(sale, shard),
         Keys::Bought(sale, shard), Keys::OrderStatus(sale, shard), Keys::Dead(sale, shard)},
        {Num(domain::ToUnixMillis(now)), Num(retention.count())}));
    if (!reply) return reply.error();
    const long long part = Int(reply->get());
    if (part == 0) return false;  // the sub-stocks retired so far stay retired (idempotent)
    if (shard == 0) state = part;
  }
  // Queue consumers stop reading the sale once it leaves the set of live sales. Not atomic
  // with fs4_retire (fs:sales is in no sale's slot), so it is redone on every later call:
  // for a sale retired before (1), and for one whose keys are gone already (-1: a process
  // died between the two calls and the retention ran out before the next sweep).
  std::vector<std::string> tags{"SREM", std::string(Keys::kSales)};
  for (int shard = 0; shard < shards; ++shard) tags.push_back(Keys::Tag(sale, shard));
  if (state < 0) {
    // The keys are gone, and with them the sub-stock count: every tag of this sale goes.
    auto members = CheckReply(router_.Call(Keys::kSales, {"SMEMBERS", std::string(Keys::kSales)}));
    if (!members) return members.error();
    for (std::size_t i = 0; i < Size(members->get()); ++i) {
      const std::string_view tag = Str(At(members->get(), i));
      if (auto parsed = Keys::ParseTag(tag);
          parsed && parsed->first == sale && parsed->second > 0) {
        tags.emplace_back(tag);
      }
    }
  }
  auto removed = CheckReply(router_.Call(Keys::kSales, tags));
  if (!removed) return removed.error();
  if (state < 0) return domain::Error{Outcome::kNotFound, "unknown sale"};
  return true;
}

domain::Result<bool> RedisStockStore::CloseSale(const domain::SaleId& sale, domain::TimePoint at) {
  auto stored = ShardsOf(sale);
  if (!stored) return stored.error();
  const int shards = *stored;
  std::int64_t changed = 0;
  for (int shard = shards - 1; shard >= 0; --shard) {  // sub-stock 0, which answers, last
    auto reply = CheckReply(router_.CallFcall(functions::kClose, {Keys::Meta(sale, shard)},
                                              {Num(domain::ToUnixMillis(at))}));
    if (!reply) return reply.error();
    changed = Int(reply->get());
  }
  if (changed < 0) return domain::Error{Outcome::kNotFound, "unknown sale"};
  return changed == 1;
}

domain::Result<ports::StoreAudit> RedisStockStore::Audit(const domain::SaleId& sale) {
  auto stored = ShardsOf(sale);
  if (!stored) return stored.error();
  const int shards = *stored;
  auto total = AuditShard(sale, 0);
  if (!total || shards == 1) return total;
  // A split sale: each sub-stock is read atomically, but not all at one instant, so the sum
  // is exact only while no purchase is in flight; with several streams there is no single
  // queue position either, and the repository counts every confirmed order.
  total->position.reset();
  for (int shard = 1; shard < shards; ++shard) {
    auto part = AuditShard(sale, shard);
    if (!part) return part.error();
    total->released_orders += part->released_orders;
    total->dead_letters += part->dead_letters;
    total->max_user_units = std::max(total->max_user_units, part->max_user_units);
    AddStock(total->items, part->items);
    for (auto& queued : part->queued) total->queued.push_back(std::move(queued));
  }
  if (auto moved = AddUnitsMoving(sale, shards, total->items); !moved) return moved.error();
  return total;
}

domain::Result<ports::StoreAudit> RedisStockStore::AuditShard(const domain::SaleId& sale,
                                                              int shard) {
  auto reply = CheckReply(router_.CallFcall(
      functions::kAudit,
      {Keys::Meta(sale, shard), Keys::Orders(sale, shard), Keys::OrderStatus(sale, shard),
       Keys::Bought(sale, shard), Keys::Dead(sale, shard)},
      {}));
  if (!reply) return reply.error();
  const redisReply* a = reply->get();
  if (Size(a) == 0) return domain::Error{Outcome::kNotFound, "unknown sale"};
  ports::StoreAudit audit;
  audit.released_orders = Int(At(a, 0));
  audit.dead_letters = Int(At(a, 1));
  audit.max_user_units = Int(At(a, 2));
  // No stream yet: position 0-0, before every entry, so orders queued after this snapshot
  // are "later" for the repository (without a position it would count them as confirmed).
  audit.position = domain::QueuePosition{0, 0};
  if (const std::string_view last = Str(At(a, 3)); !last.empty()) {
    audit.position = ParseStreamId(last);
    if (!audit.position) return domain::Error{Outcome::kInternal, "redis: bad stream id"};
  }
  const auto items = static_cast<std::size_t>(Int(At(a, 4)));
  std::size_t i = 5;
  for (std::size_t n = 0; n < items; ++n, i += 3) {
    auto id = domain::ItemId::Parse(Str(At(a, i)));
    if (!id) return domain::Error{Outcome::kInternal, "redis: corrupt item list"};
    audit.items.push_back(ports::ItemStock{std::move(*id), Int(At(a, i + 1)), Int(At(a, i + 2))});
  }
  for (; i + 4 <= Size(a); i += 4) {
    auto order = domain::OrderId::Parse(Str(At(a, i)));
    auto item = domain::ItemId::Parse(Str(At(a, i + 1)));
    auto user = domain::UserId::Parse(Str(At(a, i + 2)));
    if (!order || !item || !user) continue;  // malformed: the queue parks it as a dead letter
    audit.queued.push_back(ports::QueuedOrderRef{std::move(*order), std::move(*item),
                                                 std::move(*user), Int(At(a, i + 3))});
  }
  return audit;
}

domain::Result<std::vector<domain::SaleId>> RedisStockStore::LiveSales() {
  auto reply = CheckReply(router_.Call(Keys::kSales, {"SMEMBERS", std::string(Keys::kSales)}));
  if (!reply) return reply.error();
  std::vector<domain::SaleId> live;
  for (std::size_t i = 0; i < Size(reply->get()); ++i) {
    if (auto id = domain::SaleId::Parse(Str(At(reply->get(), i)))) live.push_back(std::move(*id));
  }
  return live;
}

}  // namespace flashsale::redis
