#pragma once

#include <memory>

#include "flashsale/ports/rate_limiter.hpp"
#include "flashsale/redis/pipeline.hpp"
#include "flashsale/redis/redis_options.hpp"

namespace flashsale::redis {

/// RateLimiter on Redis: one FCALL of fs_limit (lua/limit.lua) per request, checking and
/// taking from every bucket atomically, on the Redis server's clock, so every instance using
/// this Redis shares the buckets. Keys fs:rl:<bucket key>, each expiring when its bucket is
/// full again. Its own auto-pipelining connection. Thread-safe.
class RedisRateLimiter final : public ports::RateLimiter {
 public:
  explicit RedisRateLimiter(RedisOptions options);
  ~RedisRateLimiter() override;

  void Admit(std::vector<ports::RateBucket> buckets, ports::AdmitDone done) override;
  /// Stops the I/O thread (pending calls answered Unavailable); no callback runs after this
  /// returns. Idempotent.
  void Close();

 private:
  std::unique_ptr<Pipeline> pipeline_;
};

}  // namespace flashsale::redis
