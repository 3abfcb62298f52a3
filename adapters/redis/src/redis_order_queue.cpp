#include "flashsale/redis/redis_order_queue.hpp"

#include <hiredis/hiredis.h>

#include <cstdio>
#include <utility>

#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/pipeline.hpp"
#include "flashsale/redis/scripts.hpp"

namespace flashsale::redis {
namespace {

using core::Outcome;

core::Error Unavailable(std::string detail) {
  return core::Error{Outcome::kUnavailable, std::move(detail)};
}

std::string Receipt(const std::string& sale, std::string_view entry) {
  return sale + "/" + std::string(entry);  // '/' is not an id character
}

/// Builds an order from a stream entry's field list; false when a field is missing or bad.
bool ParseOrder(const redisReply* fields, core::Order& out) {
  std::string_view o, s, i, u, r, q, p, t;
  for (std::size_t k = 0; k + 1 < Size(fields); k += 2) {
    std::string_view name = Str(At(fields, k));
    std::string_view value = Str(At(fields, k + 1));
    if (name == "o")
      o = value;
    else if (name == "s")
      s = value;
    else if (name == "i")
      i = value;
    else if (name == "u")
      u = value;
    else if (name == "r")
      r = value;
    else if (name == "q")
      q = value;
    else if (name == "p")
      p = value;
    else if (name == "t")
      t = value;
  }
  auto id = core::OrderId::Parse(o);
  auto sale = core::SaleId::Parse(s);
  auto item = core::ItemId::Parse(i);
  auto user = core::UserId::Parse(u);
  auto request = core::RequestId::Parse(r);
  auto quantity = core::Quantity::Parse(std::atoll(std::string(q).c_str()), 1'000'000);
  if (!id || !sale || !item || !user || !request || !quantity || p.empty() || t.empty()) {
    return false;
  }
  out = core::Order{std::move(*id),
                    std::move(*sale),
                    std::move(*item),
                    std::move(*user),
                    std::move(*request),
                    *quantity,
                    std::atoll(std::string(p).c_str()),
                    core::OrderStatus::kPending,
                    core::FromUnixMillis(std::atoll(std::string(t).c_str()))};
  return true;
}

}  // namespace

/// A pooled connection, returned to the pool when the lease ends (dropped if dead).
class RedisOrderQueue::Lease {
 public:
  Lease(RedisOrderQueue& queue, std::unique_ptr<Connection> connection)
      : queue_(queue), connection_(std::move(connection)) {}
  Lease(Lease&&) = default;
  ~Lease() {
    if (connection_ && !connection_->dead()) queue_.Return(std::move(connection_));
  }
  Connection* get() const { return connection_.get(); }
  Connection* operator->() const { return connection_.get(); }

 private:
  RedisOrderQueue& queue_;
  std::unique_ptr<Connection> connection_;
};

RedisOrderQueue::RedisOrderQueue(RedisOptions options) : options_(std::move(options)) {}
RedisOrderQueue::~RedisOrderQueue() = default;

RedisOrderQueue::Lease RedisOrderQueue::Borrow() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(connection));
    }
  }
  auto opened = Connection::Open(options_);
  return Lease(*this, opened ? std::move(*opened) : nullptr);
}

void RedisOrderQueue::Return(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  if (idle_.size() < 8) idle_.push_back(std::move(connection));
}

void RedisOrderQueue::Watch(const core::SaleId& sale) {
  std::lock_guard lock(mu_);
  sales_.insert(sale.str());
}

std::vector<std::string> RedisOrderQueue::Sales(Connection& connection) {
  const auto now = std::chrono::steady_clock::now();
  bool refresh = false;
  {
    std::lock_guard lock(mu_);
    refresh = now - sales_refreshed_ >= std::chrono::seconds(1);
  }
  if (refresh) {
    auto members = connection.Command({"SMEMBERS", std::string(Keys::kSales)});
    if (members && !IsError(members->get())) {
      std::lock_guard lock(mu_);
      for (std::size_t i = 0; i < Size(members->get()); ++i) {
        if (core::SaleId::Parse(Str(At(members->get(), i)))) {
          sales_.emplace(Str(At(members->get(), i)));
        }
      }
      sales_refreshed_ = now;
    }
  }
  std::lock_guard lock(mu_);
  return {sales_.begin(), sales_.end()};
}

core::Result<void> RedisOrderQueue::EnsureGroup(Connection& connection, const std::string& stream) {
  auto created =
      connection.Command({"XGROUP", "CREATE", stream, std::string(Keys::kGroup), "0", "MKSTREAM"});
  if (!created) return created.error();
  if (IsError(created->get()) && !Str(created->get()).starts_with("BUSYGROUP")) {
    return core::Error{Outcome::kInternal, "redis: " + std::string(Str(created->get()))};
  }
  return core::Ok();
}

std::vector<ports::QueuedOrder> RedisOrderQueue::ParseEntries(Connection& connection,
                                                              const std::string& sale,
                                                              const redisReply* entries) {
  std::vector<ports::QueuedOrder> out;
  std::vector<std::string> junk;
  for (std::size_t e = 0; e < Size(entries); ++e) {
    const redisReply* entry = At(entries, e);
    std::string_view entry_id = Str(At(entry, 0));
    const redisReply* fields = At(entry, 1);
    if (IsNil(fields)) continue;  // deleted meanwhile (already acknowledged)
    core::Order order{*core::OrderId::Parse("x"),
                      *core::SaleId::Parse("x"),
                      *core::ItemId::Parse("x"),
                      *core::UserId::Parse("x"),
                      *core::RequestId::Parse("x"),
                      *core::Quantity::Parse(1, 1),
                      0,
                      core::OrderStatus::kPending,
                      {}};
    if (!ParseOrder(fields, order)) {
      junk.emplace_back(entry_id);
      continue;
    }
    out.push_back(ports::QueuedOrder{Receipt(sale, entry_id), std::move(order)});
  }
  if (!junk.empty()) {
    // Not an order reserve.lua wrote: park it in the dead stream for operators, then ack it
    // so it does not block the queue.
    core::SaleId sale_id = *core::SaleId::Parse(sale);
    for (const auto& id : junk) {
      std::fprintf(stderr,
                   "{\"level\":\"error\",\"msg\":\"malformed order stream entry\","
                   "\"sale\":\"%s\",\"entry\":\"%s\"}\n",
                   sale.c_str(), id.c_str());
      (void)connection.Command(
          {"XADD", Keys::Dead(sale_id), "*", "entry", id, "note", "malformed stream entry"});
      (void)connection.Command({"XACK", Keys::Orders(sale_id), std::string(Keys::kGroup), id});
    }
  }
  return out;
}

core::Result<std::vector<ports::QueuedOrder>> RedisOrderQueue::Pull(
    std::string_view consumer, std::size_t max, std::chrono::milliseconds wait) {
  std::unique_ptr<Connection> connection;
  {
    std::lock_guard lock(mu_);
    auto it = consumers_.find(std::string(consumer));
    if (it != consumers_.end()) {
      connection = std::move(it->second);
      consumers_.erase(it);
    }
  }
  if (!connection) {
    auto opened = Connection::Open(options_);
    if (!opened) return opened.error();
    connection = std::move(*opened);
  }
  auto give_back = [&] {
    if (connection->dead()) return;
    std::lock_guard lock(mu_);
    consumers_[std::string(consumer)] = std::move(connection);
  };

  std::vector<std::string> sales = Sales(*connection);
  if (sales.empty()) {
    give_back();
    std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(200)));
    return std::vector<ports::QueuedOrder>{};
  }
  std::vector<std::string> args{"XREADGROUP",          "GROUP", std::string(Keys::kGroup),
                                std::string(consumer), "COUNT", std::to_string(max)};
  if (wait.count() > 0) {
    args.push_back("BLOCK");
    args.push_back(std::to_string(wait.count()));
  }
  args.push_back("STREAMS");
  for (const auto& sale : sales) args.push_back(Keys::Orders(*core::SaleId::Parse(sale)));
  for (std::size_t i = 0; i < sales.size(); ++i) args.push_back(">");

  connection->SetTimeout(wait + options_.command_timeout);
  auto reply = connection->Command(args);
  connection->SetTimeout(options_.command_timeout);
  if (!reply) return reply.error();
  if (IsError(reply->get())) {
    std::string text(Str(reply->get()));
    if (text.starts_with("NOGROUP")) {
      // A stream without its group (created before the sale was loaded): create and retry.
      for (const auto& sale : sales) {
        if (auto ok = EnsureGroup(*connection, Keys::Orders(*core::SaleId::Parse(sale))); !ok) {
          give_back();
          return ok.error();
        }
      }
      give_back();
      return std::vector<ports::QueuedOrder>{};
    }
    give_back();
    auto checked = CheckReply(std::move(*reply));
    return checked.error();
  }
  std::vector<ports::QueuedOrder> out;
  const redisReply* streams = reply->get();  // nil on timeout
  for (std::size_t s = 0; s < Size(streams); ++s) {
    const redisReply* stream = At(streams, s);
    std::string_view key = Str(At(stream, 0));
    std::string sale(Keys::HashTag(key));
    for (auto& order : ParseEntries(*connection, sale, At(stream, 1)))
      out.push_back(std::move(order));
  }
  give_back();
  return out;
}

core::Result<void> RedisOrderQueue::Ack(const std::vector<std::string>& receipts) {
  if (receipts.empty()) return core::Ok();
  std::map<std::string, std::vector<std::string>> by_sale;
  for (const auto& receipt : receipts) {
    auto slash = receipt.find('/');
    if (slash == std::string::npos) continue;  // not ours: ignoring it is the idempotent answer
    by_sale[receipt.substr(0, slash)].push_back(receipt.substr(slash + 1));
  }
  Lease lease = Borrow();
  if (!lease.get()) return Unavailable("redis is unreachable");
  for (auto& [sale, ids] : by_sale) {
    auto sale_id = core::SaleId::Parse(sale);
    if (!sale_id) continue;
    std::vector<std::string> args{"EVAL", std::string(scripts::kAck.source), "1",
                                  Keys::Orders(*sale_id), std::string(Keys::kGroup)};
    args.insert(args.end(), ids.begin(), ids.end());
    auto reply = CheckReply(lease->Command(args));
    if (!reply) return reply.error();
  }
  return core::Ok();
}

core::Result<std::vector<ports::QueuedOrder>> RedisOrderQueue::ReclaimStale(
    std::string_view consumer, std::chrono::milliseconds idle, std::size_t max) {
  Lease lease = Borrow();
  if (!lease.get()) return Unavailable("redis is unreachable");
  std::vector<ports::QueuedOrder> out;
  for (const auto& sale : Sales(*lease.get())) {
    if (out.size() >= max) break;
    std::string stream = Keys::Orders(*core::SaleId::Parse(sale));
    auto reply = lease->Command({"XAUTOCLAIM", stream, std::string(Keys::kGroup),
                                 std::string(consumer), std::to_string(idle.count()), "0-0",
                                 "COUNT", std::to_string(max - out.size())});
    if (!reply) return reply.error();
    if (IsError(reply->get())) {
      if (Str(reply->get()).starts_with("NOGROUP")) continue;
      return CheckReply(std::move(*reply)).error();
    }
    // Redis 7.0: [next-start-id, [entries...], [deleted ids...]].
    for (auto& order : ParseEntries(*lease.get(), sale, At(reply->get(), 1))) {
      out.push_back(std::move(order));
    }
  }
  return out;
}

core::Result<std::size_t> RedisOrderQueue::Depth() {
  Lease lease = Borrow();
  if (!lease.get()) return Unavailable("redis is unreachable");
  std::size_t depth = 0;
  for (const auto& sale : Sales(*lease.get())) {
    auto reply = CheckReply(lease->Command({"XLEN", Keys::Orders(*core::SaleId::Parse(sale))}));
    if (!reply) return reply.error();
    depth += static_cast<std::size_t>(Int(reply->get()));
  }
  return depth;
}

}  // namespace flashsale::redis
