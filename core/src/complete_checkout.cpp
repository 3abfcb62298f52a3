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
  auto code = domain::CheckoutCode::Parse(input.code);
  if (!code) {
    refused.detail = code.error().detail;
    Finish(refused, start, done);
    return;
  }
  std::optional<domain::RequestId> request;
  if (!input.request_id.empty()) {
    auto parsed = domain::RequestId::Parse(input.request_id);
    if (!parsed) {
      refused.detail = parsed.error().detail;
      Finish(refused, start, done);
      return;
    }
    request = std::move(*parsed);
  }
  if (!accepting_.load()) {
    refused.outcome = domain::Outcome::kUnavailable;
    refused.detail = "the service is draining; retry on another instance";
    Finish(refused, start, done);
    return;
  }
  domain::Completion completion{std::move(*code), std::move(request), ids_.Next(), clock_.Now()};
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
