#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "flashsale/domain/ids.hpp"

namespace flashsale::core {

/// Local sold-out flags that answer the sold-out flood without a store round trip.
///
/// A flag is set when the store answers SoldOut, and lives at most `max_staleness`; it is
/// cleared early when units come back (UnitsReturned) or a purchase of the item is accepted.
/// So an available unit is never hidden behind a local SoldOut for longer than the bound.
/// To keep idempotent replays exact, a flag only answers users who hold no units in the sale,
/// according to a buyer-set snapshot at the same version as the SoldOut answer; buyers (who
/// may be retrying an accepted request) always go to the store. Thread-safe.
class SoldOutCache {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using Buyers = std::unordered_set<std::string>;

  explicit SoldOutCache(std::chrono::milliseconds max_staleness);

  /// True when a purchase of (sale, item) by `user` may be answered SoldOut locally.
  bool ShouldAnswerSoldOut(const domain::SaleId& sale, const domain::ItemId& item,
                           const domain::UserId& user, SteadyTime now) const;

  /// The store answered SoldOut at buyer-set `version`. Returns true when the caller should
  /// fetch the buyer set (no snapshot at that version and no fetch already in flight).
  bool MarkSoldOut(const domain::SaleId& sale, const domain::ItemId& item, std::uint64_t version,
                   SteadyTime now);

  /// A buyer-set snapshot arrived (or, with `buyers` null, the fetch failed).
  void SetBuyers(const domain::SaleId& sale, std::uint64_t version,
                 std::shared_ptr<const Buyers> buyers);

  /// Units of the item may be available again: drop its flag.
  void Clear(const domain::SaleId& sale, const domain::ItemId& item);

 private:
  struct SaleState {
    std::unordered_map<std::string, SteadyTime> flagged_until;  // item -> expiry
    std::uint64_t flag_version = 0;
    std::uint64_t buyers_version = 0;
    std::shared_ptr<const Buyers> buyers;
    bool fetching = false;
  };

  std::chrono::milliseconds max_staleness_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, SaleState> sales_;
};

}  // namespace flashsale::core
