#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "flashsale/redis/redis_options.hpp"
#include "process.hpp"

namespace flashsale::testing {

/// The tests' redis-server command line: loopback `port`, data in `dir`, AOF on with
/// `appendfsync`, no RDB snapshots, in the foreground, warnings only, DEBUG from loopback.
std::vector<std::string> RedisServerArgv(int port, const std::filesystem::path& dir,
                                         const std::string& appendfsync);

/// True when a write of `key` (then deleted) on the Redis at `port` reaches `replicas`
/// replicas within a second (WAIT). After a diskless full sync a master streams nothing to
/// the replica until its first REPLCONF ACK (up to a second later), although INFO already
/// says online: wait for this before relying on a replica.
bool WritesReachReplicas(int port, const std::string& key, int replicas);

/// A real redis-server for one test: loopback, free port, own temp dir, AOF on
/// (appendfsync everysec unless told otherwise). Restart reuses the data dir and port.
class RedisServer {
 public:
  explicit RedisServer(std::string appendfsync = "everysec");
  ~RedisServer();

  void Start();
  /// Graceful stop (SIGTERM: Redis flushes the AOF and exits).
  void Stop();
  /// kill -9: a crash.
  void Kill();

  int port() const { return port_; }
  redis::RedisOptions Options() const;
  /// Runs redis-cli with `args` and returns its stdout (trimmed).
  std::string Cli(const std::string& args) const;
  /// Runs redis-cli with `args` (a command that keeps Redis busy: a long script, DEBUG
  /// SLEEP) on `busy`, and returns once Redis is inside it: a PING on a socket connected
  /// beforehand gets no answer for 100 ms. False if that never happened within 10 s.
  bool StartBusy(const std::string& args, std::thread& busy) const;

 private:
  std::string appendfsync_;
  TempDir dir_{"flashsale-redis"};
  int port_;
  ChildProcess process_;
};

}  // namespace flashsale::testing
