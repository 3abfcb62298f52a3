#include "flashsale/core/checkout_item.hpp"

#include <algorithm>
#include <utility>

namespace flashsale::core {

CheckoutItem::CheckoutItem(ports::StockStore& store, ports::IdGenerator& ids,
                           const ports::Clock& clock, ports::Metrics& metrics,
                           CheckoutOptions options)
    : store_(store), ids_(ids), clock_(clock), metrics_(metrics), options_(options) {
  options_.hold_ttl = std::max(options_.hold_ttl, std::chrono::milliseconds(1000));
}

void CheckoutItem::Execute(const domain::CheckoutInput& input, Done done) {
  const auto start = std::chrono::steady_clock::now();
  auto request = domain::ValidateCheckout(input);
  domain::CheckoutReply refused;
  if (!request) {
    refused.outcome = domain::Outcome::kInvalidRequest;
    refused.detail = request.error().detail;
    Finish(refused, start, done);
    return;
  }
  if (!accepting_.load()) {
    refused.outcome = domain::Outcome::kUnavailable;
    refused.detail = "the service is draining; retry on another instance";
    Finish(refused, start, done);
    return;
  }
  const domain::TimePoint now = clock_.Now();
  domain::CheckoutCode code = ids_.NextCheckoutCode(request->sale);
  domain::HoldRequest hold{std::move(*request), std::move(code), ids_.NextAttempt(), now,
                           now + options_.hold_ttl};
  store_.Checkout(hold, [this, start, done = std::move(done)](domain::CheckoutReply reply) {
    Finish(reply, start, done);
  });
}

void CheckoutItem::Finish(const domain::CheckoutReply& reply,
                          std::chrono::steady_clock::time_point start, const Done& done) {
  metrics_.CheckoutAnswered(reply.outcome, std::chrono::steady_clock::now() - start);
  done(reply);
}

}  // namespace flashsale::core
