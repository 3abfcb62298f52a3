#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "flashsale/redis/redis_options.hpp"
#include "process.hpp"

namespace flashsale::testing {

/// A real Redis Cluster for tests: `masters` masters with `replicas` replicas each, every node
/// a redis-server on loopback with free ports (client and bus), its own directory, AOF on
/// (everysec), a 2 s node timeout, replicas always allowed to take over, and a replica's full
/// sync starting at once. Created with redis-cli --cluster create; stopped and removed on
/// destruction, even when a test fails.
class RedisCluster {
 public:
  explicit RedisCluster(int masters = 3, int replicas = 0);
  ~RedisCluster();
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  /// Options whose seeds are every node.
  redis::RedisOptions Options() const;
  int size() const { return static_cast<int>(nodes_.size()); }
  int port(int node) const;
  /// redis-cli on `node`; stdout trimmed.
  std::string Cli(int node, const std::string& args) const;
  /// FLUSHALL on every master (a fresh start for the next test).
  void FlushAll() const;
  /// kill -9 of a node (a crash) / start it again with its data and ports.
  void Kill(int node);
  void Start(int node);
  bool running(int node) const;
  /// The node that serves `slot` as master, per CLUSTER SLOTS of a running node; -1 if none.
  int MasterOf(int slot) const;
  /// MasterOf for every slot at once.
  std::vector<int> SlotOwners() const;
  /// The masters, as node numbers.
  std::vector<int> Masters() const;
  /// Waits until every running node says cluster_state:ok and every replica's link is up with
  /// its first sync done; with every node running, also until all the replicas asked for are
  /// there and each master's writes reach its replicas.
  bool WaitHealthy(std::chrono::milliseconds timeout) const;

 private:
  struct Node {
    int port = 0;
    int bus = 0;
    std::unique_ptr<TempDir> dir;
    ChildProcess process;
  };
  void Launch(Node& node);
  /// True when a write on each master reaches all its replicas (WAIT).
  bool ReplicationFlows() const;
  int NodeAt(int port) const;

  std::vector<std::unique_ptr<Node>> nodes_;
  int replicas_ = 0;
};

}  // namespace flashsale::testing
