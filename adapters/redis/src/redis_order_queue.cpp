#include "flashsale/redis/redis_order_queue.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <future>
#include <optional>
#include <utility>

#include "flashsale/redis/functions.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/pipeline.hpp"
#include "stream_entry.hpp"

namespace flashsale::redis {
namespace {

using domain::Outcome;

domain::Error Unavailable(std::string detail) {
  return domain::Error{Outcome::kUnavailable, std::move(detail)};
}

std::string Receipt(const std::string& sale, std::string_view entry) {
  return sale + "/" + std::string(entry);  // '/' is not an id character
}

/// A stream entry's field list as views (valid while `fields` lives).
std::vector<std::string_view> FieldsOf(const redisReply* fields) {
  std::vector<std::string_view> out;
  out.reserve(Size(fields));
  for (std::size_t k = 0; k < Size(fields); ++k) out.push_back(Str(At(fields, k)));
  return out;
}

}  // namespace

RedisOrderQueue::RedisOrderQueue(RedisOptions options, ports::Logger& log)
    : options_([&] {
        options.pipelines = 1;
        return std::move(options);
      }()),
      log_(log),
      router_(options_, functions::kLibrary) {}
RedisOrderQueue::~RedisOrderQueue() { router_.Stop(); }

void RedisOrderQueue::Watch(const domain::SaleId& sale) {
  std::lock_guard lock(mu_);
  sales_.insert(sale.str());
  sales_refreshed_ = {};  // the next read lists fs:sales again (a split sale's sub-stocks)
}

std::vector<std::string> RedisOrderQueue::Sales() {
  const auto now = std::chrono::steady_clock::now();
  bool refresh = false;
  {
    std::lock_guard lock(mu_);
    refresh = now - sales_refreshed_ >= std::chrono::seconds(1);
  }
  if (refresh) {
    auto members = router_.Call(Keys::kSales, {"SMEMBERS", std::string(Keys::kSales)});
    if (members && !IsError(members->get())) {
      // Replace, not merge: a retired sale leaves the set, and reading its stream again
      // would recreate it (NOGROUP -> MKSTREAM).
      std::set<std::string> live;
      for (std::size_t i = 0; i < Size(members->get()); ++i) {
        if (Keys::ParseTag(Str(At(members->get(), i)))) {  // a sale or a sub-stock of one
          live.emplace(Str(At(members->get(), i)));
        }
      }
      std::lock_guard lock(mu_);
      sales_ = std::move(live);
      sales_refreshed_ = now;
    }
  }
  std::lock_guard lock(mu_);
  return {sales_.begin(), sales_.end()};
}

domain::Result<void> RedisOrderQueue::EnsureGroup(const std::string& stream) {
  auto created = router_.Call(
      stream, {"XGROUP", "CREATE", stream, std::string(Keys::kGroup), "0", "MKSTREAM"});
  if (!created) return created.error();
  if (IsError(created->get()) && !Str(created->get()).starts_with("BUSYGROUP")) {
    return domain::Error{Outcome::kInternal, "redis: " + std::string(Str(created->get()))};
  }
  return domain::Ok();
}

std::vector<ports::QueuedEntry> RedisOrderQueue::ParseEntries(const std::string& sale,
                                                              const redisReply* entries) {
  std::vector<ports::QueuedEntry> out;
  std::vector<std::string> junk;
  for (std::size_t e = 0; e < Size(entries); ++e) {
    const redisReply* entry = At(entries, e);
    std::string_view entry_id = Str(At(entry, 0));
    const redisReply* fields = At(entry, 1);
    if (IsNil(fields)) continue;  // deleted meanwhile (already acknowledged)
    ports::QueuedEntry queued{Receipt(sale, entry_id), std::nullopt, std::nullopt};
    const auto views = FieldsOf(fields);
    if (EntryField(views, "k") == "attempt") {
      queued.attempt = ParseAttemptEntry(views);
    } else {
      queued.order = ParseOrderEntry(views);
      if (queued.order) queued.order->position = ParseStreamId(entry_id);
    }
    if (!queued.order && !queued.attempt) {
      junk.emplace_back(entry_id);
      continue;
    }
    out.push_back(std::move(queued));
  }
  if (!junk.empty()) {
    // Not an entry the functions wrote: park it in the dead stream for operators, then ack it
    // so it does not block the queue.
    for (const auto& id : junk) {
      log_.Error("malformed order stream entry; moved to the dead stream",
                 {{"sale", sale}, {"entry", id}});
      (void)router_.Call(
          Keys::OfTag(sale, "dead"),
          {"XADD", Keys::OfTag(sale, "dead"), "*", "entry", id, "note", "malformed stream entry"});
      // Acknowledged and deleted (fs_ack), like any entry: the stream must empty out for the
      // sale to retire.
      (void)router_.CallFcall(functions::kAck, {Keys::OfTag(sale, "orders")},
                              {std::string(Keys::kGroup), id});
    }
  }
  return out;
}

std::unique_ptr<Connection> RedisOrderQueue::TakeConsumer(std::string_view consumer) {
  {
    std::lock_guard lock(mu_);
    auto it = consumers_.find(std::string(consumer));
    if (it != consumers_.end()) {
      auto connection = std::move(it->second);
      consumers_.erase(it);
      return connection;
    }
  }
  auto opened = Connection::Open(options_);
  return opened ? std::move(*opened) : nullptr;
}

void RedisOrderQueue::GiveBack(std::string_view consumer, std::unique_ptr<Connection> connection) {
  if (!connection || connection->dead()) return;
  std::lock_guard lock(mu_);
  consumers_[std::string(consumer)] = std::move(connection);
}

domain::Result<std::vector<ports::QueuedEntry>> RedisOrderQueue::Pull(
    std::string_view consumer, std::size_t max, std::chrono::milliseconds wait) {
  if (router_.cluster()) return ReadEachSale(consumer, max, wait);
  std::unique_ptr<Connection> connection = TakeConsumer(consumer);
  if (!connection) return Unavailable("redis is unreachable");
  auto pulled = ReadGroup(*connection, consumer, max, wait);
  GiveBack(consumer, std::move(connection));
  return pulled;
}

domain::Result<void> RedisOrderQueue::SettleGroups(const std::vector<std::string>& sales) {
  for (const auto& sale : sales) {
    const std::string meta_key = Keys::OfTag(sale, "meta");
    // Gone (no meta) or retired (its keys expiring, maybe the stream first): forget it. Making
    // the group with MKSTREAM then would leave a stream behind with no expiry.
    auto meta = router_.Call(meta_key, {"HMGET", meta_key, "items", "retired_at"});
    if (!meta) return meta.error();
    if (IsError(meta->get())) return CheckReply(std::move(*meta)).error();
    if (IsNil(At(meta->get(), 0)) || !IsNil(At(meta->get(), 1))) {
      std::lock_guard lock(mu_);
      sales_.erase(sale);
      continue;
    }
    if (auto created = EnsureGroup(Keys::OfTag(sale, "orders")); !created) return created;
  }
  return domain::Ok();
}

domain::Result<std::vector<ports::QueuedEntry>> RedisOrderQueue::ReadGroup(
    Connection& connection, std::string_view consumer, std::size_t max,
    std::chrono::milliseconds wait) {
  std::vector<std::string> sales = Sales();
  if (sales.empty()) {
    std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(200)));
    return std::vector<ports::QueuedEntry>{};
  }
  max = std::max<std::size_t>(max, 1);
  {
    // Several streams (sales, or the sub-stocks of a split one): each Pull starts at the next.
    std::lock_guard lock(mu_);
    std::rotate(sales.begin(),
                sales.begin() + static_cast<std::ptrdiff_t>(next_sale_++ % sales.size()),
                sales.end());
  }
  std::vector<ports::QueuedEntry> out;
  // XREADGROUP's COUNT is per stream: with several, the streams are read one at a time for
  // what is still wanted, so that a Pull never delivers more than `max`.
  auto read = [&](std::size_t first, std::size_t streams, std::size_t count,
                  std::chrono::milliseconds block) -> domain::Result<void> {
    std::vector<std::string> args{"XREADGROUP",          "GROUP", std::string(Keys::kGroup),
                                  std::string(consumer), "COUNT", std::to_string(count)};
    if (block.count() > 0) {
      args.push_back("BLOCK");
      args.push_back(std::to_string(block.count()));
    }
    args.push_back("STREAMS");
    for (std::size_t i = first; i < first + streams; ++i) {
      args.push_back(Keys::OfTag(sales[i], "orders"));
    }
    for (std::size_t i = 0; i < streams; ++i) args.push_back(">");
    connection.SetTimeout(block + options_.command_timeout);
    auto reply = connection.Command(args);
    connection.SetTimeout(options_.command_timeout);
    if (!reply) return reply.error();
    if (IsError(reply->get())) {
      if (!Str(reply->get()).starts_with("NOGROUP")) return CheckReply(std::move(*reply)).error();
      // A stream without its group: a retired sale whose keys expired (forget it; recreating
      // its stream would resurrect it), or a stream created before its sale was loaded
      // (create the group). The next Pull reads.
      std::vector<std::string> named(sales.begin() + static_cast<std::ptrdiff_t>(first),
                                     sales.begin() + static_cast<std::ptrdiff_t>(first + streams));
      return SettleGroups(named);
    }
    const redisReply* found = reply->get();  // nil on timeout
    for (std::size_t s = 0; s < Size(found); ++s) {
      const redisReply* stream = At(found, s);
      const std::string sale(Keys::HashTag(Str(At(stream, 0))));
      for (auto& order : ParseEntries(sale, At(stream, 1))) out.push_back(std::move(order));
    }
    return domain::Ok();
  };
  if (sales.size() == 1) {
    if (auto done = read(0, 1, max, wait); !done) return done.error();
    return out;
  }
  for (std::size_t i = 0; i < sales.size() && out.size() < max; ++i) {
    if (auto done = read(i, 1, max - out.size(), std::chrono::milliseconds(0)); !done) {
      if (out.empty()) return done.error();
      return out;  // what was read is delivered to this consumer: it is handed over
    }
  }
  if (!out.empty() || wait.count() <= 0) return out;
  // Nothing anywhere: block on all of them (at most `max` streams, `max` entries in all).
  const std::size_t streams = std::min(sales.size(), max);
  if (auto done = read(0, streams, max / streams, wait); !done) return done.error();
  return out;
}

domain::Result<std::vector<ports::QueuedEntry>> RedisOrderQueue::ReadEachSale(
    std::string_view consumer, std::size_t max, std::chrono::milliseconds wait) {
  // A Redis Cluster has no blocking read across slots: poll, with a pause when nothing came.
  constexpr std::chrono::milliseconds kIdlePause{20};
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    auto polled = PollEachSale(consumer, max);
    if (!polled || !polled->empty()) return polled;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return polled;
    std::this_thread::sleep_for(std::min(left, kIdlePause));
  }
}

domain::Result<std::vector<ports::QueuedEntry>> RedisOrderQueue::PollEachSale(
    std::string_view consumer, std::size_t max) {
  const std::vector<std::string> all = Sales();
  max = std::max<std::size_t>(max, 1);
  std::vector<std::string> sales;
  {
    std::lock_guard lock(mu_);
    const std::size_t take = std::min(all.size(), max);
    for (std::size_t i = 0; i < take; ++i) sales.push_back(all[(next_sale_ + i) % all.size()]);
    next_sale_ += take;
  }
  if (sales.empty()) return std::vector<ports::QueuedEntry>{};
  const std::string count = std::to_string(max / sales.size());  // at most `max` in all
  std::vector<std::future<domain::Result<Reply>>> replies;
  for (const auto& sale : sales) {
    const std::string stream = Keys::OfTag(sale, "orders");
    replies.push_back(
        router_.Async(stream, {"XREADGROUP", "GROUP", std::string(Keys::kGroup),
                               std::string(consumer), "COUNT", count, "STREAMS", stream, ">"}));
  }
  std::vector<ports::QueuedEntry> out;
  std::optional<domain::Error> error;
  bool settle = false;
  for (std::size_t i = 0; i < sales.size(); ++i) {
    auto reply = router_.Await(replies[i]);
    if (reply && IsError(reply->get()) && Str(reply->get()).starts_with("NOGROUP")) {
      settle = true;
      continue;
    }
    auto checked = CheckReply(std::move(reply));
    if (!checked) {
      error = checked.error();
      continue;
    }
    const redisReply* streams = checked->get();  // nil when the stream had nothing new
    for (std::size_t s = 0; s < Size(streams); ++s) {
      for (auto& entry : ParseEntries(sales[i], At(At(streams, s), 1))) {
        out.push_back(std::move(entry));
      }
    }
  }
  // What was read is delivered to this consumer: it goes back even when another sale's read
  // failed (it would otherwise wait for ReclaimStale).
  if (settle) {
    if (auto settled = SettleGroups(sales); !settled && out.empty()) return settled.error();
  }
  if (out.empty() && error) return *error;
  return out;
}

domain::Result<void> RedisOrderQueue::Ack(const std::vector<std::string>& receipts) {
  if (receipts.empty()) return domain::Ok();
  std::map<std::string, std::vector<std::string>> by_sale;
  for (const auto& receipt : receipts) {
    auto slash = receipt.find('/');
    if (slash == std::string::npos) continue;  // not ours: ignoring it is the idempotent answer
    by_sale[receipt.substr(0, slash)].push_back(receipt.substr(slash + 1));
  }
  // One FCALL per sale, all in flight at once (pipelined per node), then every reply.
  std::vector<std::future<domain::Result<Reply>>> replies;
  for (auto& [sale, ids] : by_sale) {
    if (!Keys::ParseTag(sale)) continue;
    std::vector<std::string> args{std::string(Keys::kGroup)};
    args.insert(args.end(), ids.begin(), ids.end());
    replies.push_back(router_.AsyncFcall(functions::kAck, {Keys::OfTag(sale, "orders")}, args));
  }
  domain::Result<void> result = domain::Ok();
  for (auto& reply : replies) {
    auto checked = CheckReply(router_.Await(reply));
    if (!checked && result) result = checked.error();
  }
  return result;
}

domain::Result<std::vector<ports::QueuedEntry>> RedisOrderQueue::ReclaimStale(
    std::string_view consumer, std::chrono::milliseconds idle, std::size_t max) {
  std::vector<ports::QueuedEntry> out;
  for (const auto& sale : Sales()) {
    if (out.size() >= max) break;
    std::string stream = Keys::OfTag(sale, "orders");
    auto reply = router_.Call(
        stream, {"XAUTOCLAIM", stream, std::string(Keys::kGroup), std::string(consumer),
                 std::to_string(idle.count()), "0-0", "COUNT", std::to_string(max - out.size())});
    if (!reply) return reply.error();
    if (IsError(reply->get())) {
      if (Str(reply->get()).starts_with("NOGROUP")) continue;
      return CheckReply(std::move(*reply)).error();
    }
    // Redis 7.0: [next-start-id, [entries...], [deleted ids...]].
    for (auto& order : ParseEntries(sale, At(reply->get(), 1))) {
      out.push_back(std::move(order));
    }
  }
  return out;
}

domain::Result<std::size_t> RedisOrderQueue::Depth() {
  std::size_t depth = 0;
  for (const auto& sale : Sales()) {
    const std::string stream = Keys::OfTag(sale, "orders");
    auto reply = CheckReply(router_.Call(stream, {"XLEN", stream}));
    if (!reply) return reply.error();
    depth += static_cast<std::size_t>(Int(reply->get()));
  }
  return depth;
}

}  // namespace flashsale::redis
