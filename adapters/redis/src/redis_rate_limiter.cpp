#include "flashsale/redis/redis_rate_limiter.hpp"

#include <cmath>

#include "flashsale/redis/functions.hpp"

namespace flashsale::redis {

RedisRateLimiter::RedisRateLimiter(RedisOptions options)
    : owned_(std::make_unique<Pipeline>(std::move(options), functions::kLibrary)),
      pipeline_(owned_.get()) {}

RedisRateLimiter::RedisRateLimiter(Pipeline& shared) : pipeline_(&shared) {}

RedisRateLimiter::~RedisRateLimiter() { Close(); }

void RedisRateLimiter::Close() {
  if (owned_) owned_->Stop();
}

void RedisRateLimiter::Admit(std::vector<ports::RateBucket> buckets, ports::AdmitDone done) {
  std::vector<std::string> keys;
  std::vector<std::string> args;
  for (const auto& bucket : buckets) {
    keys.push_back("fs:rl:" + bucket.key);
    const auto interval_us = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::llround(1'000'000.0 / bucket.per_second)));
    args.push_back(std::to_string(interval_us));
    args.push_back(std::to_string(bucket.burst));
  }
  pipeline_->Fcall(
      functions::kLimit, keys, args, [done = std::move(done)](domain::Result<Reply> raw) {
        auto reply = CheckReply(std::move(raw));
        if (!reply) {
          done(reply.error());
          return;
        }
        const redisReply* a = reply->get();
        if (Size(a) != 5) {
          done(domain::Error{domain::Outcome::kInternal, "redis: unexpected limit reply"});
          return;
        }
        ports::RateVerdict verdict;
        verdict.allowed = Int(At(a, 0)) == 1;
        verdict.binding = static_cast<std::size_t>(Int(At(a, 1)));
        verdict.remaining = Int(At(a, 2));
        verdict.retry_after = std::chrono::microseconds(Int(At(a, 3)));
        verdict.reset = std::chrono::microseconds(Int(At(a, 4)));
        done(verdict);
      });
}

}  // namespace flashsale::redis
