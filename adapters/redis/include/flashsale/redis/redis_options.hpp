#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "flashsale/domain/result.hpp"

namespace flashsale::redis {

/// How to reach Redis and how patient to be with it.
struct RedisOptions {
  /// Server address; loopback by default.
  std::string host = "127.0.0.1";
  /// TCP port, 1..65535. Default 6379.
  int port = 6379;
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
  /// How long a stored purchase answer is replayed. Default 24 h.
  std::chrono::milliseconds idempotency_ttl = std::chrono::hours(24);
  /// No record of a sale (stored answers, hold records, and once retired every key) outlives
  /// the sale's end by more than this, so Redis memory stays bounded over days of sales.
  /// Default 24 h.
  std::chrono::milliseconds sale_retention = std::chrono::hours(24);
};

/// Parses redis://[:password@]host[:port][/db]. InvalidRequest with a clear message otherwise.
domain::Result<RedisOptions> ParseRedisUrl(std::string_view url);

}  // namespace flashsale::redis
