#include "flashsale/redis/redis_stock_store.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <string>
#include <utility>

#include "flashsale/redis/functions.hpp"
#include "flashsale/redis/keys.hpp"
#include "function_reply.hpp"

namespace flashsale::redis {
namespace {

using domain::Outcome;

domain::PurchaseReply ParseReserve(domain::Result<Reply> raw) {
  domain::PurchaseReply reply;
  const redisReply* a = OutcomeReply(raw, 6, "reserve", reply);
  if (a == nullptr) return reply;
  const Outcome outcome = reply.outcome;
  std::string_view order_id = Str(At(a, 1));
  if (!order_id.empty()) {
    auto id = domain::OrderId::Parse(order_id);
    if (id) reply.order_id = std::move(*id);
  }
  reply.remaining = Int(At(a, 2));
  reply.replayed = Int(At(a, 3)) != 0;
  reply.order_failed = Int(At(a, 4)) != 0;
  reply.buyers_version = static_cast<std::uint64_t>(Int(At(a, 5)));
  if (Size(a) >= 11) reply.rate = VerdictAt(a, 6);  // rate buckets were drawn
  if (reply.order_failed) {
    reply.detail = std::string(domain::kOrderFailedDetail);
  } else if (outcome != Outcome::kAccepted) {
    reply.detail = std::string(domain::DefaultDetail(outcome));
  }
  return reply;
}

}  // namespace

RedisStockStore::RedisStockStore(RedisOptions options)
    : options_(std::move(options)), router_(options_, functions::kLibrary) {
  subscriber_ = std::jthread([this](std::stop_token stop) { Subscribe(stop); });
  // Units returned before the subscription exists would be missed (pub/sub keeps nothing):
  // with Redis up, start only once subscribed (bounded: a slow Redis delays, never blocks).
  if (Healthy()) {
    std::unique_lock lock(subscribed_mu_);
    subscribed_cv_.wait_for(lock, std::chrono::seconds(2), [this] { return subscribed_; });
  }
}

RedisStockStore::~RedisStockStore() { Close(); }

void RedisStockStore::Close() {
  subscriber_.request_stop();
  if (subscriber_.joinable()) subscriber_.join();
  router_.Stop();
}

bool RedisStockStore::Healthy() const { return router_.Healthy(); }

void RedisStockStore::Reserve(const domain::Reservation& r, ports::ReserveDone done) {
  const domain::PurchaseRequest& req = r.request;
  std::vector<std::string> keys{
      Keys::Meta(req.sale),   Keys::Stock(req.sale, req.item),
      Keys::Bought(req.sale), Keys::Answer(req.sale, req.user, req.request),
      Keys::Orders(req.sale), Keys::OrderStatus(req.sale)};
  std::vector<std::string> args{req.user.str(),
                                std::to_string(req.quantity.value()),
                                req.Fingerprint(),
                                r.order_id.str(),
                                Num(domain::ToUnixMillis(r.now)),
                                Num(options_.idempotency_ttl.count()),
                                req.sale.str(),
                                req.item.str(),
                                req.request.str(),
                                Num(options_.sale_retention.count())};
  if (!r.rate_buckets.empty()) {
    if (auto error = TooManyRateBuckets(r.rate_buckets.size())) {
      done(ParseReserve(std::move(*error)));
      return;
    }
    args.reserve(args.size() + 1 + 3 * r.rate_buckets.size());
    keys.push_back(Keys::RateBuckets(req.sale));
    args.push_back(Num(std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()));
  }
  for (const auto& bucket : r.rate_buckets) {
    args.push_back(bucket.key);
    args.push_back(Num(BucketInterval(bucket).count()));
    args.push_back(Num(bucket.burst));
  }
  router_.Fcall(
      functions::kReserve, keys, args,
      [done = std::move(done)](domain::Result<Reply> reply) {
        done(ParseReserve(std::move(reply)));
      },
      /*replicated=*/true);
}

domain::Result<bool> RedisStockStore::Release(const domain::Order& order, domain::Outcome reason) {
  std::vector<std::string> keys{
      Keys::Meta(order.sale),        Keys::Stock(order.sale, order.item),
      Keys::Bought(order.sale),      Keys::Answer(order.sale, order.user, order.request),
      Keys::OrderStatus(order.sale), Keys::Dead(order.sale)};
  std::vector<std::string> args{order.id.str(),
                                order.user.str(),
                                std::to_string(order.quantity.value()),
                                std::string(domain::ToString(reason)),
                                order.sale.str(),
                                order.item.str(),
                                order.request.str(),
                                Num(order.unit_price_cents),
                                Num(domain::ToUnixMillis(order.created_at)),
                                std::string(Keys::kUnitsReturnedChannel),
                                Num(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count())};
  auto reply = CheckReply(router_.CallFcall(functions::kRelease, keys, args));
  if (!reply) return reply.error();
  return Int(reply->get()) == 1;
}

domain::Result<bool> RedisStockStore::Load(const domain::Sale& sale) {
  if (auto valid = sale.Validate(); !valid) return valid.error();
  std::vector<std::string> keys{Keys::Meta(sale.id), Keys::Orders(sale.id)};
  std::vector<std::string> args{
      Num(domain::ToUnixMillis(sale.starts_at)), Num(domain::ToUnixMillis(sale.ends_at)),
      std::to_string(sale.per_user_limit), std::to_string(sale.items.size())};
  for (const auto& item : sale.items) {
    keys.push_back(Keys::Stock(sale.id, item.id));
    args.push_back(item.id.str());
    args.push_back(Num(item.stock));
    args.push_back(Num(item.price_cents));
    args.push_back(item.name);
  }
  auto reply = CheckReply(router_.CallFcall(functions::kLoad, keys, args));
  if (!reply) return reply.error();
  auto added =
      CheckReply(router_.Call(Keys::kSales, {"SADD", std::string(Keys::kSales), sale.id.str()}));
  if (!added) return added.error();
  return Int(reply->get()) == 1;
}

domain::Result<ports::StockSnapshot> RedisStockStore::Snapshot(const domain::SaleId& sale) {
  auto reply = CheckReply(router_.CallFcall(functions::kSnapshot, {Keys::Meta(sale)}, {}));
  if (!reply) return reply.error();
  const redisReply* a = reply->get();
  if (Size(a) == 0) return domain::Error{Outcome::kNotFound, "unknown sale"};
  ports::StockSnapshot snapshot;
  snapshot.released_orders = Int(At(a, 0));
  for (std::size_t i = 1; i + 2 < Size(a); i += 3) {
    auto id = domain::ItemId::Parse(Str(At(a, i)));
    if (!id) return domain::Error{Outcome::kInternal, "redis: corrupt item list"};
    snapshot.items.push_back(
        ports::ItemStock{std::move(*id), Int(At(a, i + 1)), Int(At(a, i + 2))});
  }
  return snapshot;
}

domain::Result<std::optional<domain::OrderStatus>> RedisStockStore::FindOrderStatus(
    const domain::SaleId& sale, const domain::OrderId& order) {
  auto reply = CheckReply(
      router_.Call(Keys::OrderStatus(sale), {"HGET", Keys::OrderStatus(sale), order.str()}));
  if (!reply) return reply.error();
  if (IsNil(reply->get())) return std::optional<domain::OrderStatus>{};
  domain::OrderStatus status = domain::OrderStatus::kPending;
  if (!domain::FromString(Str(reply->get()), status)) {
    return domain::Error{Outcome::kInternal, "redis: corrupt order status"};
  }
  return std::optional<domain::OrderStatus>{status};
}

domain::Result<std::int64_t> RedisStockStore::UnitsHeld(const domain::SaleId& sale,
                                                        const domain::UserId& user) {
  auto reply =
      CheckReply(router_.Call(Keys::Bought(sale), {"HGET", Keys::Bought(sale), user.str()}));
  if (!reply) return reply.error();
  return static_cast<std::int64_t>(Int(reply->get()));
}

void RedisStockStore::FetchBuyers(const domain::SaleId& sale, ports::BuyersDone done) {
  router_.Fcall(functions::kBuyers, {Keys::Meta(sale), Keys::Bought(sale)}, {},
                [done = std::move(done)](domain::Result<Reply> raw) {
                  auto reply = CheckReply(std::move(raw));
                  if (!reply) {
                    done(reply.error());
                    return;
                  }
                  const redisReply* a = reply->get();
                  if (Size(a) == 0) {
                    done(domain::Error{Outcome::kNotFound, "unknown sale"});
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
    // Any node will do: a Redis Cluster delivers a PUBLISH to every node's subscribers.
    std::vector<RedisNode> nodes = router_.Masters();
    for (const auto& seed : Seeds(options_)) nodes.push_back(seed);
    auto opened = Connection::OpenAny(options_, nodes);
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
        if (Size(msg) == 3 && Str(At(msg, 0)) == "subscribe") {
          std::lock_guard lock(subscribed_mu_);
          subscribed_ = true;
          subscribed_cv_.notify_all();
        } else if (Size(msg) == 3 && Str(At(msg, 0)) == "message") {
          std::string_view payload = Str(At(msg, 2));
          auto slash = payload.find('/');
          auto sale = domain::SaleId::Parse(payload.substr(0, slash));
          auto item = domain::ItemId::Parse(
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
