#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flashsale/core/place_purchase.hpp"
#include "flashsale/domain/purchase.hpp"
#include "flashsale/domain/result.hpp"
#include "flashsale/ports/rate_limiter.hpp"

namespace flashsale::core {

/// A token bucket policy: `burst` requests at once, refilled at `per_second`.
struct RatePolicy {
  double per_second = 0;
  std::int64_t burst = 0;

  /// "20/s:40" (20 per second, bursts of 40), "600/m", "5/s" (burst = the rate per unit,
  /// at least 1), "1/h:10". Units s, m, h. InvalidRequest naming the problem.
  static domain::Result<RatePolicy> Parse(std::string_view text);
  /// Seconds an empty bucket takes to fill (the policy's window, rounded up).
  std::int64_t WindowSeconds() const;
};

struct LimitOptions {
  std::optional<RatePolicy> per_user;     ///< off when nullopt
  std::optional<RatePolicy> per_address;  ///< off when nullopt
  /// A one-step purchase's buckets ride its reservation (the stock store draws them in the
  /// same atomic step: StockStore::DrawsRateBuckets), instead of a separate Admit first.
  bool buckets_in_reservation = false;
};

/// The answer to one request.
struct Admission {
  bool allowed = true;
  /// false when no limit applied (limits off, or nothing to key on): no rate headers.
  bool limited = false;
  std::string_view policy;  ///< "user" or "ip": the bucket the numbers are about
  RatePolicy rate;          ///< that bucket's policy
  std::int64_t remaining = 0;
  std::chrono::microseconds retry_after{0};  ///< refused: until the next token
  std::chrono::microseconds reset{0};        ///< until the bucket is full again
};

/// Rate limits on the buying routes, per user id and per client address. With both limits
/// off, Admit answers at once without touching the limiter. A user id that is not a valid id
/// is not used as a key (the request fails validation anyway). When the limiter can't be
/// reached the request is let through (fail open: the purchase itself then reports whether
/// the store is up). Thread-safe.
class LimitRequests {
 public:
  using Done = std::function<void(Admission)>;
  /// The admission, and the purchase's reply unless the limits refused it.
  using PurchaseDone = std::function<void(Admission, std::optional<domain::PurchaseReply>)>;

  LimitRequests(ports::RateLimiter& limiter, LimitOptions options);

  bool enabled() const noexcept { return options_.per_user || options_.per_address; }

  /// Completes exactly once, inline or on the limiter's thread; `done` must not block.
  void Admit(std::string_view user, std::string_view address, Done done);

  /// A one-step purchase within the limits of its user and `address`: refused (admission
  /// not allowed, no reply, nothing written) or placed through `purchase` (its reply, with
  /// the admission its rate headers come from). With buckets_in_reservation the buckets ride
  /// the reservation (one store call; a purchase answered before the store, e.g. invalid or
  /// from the sold-out fast path, draws no token and is not limited); otherwise Admit, then
  /// the purchase. Limits off: the purchase alone. Completes exactly once; `done` must not
  /// block.
  void Purchase(PlacePurchase& purchase, domain::PurchaseInput input, std::string_view address,
                PurchaseDone done);

 private:
  using Policies = std::vector<std::pair<std::string_view, RatePolicy>>;
  /// The buckets a request draws from, and the policy of each (same order).
  std::pair<std::vector<ports::RateBucket>, Policies> Plan(std::string_view user,
                                                           std::string_view address) const;
  static Admission AdmissionOf(const Policies& policies, const ports::RateVerdict& verdict);

  ports::RateLimiter& limiter_;
  LimitOptions options_;
};

}  // namespace flashsale::core
