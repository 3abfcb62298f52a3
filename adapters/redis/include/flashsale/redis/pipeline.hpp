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

/// Auto-pipelining client: callers enqueue formatted commands (Send) from any thread; one
/// I/O thread writes everything queued on one connection, reads the replies in order and
/// completes each caller. Many callers share one round trip, and nobody holds a lock across the
/// network.
///
/// A dead or unreachable Redis answers Unavailable at once (queued and new commands); the
/// I/O thread reconnects with capped exponential backoff and loads the functions library.
/// Callbacks run on the I/O thread and must not block. Thread-safe.
class Pipeline {
 public:
  using Callback = std::function<void(domain::Result<Reply>)>;

  /// `library` (a Redis Functions library, see functions.hpp; empty for none) is loaded with
  /// FUNCTION LOAD REPLACE on every (re)connect, and again whenever Redis says a function is
  /// missing (FUNCTION FLUSH); it must outlive the pipeline.
  Pipeline(RedisOptions options, std::string_view library);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Queues a command already formatted (FormatCommand). With `asking` it is sent right after
  /// an ASKING on the same connection (a Redis Cluster ASK redirection), whose reply is
  /// skipped. With `replicated` and RedisOptions::wait_replicas > 0, a WAIT follows the batch
  /// it is in, and the reply (unless a Redis error) is handed over only once that many
  /// replicas have the batch's writes; otherwise `done` gets Unavailable (kNotReplicatedDetail).
  void Send(std::string command, Callback done, bool asking = false, bool replicated = false);

  bool connected() const noexcept { return connected_.load(); }

  /// Stops the I/O thread; queued calls are answered Unavailable before this returns, later
  /// ones at once. Idempotent.
  void Stop();

 private:
  struct Pending {
    std::string command;
    Callback done;
    bool asking = false;
    bool replicated = false;
  };

  void Run(std::stop_token stop);
  bool Connect();
  void FailAll(std::vector<Pending>& batch, const domain::Error& error);
  /// Writes a batch and completes its callers; false when the connection died mid-batch.
  bool Exchange(std::vector<Pending>& batch);
  bool LoadLibrary(Connection& connection);

  RedisOptions options_;
  std::string_view library_;
  std::unique_ptr<Connection> connection_;  // I/O thread only
  bool reload_library_ = false;             // I/O thread only
  std::atomic<bool> connected_{false};
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::vector<Pending> queue_;
  bool stopped_ = false;  // guarded by mu_
  std::jthread thread_;
};

/// The detail of an answer whose write the replicas did not confirm in time.
inline constexpr std::string_view kNotReplicatedDetail =
    "not confirmed by the redis replicas in time; retry with the same request id";

/// Turns a reply into a Result: Redis error replies become Unavailable for transient
/// conditions (LOADING, BUSY, OOM, READONLY, MASTERDOWN, TRYAGAIN, CLUSTERDOWN, a function
/// library being reloaded) and Internal for the rest.
domain::Result<Reply> CheckReply(domain::Result<Reply> reply);

}  // namespace flashsale::redis
