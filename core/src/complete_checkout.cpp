#include "flashsale/core/complete_checkout.hpp"

#include <utility>

namespace flashsale::core {

CompleteCheckout::CompleteCheckout(ports::StockStore& store, ports::IdGenerator& ids,
                                   const ports::Clock& clock, ports::Metrics& metrics)
    : store_(store), ids_(ids), clock_(clock), metrics_(metrics) {}

void CompleteCheckout::Execute(const domain::CompleteInput& input, Done done) {
  const auto start = std::chrono::steady_clock::now();
  domain::CompleteReply refused;
  refused.outcome = domain::Outcome::kInvalidRequest;
  auto valid = domain::ValidateComplete(input);
  if (!valid) {
    refused.detail = valid.error().detail;
    Finish(refused, start, done);
    return;
  }
  if (!accepting_.load()) {
    refused.outcome = domain::Outcome::kUnavailable;
    refused.detail = "the service is draining; retry on another instance";
    Finish(refused, start, done);
    return;
  }
  domain::Completion completion{std::move(valid->code), std::move(valid->request), ids_.Next(),
                                clock_.Now()};
  store_.Complete(completion, [this, start, done = std::move(done)](domain::CompleteReply reply) {
    Finish(reply, start, done);
  });
}

void CompleteCheckout::Finish(const domain::CompleteReply& reply,
                              std::chrono::steady_clock::time_point start, const Done& done) {
  metrics_.CompletionAnswered(reply.outcome, std::chrono::steady_clock::now() - start);
  done(reply);
}

}  // namespace flashsale::core
