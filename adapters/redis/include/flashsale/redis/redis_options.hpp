#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "flashsale/domain/result.hpp"

namespace flashsale::redis {

/// One Redis node's address.
struct RedisNode {
  std::string host;
  int port = 6379;
  bool operator==(const RedisNode&) const = default;
};

/// How to reach Redis and how patient to be with it.
struct RedisOptions {
  /// Server address (the first seed of a cluster); loopback by default.
  std::string host = "127.0.0.1";
  /// TCP port, 1..65535. Default 6379.
  int port = 6379;
  /// Further seed nodes of a Redis Cluster (the URL's other addresses). Cluster mode is
  /// detected from the server (CLUSTER SLOTS); with more than one seed it is required, and
  /// any seed that answers gives the slot map.
  std::vector<RedisNode> more_seeds;
  /// AUTH password; empty for none. Never logged.
  std::string password;
  /// Logical database (SELECT), 0..15.
  int db = 0;
  /// Longest wait for one reply (and for connect). A dead or slow Redis gives Unavailable
  /// within about this time, never a hang. Default 200 ms.
  std::chrono::milliseconds command_timeout{200};
  /// Reconnect backoff after a failure: starts here, doubles, capped at reconnect_max.
  std::chrono::milliseconds reconnect_initial{20};
  std::chrono::milliseconds reconnect_max{1000};
  /// Hot-path connections; each has one I/O thread that pipelines every queued command.
  /// Default 1 (measured: one pipelining connection saturates a 2-core machine).
  int pipelines = 1;
  /// Replicas that must have a purchase's or a redemption's write before it is answered (WAIT,
  /// pipelined behind the call; at most half the command timeout): 0 (the default) answers as
  /// soon as the master has it, so a failover may lose the last acknowledged orders (Redis
  /// replication is asynchronous). With N > 0 a call whose write N replicas did not confirm
  /// in time is answered Unavailable, never accepted (see DESIGN.md).
  int wait_replicas = 0;
  /// Sub-stocks per sale for the sales this instance loads (Load): 1 (the default) keeps a
  /// sale in one slot; K > 1 splits every item's stock over K key spaces with distinct hash
  /// tags, so that on a Redis Cluster they live on different masters (DESIGN.md section 12).
  /// The count is stored with the sale: every instance follows it, whatever its own setting.
  int item_shards = 1;
  /// How long a stored purchase answer is replayed. Default 24 h.
  std::chrono::milliseconds idempotency_ttl = std::chrono::hours(24);
  /// No record of a sale (stored answers, hold records, and once retired every key) outlives
  /// the sale's end by more than this, so Redis memory stays bounded over days of sales.
  /// Default 24 h.
  std::chrono::milliseconds sale_retention = std::chrono::hours(24);
};

/// Every seed: host:port first, then more_seeds.
std::vector<RedisNode> Seeds(const RedisOptions& options);

/// `options` aimed at one node (same password, timeouts; no further seeds).
RedisOptions AtNode(const RedisOptions& options, const RedisNode& node);

/// Parses redis://[:password@]host[:port][,host[:port]...][/db]: several addresses are the
/// seed nodes of a Redis Cluster (which has database 0 only). InvalidRequest with a clear
/// message otherwise.
domain::Result<RedisOptions> ParseRedisUrl(std::string_view url);

}  // namespace flashsale::redis
