#include "flashsale/redis/redis_rate_limiter.hpp"

#include "flashsale/redis/functions.hpp"
#include "flashsale/redis/keys.hpp"
#include "function_reply.hpp"

namespace flashsale::redis {

RedisRateLimiter::RedisRateLimiter(RedisOptions options)
    : owned_(std::make_unique<Router>(std::move(options), functions::kLibrary)),
      router_(owned_.get()) {}

RedisRateLimiter::RedisRateLimiter(Router& shared) : router_(&shared) {}

RedisRateLimiter::~RedisRateLimiter() { Close(); }

void RedisRateLimiter::Close() {
  if (owned_) owned_->Stop();
}

void RedisRateLimiter::Admit(std::vector<ports::RateBucket> buckets, ports::AdmitDone done) {
  if (buckets.empty()) {  // nothing to draw from: allowed, nothing asked of Redis
    done(ports::RateVerdict{});
    return;
  }
  if (auto error = TooManyRateBuckets(buckets.size())) {
    done(std::move(*error));
    return;
  }
  std::vector<std::string> keys;
  std::vector<std::string> args;
  for (const auto& bucket : buckets) {
    keys.push_back(Keys::RateBucket(bucket.key));
    args.push_back(std::to_string(BucketInterval(bucket).count()));
    args.push_back(std::to_string(bucket.burst));
  }
  router_->Fcall(
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
        done(VerdictAt(a, 0));
      });
}

}  // namespace flashsale::redis
