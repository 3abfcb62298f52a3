// RedisStockStore, a sale split into sub-stocks (RedisOptions::item_shards; DESIGN.md
// section 12, "Hot-item sub-stocks"): purchases at the buyer's home sub-stock, units moved
// there from the others while it is short, and the sweep's part (transfers left half done).
#include <hiredis/hiredis.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flashsale/domain/text.hpp"
#include "flashsale/redis/functions.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "function_reply.hpp"

namespace flashsale::redis {
namespace {

using domain::Outcome;

/// Reserve calls one purchase may make before it gives up (other buyers of the same home
/// kept taking the units moved there): Unavailable, nothing stored, safe to retry.
constexpr int kMaxRounds = 32;

/// A transfer record, "to|item|units|at_ms"; nullopt when malformed.
struct TransferRecord {
  int to = 0;
  std::string item;
  std::int64_t units = 0;
  std::int64_t at_ms = 0;
};
std::optional<TransferRecord> ParseTransfer(std::string_view text) {
  std::string_view part[4];
  for (int i = 0; i < 4; ++i) {
    const auto bar = text.find('|');
    if ((bar == std::string_view::npos) != (i == 3)) return std::nullopt;
    part[i] = text.substr(0, bar);
    if (bar != std::string_view::npos) text.remove_prefix(bar + 1);
  }
  auto to = domain::ParseNumber<int>(part[0]);
  auto units = domain::ParseNumber<std::int64_t>(part[2]);
  auto at = domain::ParseNumber<std::int64_t>(part[3]);
  if (!to || !units || !at || !domain::ItemId::Parse(part[1])) return std::nullopt;
  return TransferRecord{*to, std::string(part[1]), *units, *at};
}

/// A transfer record of a sale's sub-stock `from`; `record` nullopt when malformed.
struct Transfer {
  int from = 0;
  std::string id;
  std::optional<TransferRecord> record;
};

/// Every transfer record of the sale's sub-stocks (one HGETALL each).
domain::Result<std::vector<Transfer>> ReadTransfers(Router& router, const domain::SaleId& sale,
                                                    int shards) {
  std::vector<Transfer> out;
  for (int shard = 0; shard < shards; ++shard) {
    const std::string key = Keys::Transfers(sale, shard);
    auto records = CheckReply(router.Call(key, {"HGETALL", key}));
    if (!records) return records.error();
    for (std::size_t i = 0; i + 1 < Size(records->get()); i += 2) {
      auto record = ParseTransfer(Str(At(records->get(), i + 1)));
      if (record && (record->to < 0 || record->to >= shards)) record.reset();
      out.push_back(Transfer{shard, std::string(Str(At(records->get(), i))), std::move(record)});
    }
  }
  return out;
}

}  // namespace

/// One purchase on a split sale, from its first reserve call to its answer.
struct RedisStockStore::SplitReserve {
  SplitReserve(RedisStockStore* owner, domain::Reservation reservation, ports::ReserveDone answer,
               int count)
      : store(owner),
        r(std::move(reservation)),
        done(std::move(answer)),
        shards(count),
        home(Keys::HomeShard(r.request.user, count)) {}

  RedisStockStore* store;
  domain::Reservation r;
  ports::ReserveDone done;
  int shards;
  int home;
  int rounds = 0;               // reserve calls made
  int asked = 0;                // donors asked in this pass (home + 1, home + 2, ...)
  std::int64_t needed = 0;      // units the home sub-stock lacks
  std::int64_t home_stock = 0;  // units there at the last reserve call
  std::vector<std::uint64_t> versions = std::vector<std::uint64_t>(
      static_cast<std::size_t>(shards));  // buyer-set versions seen in this pass
  std::optional<domain::RateVerdict> rate;

  static void Reserve(const std::shared_ptr<SplitReserve>& s);
  static void OnReserve(const std::shared_ptr<SplitReserve>& s, domain::Result<Reply> raw);
  static void Take(const std::shared_ptr<SplitReserve>& s);
  static void OnTake(const std::shared_ptr<SplitReserve>& s, int donor, const std::string& id,
                     domain::Result<Reply> raw);
  void Answer(domain::PurchaseReply reply) {
    if (rate && !reply.rate) reply.rate = rate;
    done(std::move(reply));
  }
};

void RedisStockStore::ReserveSplit(const domain::Reservation& r, int shards,
                                   ports::ReserveDone done) {
  SplitReserve::Reserve(std::make_shared<SplitReserve>(this, r, std::move(done), shards));
}

void RedisStockStore::SplitReserve::Reserve(const std::shared_ptr<SplitReserve>& s) {
  // The rate buckets are drawn by the first call only.
  s->store->SendReserve(s->r, s->home, s->shards, s->rounds++ == 0,
                        [s](domain::Result<Reply> raw) { OnReserve(s, std::move(raw)); });
}

void RedisStockStore::SplitReserve::OnReserve(const std::shared_ptr<SplitReserve>& s,
                                              domain::Result<Reply> raw) {
  const redisReply* a = raw && !IsError(raw->get()) ? raw->get() : nullptr;
  if (a == nullptr || Size(a) < 6 || Str(At(a, 0)) != "short") {
    domain::PurchaseReply reply = s->store->AnswerOf(s->r.request.sale, std::move(raw));
    // The home sub-stock is gone: the sale was retired (and maybe loaded again, split
    // otherwise). The next purchase reads its split again.
    if (reply.outcome == Outcome::kUnknownItem) s->store->ForgetShards(s->r.request.sale);
    s->Answer(std::move(reply));
    return;
  }
  // Within the user's limit, but the home sub-stock lacks units: move some here.
  if (Size(a) >= 11) s->rate = VerdictAt(a, 6);
  s->home_stock = Int(At(a, 2));
  s->needed = s->r.request.quantity.value() - s->home_stock;
  s->versions[static_cast<std::size_t>(s->home)] = static_cast<std::uint64_t>(Int(At(a, 5)));
  s->asked = 0;
  if (s->rounds >= kMaxRounds) {
    domain::PurchaseReply reply;
    reply.outcome = Outcome::kUnavailable;
    reply.detail =
        "units of this sale are moving between its sub-stocks; retry with the same request id";
    s->Answer(std::move(reply));
    return;
  }
  Take(s);
}

void RedisStockStore::SplitReserve::Take(const std::shared_ptr<SplitReserve>& s) {
  const domain::PurchaseRequest& req = s->r.request;
  const domain::SaleId& sale = req.sale;
  const domain::ItemId& item = req.item;
  if (++s->asked >= s->shards) {
    // Every sub-stock lacked the units in this pass: sold out, stored at home like any
    // answer. The versions of the pass, mixed, are compared by the sold-out fast path with
    // FetchBuyers' (equal only when no sub-stock's buyer set changed in between).
    s->store->router_.Fcall(
        functions::kRefuse,
        {Keys::Meta(sale, s->home), Keys::Answer(sale, req.user, req.request, s->home)},
        {req.Fingerprint(), Num(s->home_stock), Num(domain::ToUnixMillis(s->r.now)),
         Num(s->store->options_.idempotency_ttl.count()),
         Num(s->store->options_.sale_retention.count())},
        [s](domain::Result<Reply> raw) {
          domain::PurchaseReply reply = ParsePurchaseReply(std::move(raw));
          if (reply.outcome == Outcome::kSoldOut && !reply.replayed) {
            reply.buyers_version = MixVersions(s->versions);
          }
          s->Answer(std::move(reply));
        },
        /*replicated=*/true);
    return;
  }
  const int donor = (s->home + s->asked) % s->shards;
  // Unique per purchase, pass and donor: the order id is.
  std::string id =
      s->r.order_id.str() + "." + std::to_string(s->rounds) + "." + std::to_string(donor);
  s->store->router_.Fcall(
      functions::kTake,
      {Keys::Meta(sale, donor), Keys::Stock(sale, item, donor), Keys::Transfers(sale, donor)},
      {Num(s->needed), id, std::to_string(s->home), item.str(),
       Num(domain::ToUnixMillis(s->r.now))},
      [s, donor, id](domain::Result<Reply> raw) { OnTake(s, donor, id, std::move(raw)); },
      /*replicated=*/true);
}

void RedisStockStore::SplitReserve::OnTake(const std::shared_ptr<SplitReserve>& s, int donor,
                                           const std::string& id, domain::Result<Reply> raw) {
  auto reply = CheckReply(std::move(raw));
  if (!reply || Size(reply->get()) < 2) {
    // Taken or not, nothing is lost: a recorded transfer is finished by the sweep.
    s->Answer(ParsePurchaseReply(reply ? domain::Result<Reply>(domain::Error{
                                             Outcome::kInternal, "redis: unexpected take reply"})
                                       : std::move(reply)));
    return;
  }
  const std::int64_t units = Int(At(reply->get(), 0));
  if (units <= 0) {
    s->versions[static_cast<std::size_t>(donor)] =
        static_cast<std::uint64_t>(Int(At(reply->get(), 1)));
    Take(s);
    return;
  }
  const domain::SaleId& sale = s->r.request.sale;
  const domain::ItemId& item = s->r.request.item;
  Router& router = s->store->router_;
  router.Fcall(
      functions::kCredit, {Keys::Stock(sale, item, s->home), Keys::Credited(sale, s->home)},
      {id, Num(units), "", ""},
      [s, donor, id](domain::Result<Reply> answer) {
        auto credited = CheckReply(std::move(answer));
        if (!credited) {
          s->Answer(ParsePurchaseReply(std::move(credited)));  // the sweep credits it later
          return;
        }
        const std::string record = Keys::Transfers(s->r.request.sale, donor);
        s->store->router_.Submit(record, {"HDEL", record, id}, [](domain::Result<Reply>) {});
        Reserve(s);
      },
      /*replicated=*/true);
}

domain::Result<void> RedisStockStore::AddUnitsMoving(const domain::SaleId& sale, int shards,
                                                     std::vector<ports::ItemStock>& items) {
  auto transfers = ReadTransfers(router_, sale, shards);
  if (!transfers) return transfers.error();
  for (const auto& [from, id, record] : *transfers) {
    if (!record) continue;
    const std::string credited = Keys::Credited(sale, record->to);
    auto seen = CheckReply(router_.Call(credited, {"SISMEMBER", credited, id}));
    if (!seen) return seen.error();
    if (Int(seen->get()) != 0) continue;
    for (auto& item : items) {
      if (item.item.str() == record->item) item.remaining += record->units;
    }
  }
  return domain::Ok();
}

domain::Result<std::size_t> RedisStockStore::FinishTransfers(const domain::SaleId& sale, int shards,
                                                             domain::TimePoint before) {
  auto transfers = ReadTransfers(router_, sale, shards);
  if (!transfers) return transfers.error();
  std::size_t finished = 0;
  for (const auto& [from, id, record] : *transfers) {
    if (record && record->at_ms >= domain::ToUnixMillis(before)) continue;  // in flight
    if (record) {
      // Published: buyers may have been told sold out while these units were moving.
      // Replicated (WAIT, with --redis-wait-replicas): the record goes only once the credit
      // would survive a failover of the receiving master.
      auto item = domain::ItemId::Parse(record->item);
      auto credited =
          CallReplicated(functions::kCredit,
                         {Keys::Stock(sale, *item, record->to), Keys::Credited(sale, record->to)},
                         {id, Num(record->units), std::string(Keys::kUnitsReturnedChannel),
                          sale.str() + "/" + record->item});
      if (!credited) return credited.error();
    }
    // Credited now or before (or malformed: kept out of the way of retirement).
    const std::string key = Keys::Transfers(sale, from);
    auto removed = CheckReply(router_.Call(key, {"HDEL", key, id}));
    if (!removed) return removed.error();
    ++finished;
  }
  return finished;
}

}  // namespace flashsale::redis
