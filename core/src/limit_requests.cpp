#include "flashsale/core/limit_requests.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/text.hpp"

namespace flashsale::core {
namespace {

domain::Error Invalid(std::string_view text) {
  return domain::Error{domain::Outcome::kInvalidRequest,
                       "rate limit \"" + std::string(text) +
                           "\" must look like 20/s:40 (rate per s, m or h, then the burst)"};
}

/// A positive decimal number (digits, at most one '.'), nullopt otherwise.
std::optional<double> Positive(std::string_view text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  bool dot = false;
  for (char c : text) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  auto value = domain::ParseNumber<double>(text);
  return value && *value > 0 ? value : std::nullopt;
}

}  // namespace

domain::Result<RatePolicy> RatePolicy::Parse(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash + 1 >= text.size()) return Invalid(text);
  auto count = Positive(text.substr(0, slash));
  const char unit = text[slash + 1];
  const double seconds = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 0;
  if (!count || seconds == 0) return Invalid(text);
  RatePolicy policy;
  policy.per_second = *count / seconds;
  std::string_view rest = text.substr(slash + 2);
  if (rest.empty()) {
    policy.burst = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(*count)));
  } else {
    auto burst = rest.front() == ':' ? Positive(rest.substr(1)) : std::nullopt;
    if (!burst || *burst != std::floor(*burst)) return Invalid(text);
    policy.burst = static_cast<std::int64_t>(*burst);
  }
  if (policy.per_second > 1'000'000 || policy.per_second < 1e-4 || policy.burst > 1'000'000) {
    return domain::Error{domain::Outcome::kInvalidRequest,
                         "rate limit \"" + std::string(text) + "\" is out of range"};
  }
  return policy;
}

std::int64_t RatePolicy::WindowSeconds() const {
  return std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil(static_cast<double>(burst) / per_second)));
}

LimitRequests::LimitRequests(ports::RateLimiter& limiter, LimitOptions options)
    : limiter_(limiter), options_(options) {}

std::pair<std::vector<ports::RateBucket>, LimitRequests::Policies> LimitRequests::Plan(
    std::string_view user, std::string_view address) const {
  std::vector<ports::RateBucket> buckets;
  Policies policies;
  if (options_.per_user && domain::IsValidId(user)) {
    buckets.push_back(
        {"u:" + std::string(user), options_.per_user->per_second, options_.per_user->burst});
    policies.emplace_back("user", *options_.per_user);
  }
  if (options_.per_address && !address.empty()) {
    buckets.push_back({"a:" + std::string(address), options_.per_address->per_second,
                       options_.per_address->burst});
    policies.emplace_back("ip", *options_.per_address);
  }
  return {std::move(buckets), std::move(policies)};
}

Admission LimitRequests::AdmissionOf(const Policies& policies, const ports::RateVerdict& verdict) {
  if (verdict.binding >= policies.size()) return Admission{};  // fail open
  const auto& [name, rate] = policies[verdict.binding];
  return Admission{verdict.allowed,     true,         name, rate, verdict.remaining,
                   verdict.retry_after, verdict.reset};
}

void LimitRequests::Admit(std::string_view user, std::string_view address, Done done) {
  auto [buckets, policies] = Plan(user, address);
  if (buckets.empty()) {
    done(Admission{});
    return;
  }
  limiter_.Admit(std::move(buckets), [policies = std::move(policies), done = std::move(done)](
                                         domain::Result<ports::RateVerdict> verdict) {
    done(verdict ? AdmissionOf(policies, *verdict) : Admission{});  // fail open
  });
}

void LimitRequests::Purchase(PlacePurchase& purchase, domain::PurchaseInput input,
                             std::string_view address, PurchaseDone done) {
  auto [buckets, policies] = Plan(input.user_id, address);
  if (buckets.empty()) {
    purchase.Execute(input, [done = std::move(done)](domain::PurchaseReply reply) {
      done(Admission{}, std::move(reply));
    });
    return;
  }
  if (options_.buckets_in_reservation) {
    input.rate_buckets = std::move(buckets);
    purchase.Execute(input, [policies = std::move(policies),
                             done = std::move(done)](domain::PurchaseReply reply) {
      if (!reply.rate) {  // answered before the store, or the store is down
        done(Admission{}, std::move(reply));
        return;
      }
      const Admission admission = AdmissionOf(policies, *reply.rate);
      if (!admission.allowed) {
        done(admission, std::nullopt);
        return;
      }
      done(admission, std::move(reply));
    });
    return;
  }
  limiter_.Admit(std::move(buckets),
                 [&purchase, input = std::move(input), policies = std::move(policies),
                  done = std::move(done)](domain::Result<ports::RateVerdict> verdict) {
                   const Admission admission =
                       verdict ? AdmissionOf(policies, *verdict) : Admission{};  // fail open
                   if (!admission.allowed) {
                     done(admission, std::nullopt);
                     return;
                   }
                   purchase.Execute(input, [admission, done](domain::PurchaseReply reply) {
                     done(admission, std::move(reply));
                   });
                 });
}

}  // namespace flashsale::core
