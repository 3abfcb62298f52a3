#include "flashsale/core/place_purchase.hpp"

#include <memory>
#include <optional>
#include <utility>

#include "flashsale/domain/checkout.hpp"

namespace flashsale::core {

PlacePurchase::PlacePurchase(ports::StockStore& store, ports::IdGenerator& ids,
                             const ports::Clock& clock, ports::Metrics& metrics,
                             PlacePurchaseOptions options)
    : store_(store),
      ids_(ids),
      clock_(clock),
      metrics_(metrics),
      options_(options),
      sold_out_(options.sold_out_max_staleness) {
  store_.OnUnitsReturned([this](const domain::SaleId& sale, const domain::ItemId& item) {
    UnitsReturned(sale, item);
  });
}

void PlacePurchase::Execute(const domain::PurchaseInput& input, Done done) {
  const auto start = std::chrono::steady_clock::now();
  std::optional<domain::PurchaseInput> minted;
  if (input.request_id.empty() && input.mint_request_id) {
    minted = input;
    minted->request_id = "auto-" + ids_.Next().str();
  }
  auto request = domain::ValidatePurchase(minted ? *minted : input, options_.max_per_order);
  if (!request) {
    domain::PurchaseReply reply;
    reply.outcome = domain::Outcome::kInvalidRequest;
    reply.detail = request.error().detail;
    Finish(reply, start, done);
    return;
  }
  if (!accepting_.load()) {
    domain::PurchaseReply reply;
    reply.outcome = domain::Outcome::kUnavailable;
    reply.detail = "the service is draining; retry on another instance";
    Finish(reply, start, done);
    return;
  }
  if (options_.sold_out_fast_path &&
      sold_out_.ShouldAnswerSoldOut(request->sale, request->item, request->user, start)) {
    domain::PurchaseReply reply;
    reply.outcome = domain::Outcome::kSoldOut;
    reply.detail = std::string(domain::DefaultDetail(reply.outcome));
    Finish(reply, start, done);
    return;
  }
  if (!input.rate_buckets.empty() && !store_.DrawsRateBuckets()) {
    domain::PurchaseReply reply;
    reply.outcome = domain::Outcome::kInternal;
    reply.detail = "rate buckets given to a store that does not draw them";
    Finish(reply, start, done);
    return;
  }
  domain::Reservation reservation{*request, ids_.Next(), clock_.Now(), input.rate_buckets};
  store_.Reserve(reservation, [this, start, request = std::move(*request),
                               done = std::move(done)](domain::PurchaseReply reply) {
    AfterStore(request, reply);
    Finish(reply, start, done);
  });
}

void PlacePurchase::AfterStore(const domain::PurchaseRequest& request,
                               const domain::PurchaseReply& reply) {
  if (!options_.sold_out_fast_path) return;
  if (reply.outcome == domain::Outcome::kAccepted && !reply.replayed) {
    sold_out_.Clear(request.sale, request.item);
    return;
  }
  if (reply.outcome != domain::Outcome::kSoldOut || reply.replayed || reply.buyers_version == 0)
    return;
  if (!sold_out_.MarkSoldOut(request.sale, request.item, reply.buyers_version,
                             std::chrono::steady_clock::now())) {
    return;
  }
  store_.FetchBuyers(
      request.sale, [this, sale = request.sale](domain::Result<ports::BuyerSet> set) {
        if (!set) {
          sold_out_.SetBuyers(sale, 0, nullptr);
          return;
        }
        auto buyers = std::make_shared<SoldOutCache::Buyers>(
            std::make_move_iterator(set->users.begin()), std::make_move_iterator(set->users.end()));
        sold_out_.SetBuyers(sale, set->version, std::move(buyers));
      });
}

void PlacePurchase::Finish(const domain::PurchaseReply& reply,
                           std::chrono::steady_clock::time_point start, const Done& done) {
  metrics_.PurchaseAnswered(reply.outcome, std::chrono::steady_clock::now() - start);
  done(reply);
}

}  // namespace flashsale::core
