#pragma once

#include <memory>

#include "flashsale/ports/rate_limiter.hpp"
#include "flashsale/redis/redis_options.hpp"
#include "flashsale/redis/router.hpp"

namespace flashsale::redis {

/// RateLimiter on Redis: one FCALL of fs_limit (lua/limit.lua) per request, checking and
/// taking from every bucket atomically, on the Redis server's clock, so every instance using
/// this Redis shares the buckets. Keys fs:{~rl}:<bucket key>, each expiring when its bucket is
/// full again (one hash tag: one call's buckets share a Cluster slot). Thread-safe.
class RedisRateLimiter final : public ports::RateLimiter {
 public:
  /// On its own auto-pipelining connection.
  explicit RedisRateLimiter(RedisOptions options);
  /// On connections it shares (RedisStockStore::HotRouter): the admit and the purchase it
  /// lets through ride the same I/O threads and round trips. `shared` must outlive this; Close
  /// leaves it running.
  explicit RedisRateLimiter(Router& shared);
  ~RedisRateLimiter() override;

  void Admit(std::vector<ports::RateBucket> buckets, ports::AdmitDone done) override;
  /// Stops the I/O thread (pending calls answered Unavailable); no callback runs after this
  /// returns. Idempotent.
  void Close();

 private:
  std::unique_ptr<Router> owned_;
  Router* router_;
};

}  // namespace flashsale::redis
