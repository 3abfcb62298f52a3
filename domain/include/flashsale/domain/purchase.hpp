#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/outcome.hpp"
#include "flashsale/domain/quantity.hpp"
#include "flashsale/domain/rate.hpp"
#include "flashsale/domain/result.hpp"
#include "flashsale/domain/time.hpp"

namespace flashsale::domain {

/// A purchase as it arrives from outside, before validation. Adapters fill it from JSON or
/// protobuf; PlacePurchase validates every field.
// Every field has a default member initializer, so designated initializers may leave any
// out ({.item_id = "x", ...}) without -Wmissing-field-initializers.
struct PurchaseInput {
  std::string sale_id{};
  std::string item_id{};
  std::string user_id{};
  std::string request_id{};
  std::int64_t quantity = 0;
  /// With an empty request_id, mint one ("auto-<ULID>") instead of refusing: the call is
  /// then a new purchase every time, not idempotent (the order form of the replaced service).
  bool mint_request_id = false;
  /// Token buckets the store draws from in the same atomic step as the reservation, before
  /// anything else (core::LimitRequests fills them when the store draws buckets itself).
  std::vector<RateBucket> rate_buckets{};
};

/// A validated purchase.
struct PurchaseRequest {
  SaleId sale;
  ItemId item;
  UserId user;
  RequestId request;
  Quantity quantity;

  /// Fingerprint of the payload (sale, item, quantity) stored next to an idempotent outcome:
  /// the same (user, request) key with another fingerprint is a DuplicateRequest.
  /// 16 lowercase hex digits of FNV-1a 64; stable across processes and versions.
  std::string Fingerprint() const;
};

/// Validates every field of `input` (InvalidRequest with a message naming the field): ids,
/// a request id not reserved for orders made from checkout codes, 1 <= quantity <=
/// `max_per_order`. `input.mint_request_id` is the caller's business (validate the minted id).
Result<PurchaseRequest> ValidatePurchase(const PurchaseInput& input, std::int32_t max_per_order);

/// What a store is asked to do: reserve `request` as order `order_id` at `now`.
struct Reservation {
  PurchaseRequest request;
  OrderId order_id;
  TimePoint now;
  /// Drawn first, all or nothing (ports::StockStore::DrawsRateBuckets); empty: none.
  std::vector<RateBucket> rate_buckets{};
};

/// The detail of an answer that replays an order which later failed permanently.
inline constexpr std::string_view kOrderFailedDetail =
    "the order could not be completed; its units were released";

/// The answer to a purchase. For Accepted, `order_id` is set and `remaining` is the item's
/// stock right after this reservation. A replayed answer is the stored first answer.
struct PurchaseReply {
  Outcome outcome = Outcome::kInternal;
  std::optional<OrderId> order_id;
  std::int64_t remaining = 0;
  bool replayed = false;
  /// For a replay of an order that later failed permanently: true (the stored answer now
  /// says so, with the order id and the reason as outcome).
  bool order_failed = false;
  /// Stores that support the sold-out fast path set this on a fresh SoldOut: a counter of the
  /// sale's buyer set that changes whenever a user's units change. 0 = not supported.
  std::uint64_t buyers_version = 0;
  std::string detail;
  /// Set when the reservation drew rate buckets: their verdict (outcome RateLimited when
  /// refused, and then nothing else was done).
  std::optional<RateVerdict> rate{};
};

}  // namespace flashsale::domain
