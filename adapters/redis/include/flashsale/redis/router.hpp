#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/pipeline.hpp"
#include "flashsale/redis/redis_options.hpp"

namespace flashsale::redis {

/// Sends each command to the Redis that owns its key.
///
/// - Standalone Redis: its auto-pipelining connections in turn (RedisOptions::pipelines).
/// - Redis Cluster (detected from the server with CLUSTER SLOTS; required when the options
///   list several seeds): one auto-pipelining connection per master and the slot map from
///   CLUSTER SLOTS. Redis Cluster's own redirections are followed: MOVED -> the slot's new
///   master is learnt and the command goes there; ASK -> ASKING + the command on the named
///   node; at most kMaxHops of these per command. TRYAGAIN (a multi-key call while its slot
///   migrates) -> sent again every 20 ms for up to 2 s, to the node that said it (with
///   ASKING after an ASK). Past these bounds the call is answered Unavailable.
///   A lost connection, CLUSTERDOWN, READONLY or a slot with no master answers Unavailable
///   at once and refreshes the map in the background (which also happens every second), so
///   calls resume by themselves once a replica has taken over.
///
/// The functions library is loaded on every master it connects to. Callbacks run on an I/O
/// thread or the router's thread and must not block. Thread-safe.
class Router {
 public:
  using Callback = Pipeline::Callback;
  static constexpr int kMaxHops = 5;

  /// `library` as for Pipeline; must outlive the router.
  Router(RedisOptions options, std::string_view library);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  /// Queues a command for the node that owns `key` (every key of the command shares its slot).
  void Submit(std::string_view key, const std::vector<std::string>& args, Callback done,
              bool replicated = false);
  /// FCALL of `function`, routed by keys[0] (a function's keys share one slot). `replicated`:
  /// see Pipeline::Send (a purchase or a redemption).
  void Fcall(std::string_view function, const std::vector<std::string>& keys,
             const std::vector<std::string>& args, Callback done, bool replicated = false);
  /// Submit / Fcall with the reply as a future: several calls in flight at once, each
  /// collected with Await.
  std::future<domain::Result<Reply>> Async(std::string_view key,
                                           const std::vector<std::string>& args);
  std::future<domain::Result<Reply>> AsyncFcall(std::string_view function,
                                                const std::vector<std::string>& keys,
                                                const std::vector<std::string>& args);
  /// The reply of an Async call. Every call is answered within the router's own bounds; the
  /// limit here (Unavailable past it) only guards against a bug hanging the caller.
  domain::Result<Reply> Await(std::future<domain::Result<Reply>>& reply) const;
  /// Async / AsyncFcall and Await (for non-hot-path calls).
  domain::Result<Reply> Call(std::string_view key, const std::vector<std::string>& args);
  domain::Result<Reply> CallFcall(std::string_view function, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

  bool cluster() const noexcept { return cluster_; }
  /// Standalone: every connection is up. Cluster: every slot has a master, connected.
  bool Healthy() const;
  /// The masters as last mapped (the one server when standalone).
  std::vector<RedisNode> Masters() const;
  /// Stops the I/O threads; queued calls are answered Unavailable before this returns, later
  /// ones at once. Idempotent.
  void Stop();

 private:
  struct Node {
    RedisNode address;
    std::unique_ptr<Pipeline> pipeline;
  };
  /// One command on its way through redirections.
  struct Attempt {
    std::string command;  // formatted
    int slot = 0;
    int hops = 0;                                             // MOVED and ASK followed
    std::chrono::steady_clock::time_point try_again_since{};  // first TRYAGAIN
    Node* ask = nullptr;       // the next send goes there with ASKING (an ASK redirection)
    Node* sent_to = nullptr;   // where the last send went
    bool sent_asking = false;  // and whether with ASKING
    bool replicated = false;
    Callback done;
  };
  enum class Hop { kMoved, kAsk, kTryAgain };
  /// A redirection waiting for the router's thread (it may have to connect to a new node).
  struct Redirect {
    std::shared_ptr<Attempt> attempt;
    Hop hop;
    int slot;
    RedisNode target;
    std::chrono::steady_clock::time_point due;
  };

  void Dispatch(std::shared_ptr<Attempt> attempt);
  void OnReply(const std::shared_ptr<Attempt>& attempt, domain::Result<Reply> reply);
  /// False when the router is stopping (the caller answers the attempt itself).
  bool Defer(Redirect redirect);
  void RequestRefresh();
  void Run(std::stop_token stop);
  /// Reads CLUSTER SLOTS from the first node that answers and applies it. On a server with
  /// cluster support disabled, `disabled` is set; on a cluster node (even with no slots yet),
  /// `clustered`. True when a map was applied. Router thread (or constructor) only.
  bool Refresh(bool* disabled = nullptr, bool* clustered = nullptr);
  Node* NodeFor(const RedisNode& address);
  Pipeline& NextStandalone();

  RedisOptions options_;
  std::string_view library_;
  bool cluster_ = false;

  // Standalone.
  std::vector<std::unique_ptr<Pipeline>> pipelines_;
  std::atomic<std::size_t> next_{0};

  // Cluster: nodes are never removed before Stop (a slot's pointer stays valid).
  mutable std::mutex nodes_mu_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unique_ptr<std::array<std::atomic<Node*>, Keys::kSlots>> slots_;
  std::mutex mu_;  // guards what follows
  std::condition_variable_any cv_;
  std::vector<Redirect> redirects_;
  bool refresh_requested_ = false;
  bool woken_ = false;
  RedisNode last_answered_;  // router thread only
  bool stopped_ = false;
  std::jthread thread_;
};

}  // namespace flashsale::redis
