#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "flashsale/redis/connection.hpp"

namespace flashsale::redis {

/// A Lua script, embedded at build time from adapters/redis/lua/.
struct Script {
  std::string_view name;
  std::string_view source;
};

/// Auto-pipelining client: callers enqueue commands from any thread; one I/O thread writes
/// everything queued on one connection, reads the replies in order and completes each
/// caller. Many callers share one round trip, and nobody holds a lock across the network.
///
/// A dead or unreachable Redis answers Unavailable at once (queued and new commands); the
/// I/O thread reconnects with capped exponential backoff and reloads the scripts.
/// Callbacks run on the I/O thread and must not block. Thread-safe.
class Pipeline {
 public:
  using Callback = std::function<void(core::Result<Reply>)>;

  /// `scripts` are loaded (SCRIPT LOAD) on every (re)connect; they must outlive the pipeline.
  Pipeline(RedisOptions options, std::vector<const Script*> scripts);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Queues a command; `done` gets the reply (possibly a Redis error reply) or Unavailable.
  void Submit(const std::vector<std::string>& args, Callback done);

  /// EVALSHA of `script`, falling back to EVAL on NOSCRIPT (e.g. after a Redis restart).
  void Eval(const Script& script, const std::vector<std::string>& keys,
            const std::vector<std::string>& args, Callback done);

  /// Submit and wait for the reply (for non-hot-path calls).
  core::Result<Reply> Call(const std::vector<std::string>& args);
  core::Result<Reply> CallEval(const Script& script, const std::vector<std::string>& keys,
                               const std::vector<std::string>& args);

  bool connected() const noexcept { return connected_.load(); }

 private:
  struct Pending {
    std::string command;
    Callback done;
  };

  void Run(std::stop_token stop);
  bool Connect();
  void FailAll(std::vector<Pending>& batch, const core::Error& error);
  void Enqueue(std::string command, Callback done);

  /// The loaded SHA1 of `script`; empty until the first successful SCRIPT LOAD.
  std::string ShaOf(const Script& script);

  RedisOptions options_;
  std::vector<const Script*> scripts_;
  std::mutex sha_mu_;
  std::vector<std::string> shas_;           // parallel to scripts_
  std::unique_ptr<Connection> connection_;  // I/O thread only
  std::atomic<bool> connected_{false};
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::vector<Pending> queue_;
  std::jthread thread_;
};

/// Turns a reply into a Result: Redis error replies become Unavailable for transient
/// conditions (LOADING, BUSY, OOM, READONLY, MASTERDOWN, TRYAGAIN, CLUSTERDOWN) and Internal
/// for the rest.
core::Result<Reply> CheckReply(core::Result<Reply> reply);

}  // namespace flashsale::redis
