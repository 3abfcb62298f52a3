#include "flashsale/redis/router.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <set>
#include <utility>

#include "flashsale/domain/text.hpp"

namespace flashsale::redis {
namespace {

using Clock = std::chrono::steady_clock;

/// How long a TRYAGAIN waits before the command is sent again (a slot migration moves keys
/// in batches; the next batches complete the call's keys), and for how long in all.
constexpr std::chrono::milliseconds kTryAgainPause{20};
constexpr std::chrono::milliseconds kTryAgainBudget{2000};
/// The map is re-read at most this often on request, and at least every kRefreshPeriod.
constexpr std::chrono::milliseconds kRefreshSpacing{100};
constexpr std::chrono::milliseconds kRefreshPeriod{1000};

domain::Error Unavailable(std::string detail) {
  return domain::Error{domain::Outcome::kUnavailable, std::move(detail)};
}

std::vector<std::string> FcallArgs(std::string_view function, const std::vector<std::string>& keys,
                                   const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(3 + keys.size() + args.size());
  out.emplace_back("FCALL");
  out.emplace_back(function);
  out.push_back(std::to_string(keys.size()));
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

/// "host:port" (host may be empty: the node that answered); nullopt when malformed.
std::optional<RedisNode> ParseAddress(std::string_view text, const RedisNode& answered) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto port = domain::ParseNumber<int>(text.substr(colon + 1));
  if (!port || *port < 1 || *port > 65535) return std::nullopt;
  RedisNode node{std::string(text.substr(0, colon)), *port};
  if (node.host.empty()) node.host = answered.host;
  return node;
}

/// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381" -> slot and node.
bool ParseRedirect(std::string_view text, int& slot, RedisNode& target, const RedisNode& from) {
  const auto first = text.find(' ');
  const auto second = text.find(' ', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return false;
  auto parsed_slot = domain::ParseNumber<int>(text.substr(first + 1, second - first - 1));
  auto node = ParseAddress(text.substr(second + 1), from);
  if (!parsed_slot || *parsed_slot < 0 || *parsed_slot >= Keys::kSlots || !node) return false;
  slot = *parsed_slot;
  target = std::move(*node);
  return true;
}

}  // namespace

Router::Router(RedisOptions options, std::string_view library)
    : options_(std::move(options)), library_(library) {
  slots_ = std::make_unique<std::array<std::atomic<Node*>, Keys::kSlots>>();
  for (auto& slot : *slots_) slot.store(nullptr, std::memory_order_relaxed);
  bool disabled = false;
  bool clustered = false;
  const bool mapped = Refresh(&disabled, &clustered);
  // A server with cluster support disabled, or a single seed that can't be reached yet: a
  // standalone Redis, as before cluster support (its pipelines keep reconnecting).
  cluster_ = mapped || clustered || (!disabled && !options_.more_seeds.empty());
  if (!cluster_) {
    const int count = std::max(1, options_.pipelines);
    for (int i = 0; i < count; ++i) {
      pipelines_.push_back(std::make_unique<Pipeline>(options_, library_));
    }
    return;
  }
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

Router::~Router() { Stop(); }

void Router::Stop() {
  std::vector<Redirect> rest;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    rest.swap(redirects_);
  }
  thread_.request_stop();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(mu_);
    rest.insert(rest.end(), std::make_move_iterator(redirects_.begin()),
                std::make_move_iterator(redirects_.end()));
    redirects_.clear();
  }
  for (auto& redirect : rest) redirect.attempt->done(Unavailable("redis client shutting down"));
  for (auto& pipeline : pipelines_) pipeline->Stop();
  std::vector<Pipeline*> masters;
  {
    std::lock_guard lock(nodes_mu_);
    for (auto& node : nodes_) masters.push_back(node->pipeline.get());
  }
  for (Pipeline* pipeline : masters) pipeline->Stop();
}

Pipeline& Router::NextStandalone() {
  return *pipelines_[next_.fetch_add(1, std::memory_order_relaxed) % pipelines_.size()];
}

void Router::Submit(std::string_view key, const std::vector<std::string>& args, Callback done,
                    bool replicated) {
  if (!cluster_) {
    NextStandalone().Send(FormatCommand(args), std::move(done), false, replicated);
    return;
  }
  auto attempt = std::make_shared<Attempt>();
  attempt->command = FormatCommand(args);
  attempt->slot = Keys::Slot(key);
  attempt->done = std::move(done);
  attempt->replicated = replicated;
  Dispatch(std::move(attempt));
}

void Router::Fcall(std::string_view function, const std::vector<std::string>& keys,
                   const std::vector<std::string>& args, Callback done, bool replicated) {
  Submit(keys.empty() ? std::string_view{} : std::string_view(keys.front()),
         FcallArgs(function, keys, args), std::move(done), replicated);
}

std::future<domain::Result<Reply>> Router::Async(std::string_view key,
                                                 const std::vector<std::string>& args) {
  auto promise = std::make_shared<std::promise<domain::Result<Reply>>>();
  auto future = promise->get_future();
  Submit(key, args,
         [promise](domain::Result<Reply> reply) { promise->set_value(std::move(reply)); });
  return future;
}

std::future<domain::Result<Reply>> Router::AsyncFcall(std::string_view function,
                                                      const std::vector<std::string>& keys,
                                                      const std::vector<std::string>& args) {
  return Async(keys.empty() ? std::string_view{} : std::string_view(keys.front()),
               FcallArgs(function, keys, args));
}

domain::Result<Reply> Router::Await(std::future<domain::Result<Reply>>& reply) const {
  // Each hop may take a read timeout plus a reconnect attempt.
  if (reply.wait_for(options_.command_timeout * 10 * kMaxHops + std::chrono::seconds(1)) !=
      std::future_status::ready) {
    return Unavailable("redis: no reply in time");
  }
  return reply.get();
}

domain::Result<Reply> Router::Call(std::string_view key, const std::vector<std::string>& args) {
  auto reply = Async(key, args);
  return Await(reply);
}

domain::Result<Reply> Router::CallFcall(std::string_view function,
                                        const std::vector<std::string>& keys,
                                        const std::vector<std::string>& args) {
  auto reply = AsyncFcall(function, keys, args);
  return Await(reply);
}

void Router::Dispatch(std::shared_ptr<Attempt> attempt) {
  Node* node = attempt->ask != nullptr ? attempt->ask : (*slots_)[attempt->slot].load();
  const bool asking = attempt->ask != nullptr;
  attempt->ask = nullptr;
  attempt->sent_to = node;
  attempt->sent_asking = asking;
  if (node == nullptr) {
    RequestRefresh();
    attempt->done(
        Unavailable("redis cluster: no master serves slot " + std::to_string(attempt->slot)));
    return;
  }
  std::string command = attempt->command;  // kept for a redirection
  node->pipeline->Send(
      std::move(command),
      [this, attempt](domain::Result<Reply> reply) { OnReply(attempt, std::move(reply)); }, asking,
      attempt->replicated);
}

void Router::OnReply(const std::shared_ptr<Attempt>& attempt, domain::Result<Reply> reply) {
  if (!reply) {  // unreachable or lost: the slot may have a new master by now
    RequestRefresh();
    attempt->done(std::move(reply));
    return;
  }
  if (IsError(reply->get())) {
    const std::string_view text = Str(reply->get());
    const bool moved = text.starts_with("MOVED ");
    const bool ask = text.starts_with("ASK ");
    const bool try_again = text.starts_with("TRYAGAIN");
    if (try_again && attempt->try_again_since == Clock::time_point{}) {
      attempt->try_again_since = Clock::now();
    }
    const bool follow = try_again ? Clock::now() - attempt->try_again_since < kTryAgainBudget
                                  : (moved || ask) && attempt->hops < kMaxHops;
    if (follow) {
      Redirect redirect{attempt, moved ? Hop::kMoved : (ask ? Hop::kAsk : Hop::kTryAgain),
                        attempt->slot, RedisNode{}, Clock::now()};
      bool parsed = true;
      if (try_again) {
        // Again to the node that said it, the same way: after an ASK that is the importing
        // node (with ASKING), not the slot's owner, which would only ASK again.
        redirect.due += kTryAgainPause;
        if (attempt->sent_asking) redirect.hop = Hop::kAsk;
        if (attempt->sent_to != nullptr) redirect.target = attempt->sent_to->address;
      } else {
        parsed =
            ParseRedirect(text, redirect.slot, redirect.target,
                          attempt->sent_to != nullptr ? attempt->sent_to->address
                                                      : RedisNode{options_.host, options_.port});
      }
      if (parsed) {
        if (!try_again) ++attempt->hops;
        if (Defer(std::move(redirect))) return;
        attempt->done(Unavailable("redis client shutting down"));
        return;
      }
    }
    if (moved || ask || try_again) {
      // Still redirected past the bounds (a slot in motion): a retry later will do.
      RequestRefresh();
      attempt->done(Unavailable("redis cluster: slot " + std::to_string(attempt->slot) +
                                " still moving: " + std::string(text)));
      return;
    }
    if (text.starts_with("CLUSTERDOWN") || text.starts_with("READONLY") ||
        text.starts_with("MASTERDOWN")) {
      RequestRefresh();
    }
  }
  attempt->done(std::move(reply));
}

bool Router::Defer(Redirect redirect) {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return false;
    redirects_.push_back(std::move(redirect));
    woken_ = true;
  }
  cv_.notify_all();
  return true;
}

void Router::RequestRefresh() {
  {
    std::lock_guard lock(mu_);
    if (refresh_requested_) return;  // already on its way: no wake-up per failed call
    refresh_requested_ = true;
    woken_ = true;
  }
  cv_.notify_all();
}

void Router::Run(std::stop_token stop) {
  auto refreshed = Clock::now();
  while (!stop.stop_requested()) {
    std::vector<Redirect> due;
    bool refresh = false;
    {
      std::unique_lock lock(mu_);
      // Sleep until the first thing due: a redirection's time, the next refresh allowed (at
      // once when asked for, spaced) or the periodic one; a Defer or a request wakes it to
      // recompute.
      auto wake = refreshed + (refresh_requested_ ? kRefreshSpacing : kRefreshPeriod);
      for (const auto& redirect : redirects_) wake = std::min(wake, redirect.due);
      if (wake > Clock::now()) {
        cv_.wait_until(lock, stop, wake, [this] { return woken_; });
      }
      woken_ = false;
      if (stop.stop_requested()) break;
      const auto now = Clock::now();
      refresh = (refresh_requested_ && now - refreshed >= kRefreshSpacing) ||
                now - refreshed >= kRefreshPeriod;
      if (refresh) refresh_requested_ = false;
      auto split = std::partition(redirects_.begin(), redirects_.end(),
                                  [&](const Redirect& r) { return r.due > now; });
      due.assign(std::make_move_iterator(split), std::make_move_iterator(redirects_.end()));
      redirects_.erase(split, redirects_.end());
    }
    if (refresh) {
      Refresh();
      refreshed = Clock::now();
    }
    bool moved = false;
    for (auto& redirect : due) {
      moved = moved || redirect.hop == Hop::kMoved;
      if (redirect.hop != Hop::kTryAgain) {
        Node* node = NodeFor(redirect.target);
        if (redirect.hop == Hop::kMoved) {
          // The map learns the move at once; a full refresh follows (other slots may have
          // moved with it).
          (*slots_)[redirect.slot].store(node);
        } else {
          redirect.attempt->ask = node;
        }
      }
      Dispatch(std::move(redirect.attempt));
    }
    if (moved && !refresh) {
      // Other slots may have moved with this one (a failover moves a whole range): one
      // refresh rather than one redirection per command.
      std::lock_guard lock(mu_);
      refresh_requested_ = true;
    }
  }
}

Router::Node* Router::NodeFor(const RedisNode& address) {
  {
    std::lock_guard lock(nodes_mu_);
    for (auto& node : nodes_) {
      if (node->address == address) return node.get();
    }
  }
  // Connecting may take up to a timeout: outside the lock (only this thread adds nodes, and
  // the constructor before it starts).
  auto node = std::make_unique<Node>();
  node->address = address;
  node->pipeline = std::make_unique<Pipeline>(AtNode(options_, address), library_);
  std::lock_guard lock(nodes_mu_);
  nodes_.push_back(std::move(node));
  return nodes_.back().get();
}

bool Router::Refresh(bool* disabled, bool* clustered) {
  // The node that answered last time first, then the masters, then the seeds: a dead master
  // (the usual reason for a refresh) is tried last.
  std::vector<RedisNode> candidates;
  auto add = [&](const RedisNode& node) {
    if (std::find(candidates.begin(), candidates.end(), node) == candidates.end()) {
      candidates.push_back(node);
    }
  };
  if (!last_answered_.host.empty()) add(last_answered_);
  for (const auto& node : Masters()) add(node);
  for (const auto& node : Seeds(options_)) add(node);
  for (const auto& candidate : candidates) {
    auto connection = Connection::Open(AtNode(options_, candidate));
    if (!connection) continue;
    auto reply = (*connection)->Command({"CLUSTER", "SLOTS"});
    if (!reply) continue;
    const redisReply* ranges = reply->get();
    if (IsError(ranges)) {
      if (Str(ranges).find("cluster support disabled") != std::string_view::npos) {
        if (disabled != nullptr) *disabled = true;
        return false;
      }
      continue;  // e.g. LOADING: ask another node
    }
    if (clustered != nullptr && ranges != nullptr && ranges->type == REDIS_REPLY_ARRAY) {
      *clustered = true;  // a cluster node, even one whose cluster is still forming
    }
    if (Size(ranges) == 0) continue;  // a node not (yet) part of a cluster
    std::vector<Node*> map(Keys::kSlots, nullptr);
    for (std::size_t r = 0; r < Size(ranges); ++r) {
      const redisReply* range = At(ranges, r);
      const long long first = Int(At(range, 0));
      const long long last = Int(At(range, 1));
      const redisReply* master = At(range, 2);
      auto port = Int(At(master, 1));
      if (first < 0 || last >= Keys::kSlots || first > last || port < 1 || port > 65535) continue;
      RedisNode address{std::string(Str(At(master, 0))), static_cast<int>(port)};
      if (address.host == "?") continue;  // endpoint unknown: no master to use for now
      if (address.host.empty()) address.host = candidate.host;
      Node* node = NodeFor(address);
      for (long long s = first; s <= last; ++s) map[static_cast<std::size_t>(s)] = node;
    }
    for (int s = 0; s < Keys::kSlots; ++s) (*slots_)[s].store(map[s]);
    last_answered_ = candidate;
    return true;
  }
  return false;
}

bool Router::Healthy() const {
  if (!cluster_) {
    return std::all_of(pipelines_.begin(), pipelines_.end(),
                       [](const auto& pipeline) { return pipeline->connected(); });
  }
  const Node* last = nullptr;
  for (const auto& slot : *slots_) {
    const Node* node = slot.load(std::memory_order_relaxed);
    if (node == nullptr) return false;
    if (node != last && !node->pipeline->connected()) return false;
    last = node;
  }
  return true;
}

std::vector<RedisNode> Router::Masters() const {
  if (!cluster_ && !pipelines_.empty()) return {RedisNode{options_.host, options_.port}};
  std::set<const Node*> seen;
  std::vector<RedisNode> out;
  for (const auto& slot : *slots_) {
    const Node* node = slot.load(std::memory_order_relaxed);
    if (node != nullptr && seen.insert(node).second) out.push_back(node->address);
  }
  return out;
}

}  // namespace flashsale::redis
