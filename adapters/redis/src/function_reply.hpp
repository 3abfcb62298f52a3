#pragma once

// Internal to the Redis adapter: reading the replies of the library's functions, whose first
// element is always an outcome name.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flashsale/domain/purchase.hpp"
#include "flashsale/domain/rate.hpp"
#include "flashsale/ports/stock_store.hpp"
#include "flashsale/redis/connection.hpp"
#include "flashsale/redis/pipeline.hpp"

namespace flashsale::redis {

/// A decimal argument.
inline std::string Num(std::int64_t v) { return std::to_string(v); }

/// The most rate buckets one call draws (a user's and an address's; gcra in _shared.lua is
/// unrolled for two).
inline constexpr std::size_t kMaxRateBuckets = 2;

/// The error for a call that would draw more than kMaxRateBuckets buckets; none within.
inline std::optional<domain::Error> TooManyRateBuckets(std::size_t buckets) {
  if (buckets <= kMaxRateBuckets) return std::nullopt;
  return domain::Error{domain::Outcome::kInternal, "redis: at most two rate buckets"};
}

/// A rate bucket's interval between tokens, as draw_tokens and draw_hash_tokens (_shared.lua)
/// take it.
inline std::chrono::microseconds BucketInterval(const domain::RateBucket& bucket) {
  return std::chrono::microseconds(std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::llround(1'000'000.0 / bucket.per_second))));
}

/// draw_tokens' verdict: the 5 elements of `a` from `first` (the caller checked the size).
inline domain::RateVerdict VerdictAt(const redisReply* a, std::size_t first) {
  domain::RateVerdict verdict;
  verdict.allowed = Int(At(a, first)) == 1;
  verdict.binding = static_cast<std::size_t>(Int(At(a, first + 1)));
  verdict.remaining = Int(At(a, first + 2));
  verdict.retry_after = std::chrono::microseconds(Int(At(a, first + 3)));
  verdict.reset = std::chrono::microseconds(Int(At(a, first + 4)));
  return verdict;
}

/// Checks a function's reply: on a transport or Redis error, or a reply that is not an array
/// of at least `min_size` elements starting with an outcome name, fills `out`'s outcome and
/// detail and returns nullptr; otherwise sets `out.outcome` and returns the array.
template <class Answer>
const redisReply* OutcomeReply(domain::Result<Reply>& raw, std::size_t min_size, const char* what,
                               Answer& out) {
  raw = CheckReply(std::move(raw));
  if (!raw) {
    out.outcome = raw.error().outcome;
    out.detail = raw.error().detail;
    return nullptr;
  }
  const redisReply* a = raw->get();
  if (Size(a) < min_size || !domain::FromString(Str(At(a, 0)), out.outcome)) {
    out.outcome = domain::Outcome::kInternal;
    out.detail = std::string("redis: unexpected ") + what + " reply";
    return nullptr;
  }
  return a;
}

/// The buyer-set versions of a split sale's sub-stocks (in sub-stock order) as one version for
/// the sold-out fast path: equal for equal vectors, and (but for a 2^-64 chance) different
/// otherwise; never 0 (0 means "no version").
inline std::uint64_t MixVersions(const std::vector<std::uint64_t>& versions) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL;
  for (std::uint64_t v : versions) {
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    h ^= h >> 30;  // splitmix64's finaliser
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 31;
  }
  return h == 0 ? 1 : h;
}

/// Adds a sub-stock's remaining and held units to the sale's totals, item by item.
inline void AddStock(std::vector<ports::ItemStock>& total,
                     const std::vector<ports::ItemStock>& part) {
  for (const auto& stock : part) {
    for (auto& sum : total) {
      if (sum.item == stock.item) {
        sum.remaining += stock.remaining;
        sum.held += stock.held;
      }
    }
  }
}

/// A reply of fs4_reserve as a purchase answer (redis_stock_store.cpp).
domain::PurchaseReply ParsePurchaseReply(domain::Result<Reply> raw);

}  // namespace flashsale::redis
