#include "flashsale/redis/redis_stock_store.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <utility>

#include "flashsale/redis/functions.hpp"
#include "flashsale/redis/keys.hpp"
#include "function_reply.hpp"

namespace flashsale::redis {

using domain::Outcome;

domain::PurchaseReply ParsePurchaseReply(domain::Result<Reply> raw) {
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
  if (auto error = TooManyRateBuckets(r.rate_buckets.size())) {
    done(ParsePurchaseReply(std::move(*error)));
    return;
  }
  if (const auto shards = CachedShards(r.request.sale)) {
    ReserveIn(r, *shards, std::move(done));
    return;
  }
  // First purchase of this sale in this process: its sub-stocks, read without blocking (a
  // Reserve may run on an I/O thread, after a rate-limit call).
  WithShards(r.request.sale,
             [this, r, done = std::move(done)](domain::Result<std::optional<int>> shards) mutable {
               if (!shards) {
                 done(ParsePurchaseReply(shards.error()));
                 return;
               }
               // Not loaded (yet): fs4_reserve answers for itself.
               ReserveIn(r, shards->value_or(1), std::move(done));
             });
}

void RedisStockStore::WithShards(const domain::SaleId& sale,
                                 std::function<void(domain::Result<std::optional<int>>)> next) {
  if (const auto cached = CachedShards(sale)) {
    next(std::optional<int>(*cached));
    return;
  }
  const std::string meta = Keys::Meta(sale);
  router_.Submit(meta, {"HMGET", meta, "starts_at", "shards"},
                 [this, sale, next = std::move(next)](domain::Result<Reply> raw) {
                   auto reply = CheckReply(std::move(raw));
                   if (!reply) {
                     next(reply.error());
                     return;
                   }
                   next(LearnShards(sale, reply->get()));
                 });
}

void RedisStockStore::ReserveIn(const domain::Reservation& r, int shards, ports::ReserveDone done) {
  if (shards > 1) {
    ReserveSplit(r, shards, std::move(done));
    return;
  }
  SendReserve(r, 0, 1, /*draw=*/true,
              [this, sale = r.request.sale, done = std::move(done)](domain::Result<Reply> reply) {
                done(AnswerOf(sale, std::move(reply)));
              });
}

void RedisStockStore::SendReserve(const domain::Reservation& r, int shard, int shards, bool draw,
                                  Router::Callback done) {
  const domain::PurchaseRequest& req = r.request;
  std::vector<std::string> keys{
      Keys::Meta(req.sale, shard),   Keys::Stock(req.sale, req.item, shard),
      Keys::Bought(req.sale, shard), Keys::Answer(req.sale, req.user, req.request, shard),
      Keys::Orders(req.sale, shard), Keys::OrderStatus(req.sale, shard)};
  std::vector<std::string> args{req.user.str(),
                                std::to_string(req.quantity.value()),
                                req.Fingerprint(),
                                r.order_id.str(),
                                Num(domain::ToUnixMillis(r.now)),
                                Num(options_.idempotency_ttl.count()),
                                req.sale.str(),
                                req.item.str(),
                                req.request.str(),
                                Num(options_.sale_retention.count()),
                                std::to_string(shards)};
  if (draw && !r.rate_buckets.empty()) {
    args.reserve(args.size() + 1 + 3 * r.rate_buckets.size());
    keys.push_back(Keys::RateBuckets(req.sale, shard));
    args.push_back(Num(std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()));
    for (const auto& bucket : r.rate_buckets) {
      args.push_back(bucket.key);
      args.push_back(Num(BucketInterval(bucket).count()));
      args.push_back(Num(bucket.burst));
    }
  }
  router_.Fcall(functions::kReserve, keys, args, std::move(done), /*replicated=*/true);
}

domain::PurchaseReply RedisStockStore::AnswerOf(const domain::SaleId& sale,
                                                domain::Result<Reply> raw) {
  if (raw && Size(raw->get()) >= 3 && Str(At(raw->get(), 0)) == "shards") {
    // The sale was loaded split (or not) after this instance looked: nothing was done; the
    // next call goes where it should.
    RememberShards(sale, static_cast<int>(Int(At(raw->get(), 2))));
    domain::PurchaseReply reply;
    reply.outcome = Outcome::kUnavailable;
    reply.detail = "the sale's sub-stocks were not known here yet; retry with the same request id";
    return reply;
  }
  return ParsePurchaseReply(std::move(raw));
}

std::optional<int> RedisStockStore::CachedShards(const domain::SaleId& sale) {
  std::shared_lock lock(shards_mu_);
  if (auto it = shards_.find(sale.str()); it != shards_.end()) return it->second;
  return std::nullopt;
}

int RedisStockStore::RememberShards(const domain::SaleId& sale, int shards) {
  shards = std::clamp(shards, 1, Keys::kMaxShards);
  std::unique_lock lock(shards_mu_);
  shards_[sale.str()] = shards;
  return shards;
}

void RedisStockStore::ForgetShards(const domain::SaleId& sale) {
  std::unique_lock lock(shards_mu_);
  shards_.erase(sale.str());
}

domain::Result<int> RedisStockStore::ShardsOf(const domain::SaleId& sale) {
  if (const auto cached = CachedShards(sale)) return *cached;
  const std::string meta = Keys::Meta(sale);
  auto reply = CheckReply(router_.Call(meta, {"HMGET", meta, "starts_at", "shards"}));
  if (!reply) return reply.error();
  return LearnShards(sale, reply->get()).value_or(1);  // not loaded (yet): one key space
}

std::optional<int> RedisStockStore::LearnShards(const domain::SaleId& sale,
                                                const redisReply* starts_and_shards) {
  const redisReply* a = starts_and_shards;
  if (Size(a) < 2 || IsNil(At(a, 0))) return std::nullopt;  // not loaded (yet): not cached
  return RememberShards(sale, IsNil(At(a, 1)) ? 1 : static_cast<int>(Int(At(a, 1))));
}

domain::Result<Reply> RedisStockStore::CallReplicated(std::string_view function,
                                                      const std::vector<std::string>& keys,
                                                      const std::vector<std::string>& args) {
  auto promise = std::make_shared<std::promise<domain::Result<Reply>>>();
  auto future = promise->get_future();
  router_.Fcall(
      function, keys, args,
      [promise](domain::Result<Reply> reply) { promise->set_value(std::move(reply)); },
      /*replicated=*/true);
  return CheckReply(router_.Await(future));
}

domain::Result<bool> RedisStockStore::Release(const domain::Order& order, domain::Outcome reason) {
  // A split sale's order was taken at its buyer's home sub-stock: it goes back there.
  auto shards = ShardsOf(order.sale);
  if (!shards) return shards.error();
  const int shard = Keys::HomeShard(order.user, *shards);
  std::vector<std::string> keys{Keys::Meta(order.sale, shard),
                                Keys::Stock(order.sale, order.item, shard),
                                Keys::Bought(order.sale, shard),
                                Keys::Answer(order.sale, order.user, order.request, shard),
                                Keys::OrderStatus(order.sale, shard),
                                Keys::Dead(order.sale, shard)};
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
  const int wanted = std::clamp(options_.item_shards, 1, Keys::kMaxShards);
  auto loaded = LoadShard(sale, 0, wanted);
  if (!loaded) return loaded;
  // The count stored with the sale wins (an instance with another setting may have loaded
  // it first); the other sub-stocks are loaded after the first, each once, so that a Load
  // repeated after a crash completes them.
  ForgetShards(sale.id);
  auto stored = ShardsOf(sale.id);
  if (!stored) return stored.error();
  const int shards = *stored;
  std::vector<std::string> tags{"SADD", std::string(Keys::kSales)};
  for (int shard = 0; shard < shards; ++shard) {
    if (shard > 0) {
      if (auto more = LoadShard(sale, shard, shards); !more) return more.error();
    }
    tags.push_back(Keys::Tag(sale.id, shard));
  }
  auto added = CheckReply(router_.Call(Keys::kSales, tags));
  if (!added) return added.error();
  return loaded;
}

domain::Result<bool> RedisStockStore::LoadShard(const domain::Sale& sale, int shard, int shards) {
  std::vector<std::string> keys{Keys::Meta(sale.id, shard), Keys::Orders(sale.id, shard)};
  std::vector<std::string> args{
      Num(domain::ToUnixMillis(sale.starts_at)), Num(domain::ToUnixMillis(sale.ends_at)),
      std::to_string(sale.per_user_limit), std::to_string(sale.items.size())};
  for (const auto& item : sale.items) {
    keys.push_back(Keys::Stock(sale.id, item.id, shard));
    args.push_back(item.id.str());
    // Sub-stock k of K holds stock / K units, and one more for the first stock % K.
    args.push_back(Num(item.stock / shards + (shard < item.stock % shards ? 1 : 0)));
    args.push_back(Num(item.price_cents));
    args.push_back(item.name);
  }
  if (shards > 1) {
    args.push_back(std::to_string(shards));
    args.push_back(std::to_string(shard));
  }
  auto reply = CheckReply(router_.CallFcall(functions::kLoad, keys, args));
  if (!reply) return reply.error();
  return Int(reply->get()) == 1;
}

domain::Result<ports::StockSnapshot> RedisStockStore::Snapshot(const domain::SaleId& sale) {
  auto stored = ShardsOf(sale);
  if (!stored) return stored.error();
  const int shards = *stored;
  auto total = SnapshotShard(sale, 0);
  for (int shard = 1; total && shard < shards; ++shard) {
    auto part = SnapshotShard(sale, shard);
    if (!part) return part.error();
    total->released_orders += part->released_orders;
    AddStock(total->items, part->items);
  }
  if (total && shards > 1) {
    if (auto moved = AddUnitsMoving(sale, shards, total->items); !moved) return moved.error();
  }
  return total;
}

domain::Result<ports::StockSnapshot> RedisStockStore::SnapshotShard(const domain::SaleId& sale,
                                                                    int shard) {
  auto reply = CheckReply(router_.CallFcall(functions::kSnapshot, {Keys::Meta(sale, shard)}, {}));
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
  // A split sale: the order is in one of its sub-stocks (its buyer's home).
  auto stored = ShardsOf(sale);
  if (!stored) return stored.error();
  const int shards = *stored;
  domain::Result<Reply> reply = domain::Error{Outcome::kInternal, "no sub-stock"};
  for (int shard = 0; shard < shards; ++shard) {
    const std::string key = Keys::OrderStatus(sale, shard);
    reply = CheckReply(router_.Call(key, {"HGET", key, order.str()}));
    if (!reply) return reply.error();
    if (!IsNil(reply->get())) break;
  }
  if (IsNil(reply->get())) return std::optional<domain::OrderStatus>{};
  domain::OrderStatus status = domain::OrderStatus::kPending;
  if (!domain::FromString(Str(reply->get()), status)) {
    return domain::Error{Outcome::kInternal, "redis: corrupt order status"};
  }
  return std::optional<domain::OrderStatus>{status};
}

domain::Result<std::int64_t> RedisStockStore::UnitsHeld(const domain::SaleId& sale,
                                                        const domain::UserId& user) {
  auto shards = ShardsOf(sale);
  if (!shards) return shards.error();
  const std::string key = Keys::Bought(sale, Keys::HomeShard(user, *shards));
  auto reply = CheckReply(router_.Call(key, {"HGET", key, user.str()}));
  if (!reply) return reply.error();
  return static_cast<std::int64_t>(Int(reply->get()));
}

void RedisStockStore::FetchBuyers(const domain::SaleId& sale, ports::BuyersDone done) {
  // Called after a sold-out answer, maybe on an I/O thread: the split without blocking.
  WithShards(sale, [this, sale,
                    done = std::move(done)](domain::Result<std::optional<int>> shards) mutable {
    if (!shards) {
      done(shards.error());
    } else if (!shards->has_value()) {
      done(domain::Error{Outcome::kNotFound, "unknown sale"});
    } else {
      FetchBuyersIn(sale, **shards, std::move(done));
    }
  });
}

void RedisStockStore::FetchBuyersIn(const domain::SaleId& sale, int shards,
                                    ports::BuyersDone done) {
  // A split sale: every sub-stock's buyers, and their versions mixed into one (MixVersions:
  // equal again only when no sub-stock's changed).
  struct Gather {
    std::mutex mu;
    int left = 0;
    std::optional<domain::Error> error;
    std::vector<std::uint64_t> versions;
    ports::BuyerSet set;
    ports::BuyersDone done;
  };
  auto gather = std::make_shared<Gather>();
  gather->left = shards;
  gather->versions.assign(static_cast<std::size_t>(shards), 0);
  gather->done = std::move(done);
  for (int shard = 0; shard < shards; ++shard) {
    router_.Fcall(functions::kBuyers, {Keys::Meta(sale, shard), Keys::Bought(sale, shard)}, {},
                  [gather, shard, shards](domain::Result<Reply> raw) {
                    auto reply = CheckReply(std::move(raw));
                    std::unique_lock lock(gather->mu);
                    if (!reply) {
                      gather->error = reply.error();
                    } else if (Size(reply->get()) == 0) {
                      gather->error = domain::Error{Outcome::kNotFound, "unknown sale"};
                    } else {
                      const redisReply* a = reply->get();
                      gather->versions[static_cast<std::size_t>(shard)] =
                          static_cast<std::uint64_t>(Int(At(a, 0)));
                      for (std::size_t i = 1; i < Size(a); ++i) {
                        gather->set.users.emplace_back(Str(At(a, i)));
                      }
                    }
                    if (--gather->left > 0) return;
                    gather->set.version =
                        shards == 1 ? gather->versions[0] : MixVersions(gather->versions);
                    lock.unlock();
                    if (gather->error) {
                      gather->done(*gather->error);
                    } else {
                      gather->done(std::move(gather->set));
                    }
                  });
  }
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
