#include "flashsale/redis/redis_stock_store.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <string>
#include <utility>

#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/scripts.hpp"

namespace flashsale::redis {
namespace {

using core::Outcome;

std::string Num(std::int64_t v) { return std::to_string(v); }

core::PurchaseReply ParseReserve(core::Result<Reply> raw) {
  core::PurchaseReply reply;
  auto checked = CheckReply(std::move(raw));
  if (!checked) {
    reply.outcome = checked.error().outcome;
    reply.detail = checked.error().detail;
    return reply;
  }
  const redisReply* a = checked->get();
  Outcome outcome = Outcome::kInternal;
  if (Size(a) < 6 || !core::FromString(Str(At(a, 0)), outcome)) {
    reply.outcome = Outcome::kInternal;
    reply.detail = "redis: unexpected reserve reply";
    return reply;
  }
  reply.outcome = outcome;
  std::string_view order_id = Str(At(a, 1));
  if (!order_id.empty()) {
    auto id = core::OrderId::Parse(order_id);
    if (id) reply.order_id = std::move(*id);
  }
  reply.remaining = Int(At(a, 2));
  reply.replayed = Int(At(a, 3)) != 0;
  reply.order_failed = Int(At(a, 4)) != 0;
  reply.buyers_version = static_cast<std::uint64_t>(Int(At(a, 5)));
  switch (outcome) {
    case Outcome::kAccepted:
      break;
    case Outcome::kSoldOut:
      reply.detail = reply.order_failed
                         ? "the order could not be completed; its units were released"
                         : "sold out";
      break;
    case Outcome::kUserLimitReached:
      reply.detail = "per-user limit reached";
      break;
    case Outcome::kSaleNotActive:
      reply.detail = "the sale is not active";
      break;
    case Outcome::kUnknownItem:
      reply.detail = "unknown item";
      break;
    case Outcome::kDuplicateRequest:
      reply.detail = "request_id was already used with a different payload";
      break;
    default:
      break;
  }
  if (reply.order_failed && outcome != Outcome::kSoldOut) {
    reply.detail = "the order could not be completed; its units were released";
  }
  return reply;
}

}  // namespace

RedisStockStore::RedisStockStore(RedisOptions options) : options_(std::move(options)) {
  std::vector<const Script*> scripts{&scripts::kReserve, &scripts::kRelease, &scripts::kLoad,
                                     &scripts::kBuyers};
  const int count = std::max(1, options_.pipelines);
  for (int i = 0; i < count; ++i) {
    pipelines_.push_back(std::make_unique<Pipeline>(options_, scripts));
  }
  subscriber_ = std::jthread([this](std::stop_token stop) { Subscribe(stop); });
}

RedisStockStore::~RedisStockStore() {
  subscriber_.request_stop();
  if (subscriber_.joinable()) subscriber_.join();
}

Pipeline& RedisStockStore::Next() {
  return *pipelines_[next_.fetch_add(1, std::memory_order_relaxed) % pipelines_.size()];
}

bool RedisStockStore::Healthy() const {
  for (const auto& pipeline : pipelines_) {
    if (!pipeline->connected()) return false;
  }
  return true;
}

void RedisStockStore::Reserve(const core::Reservation& r, ports::ReserveDone done) {
  const core::PurchaseRequest& req = r.request;
  std::vector<std::string> keys{
      Keys::Meta(req.sale),   Keys::Stock(req.sale, req.item),
      Keys::Bought(req.sale), Keys::Answer(req.sale, req.user, req.request),
      Keys::Orders(req.sale), Keys::OrderStatus(req.sale)};
  std::vector<std::string> args{req.user.str(),
                                std::to_string(req.quantity.value()),
                                req.Fingerprint(),
                                r.order_id.str(),
                                Num(core::ToUnixMillis(r.now)),
                                Num(options_.idempotency_ttl.count()),
                                req.sale.str(),
                                req.item.str(),
                                req.request.str()};
  Next().Eval(scripts::kReserve, keys, args, [done = std::move(done)](core::Result<Reply> reply) {
    done(ParseReserve(std::move(reply)));
  });
}

core::Result<bool> RedisStockStore::Release(const core::Order& order, core::Outcome reason) {
  std::vector<std::string> keys{
      Keys::Meta(order.sale),        Keys::Stock(order.sale, order.item),
      Keys::Bought(order.sale),      Keys::Answer(order.sale, order.user, order.request),
      Keys::OrderStatus(order.sale), Keys::Dead(order.sale)};
  std::vector<std::string> args{order.id.str(),
                                order.user.str(),
                                std::to_string(order.quantity.value()),
                                std::string(core::ToString(reason)),
                                order.sale.str(),
                                order.item.str(),
                                order.request.str(),
                                Num(order.unit_price_cents),
                                Num(core::ToUnixMillis(order.created_at)),
                                std::string(Keys::kUnitsReturnedChannel),
                                Num(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count())};
  auto reply = CheckReply(Next().CallEval(scripts::kRelease, keys, args));
  if (!reply) return reply.error();
  return Int(reply->get()) == 1;
}

core::Result<bool> RedisStockStore::Load(const core::Sale& sale) {
  if (auto valid = sale.Validate(); !valid) return valid.error();
  std::vector<std::string> keys{Keys::Meta(sale.id), Keys::Orders(sale.id)};
  std::vector<std::string> args{
      Num(core::ToUnixMillis(sale.starts_at)), Num(core::ToUnixMillis(sale.ends_at)),
      std::to_string(sale.per_user_limit), std::to_string(sale.items.size())};
  for (const auto& item : sale.items) {
    keys.push_back(Keys::Stock(sale.id, item.id));
    args.push_back(item.id.str());
    args.push_back(Num(item.stock));
    args.push_back(Num(item.price_cents));
  }
  auto reply = CheckReply(Next().CallEval(scripts::kLoad, keys, args));
  if (!reply) return reply.error();
  auto added = CheckReply(Next().Call({"SADD", std::string(Keys::kSales), sale.id.str()}));
  if (!added) return added.error();
  return Int(reply->get()) == 1;
}

core::Result<ports::StockSnapshot> RedisStockStore::Snapshot(const core::SaleId& sale) {
  auto meta = CheckReply(Next().Call({"HMGET", Keys::Meta(sale), "items", "released"}));
  if (!meta) return meta.error();
  if (IsNil(At(meta->get(), 0))) return core::Error{Outcome::kUnknownItem, "unknown sale"};
  std::vector<core::ItemId> items;
  std::vector<std::string> mget{"MGET"};
  std::string_view list = Str(At(meta->get(), 0));
  while (!list.empty()) {
    auto comma = list.find(',');
    auto id = core::ItemId::Parse(list.substr(0, comma));
    if (!id) return core::Error{Outcome::kInternal, "redis: corrupt item list"};
    mget.push_back(Keys::Stock(sale, *id));
    items.push_back(std::move(*id));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  auto stock = CheckReply(Next().Call(mget));
  if (!stock) return stock.error();
  ports::StockSnapshot snapshot;
  for (std::size_t i = 0; i < items.size(); ++i) {
    snapshot.items.push_back(ports::ItemStock{items[i], Int(At(stock->get(), i))});
  }
  snapshot.released_orders = Int(At(meta->get(), 1));
  return snapshot;
}

core::Result<std::optional<core::OrderStatus>> RedisStockStore::FindOrderStatus(
    const core::SaleId& sale, const core::OrderId& order) {
  auto reply = CheckReply(Next().Call({"HGET", Keys::OrderStatus(sale), order.str()}));
  if (!reply) return reply.error();
  if (IsNil(reply->get())) return std::optional<core::OrderStatus>{};
  core::OrderStatus status = core::OrderStatus::kPending;
  if (!core::FromString(Str(reply->get()), status)) {
    return core::Error{Outcome::kInternal, "redis: corrupt order status"};
  }
  return std::optional<core::OrderStatus>{status};
}

core::Result<std::int64_t> RedisStockStore::UnitsHeld(const core::SaleId& sale,
                                                      const core::UserId& user) {
  auto reply = CheckReply(Next().Call({"HGET", Keys::Bought(sale), user.str()}));
  if (!reply) return reply.error();
  return static_cast<std::int64_t>(Int(reply->get()));
}

void RedisStockStore::FetchBuyers(const core::SaleId& sale, ports::BuyersDone done) {
  Next().Eval(scripts::kBuyers, {Keys::Meta(sale), Keys::Bought(sale)}, {},
              [done = std::move(done)](core::Result<Reply> raw) {
                auto reply = CheckReply(std::move(raw));
                if (!reply) {
                  done(reply.error());
                  return;
                }
                const redisReply* a = reply->get();
                if (Size(a) == 0) {
                  done(core::Error{Outcome::kUnknownItem, "unknown sale"});
                  return;
                }
                ports::BuyerSet set;
                set.version = static_cast<std::uint64_t>(Int(At(a, 0)));
                set.users.reserve(Size(a) - 1);
                for (std::size_t i = 1; i < Size(a); ++i) set.users.emplace_back(Str(At(a, i)));
                done(std::move(set));
              });
}

void RedisStockStore::OnUnitsReturned(ports::UnitsReturnedListener listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void RedisStockStore::Subscribe(std::stop_token stop) {
  auto backoff = options_.reconnect_initial;
  while (!stop.stop_requested()) {
    auto opened = Connection::Open(options_);
    if (!opened) {
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, options_.reconnect_max);
      continue;
    }
    backoff = options_.reconnect_initial;
    Connection& connection = **opened;
    connection.Append(FormatCommand({"SUBSCRIBE", std::string(Keys::kUnitsReturnedChannel)}));
    if (!connection.Flush()) continue;
    while (!stop.stop_requested() && !connection.dead()) {
      auto buffered = connection.TryReadBuffered();
      if (!buffered) break;
      if (*buffered) {
        const redisReply* msg = buffered->get();
        if (Size(msg) == 3 && Str(At(msg, 0)) == "message") {
          std::string_view payload = Str(At(msg, 2));
          auto slash = payload.find('/');
          auto sale = core::SaleId::Parse(payload.substr(0, slash));
          auto item = core::ItemId::Parse(
              slash == std::string_view::npos ? std::string_view{} : payload.substr(slash + 1));
          if (sale && item) {
            std::vector<ports::UnitsReturnedListener> listeners;
            {
              std::lock_guard lock(listeners_mu_);
              listeners = listeners_;
            }
            for (const auto& listener : listeners) listener(*sale, *item);
          }
        }
        continue;
      }
      pollfd pfd{connection.fd(), POLLIN, 0};
      int ready = ::poll(&pfd, 1, 100);  // wake up regularly to notice stop requests
      if (ready > 0 && !connection.ReadIntoBuffer()) break;
      if (ready < 0 && errno != EINTR) break;
    }
  }
}

}  // namespace flashsale::redis
