#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "flashsale/core/sold_out_cache.hpp"
#include "flashsale/domain/purchase.hpp"
#include "flashsale/ports/clock.hpp"
#include "flashsale/ports/id_generator.hpp"
#include "flashsale/ports/metrics.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::core {

struct PlacePurchaseOptions {
  /// Largest quantity one order may ask for (1..this). Default 100.
  std::int32_t max_per_order = 100;
  /// Answer repeated SoldOut locally (see SoldOutCache). Default on.
  bool sold_out_fast_path = true;
  /// Longest time a local sold-out flag is trusted. Default 100 ms.
  std::chrono::milliseconds sold_out_max_staleness{100};
};

/// One-step purchase: validate, then reserve atomically in the StockStore (which enqueues the
/// order durably). Completes through `done`, never blocking on I/O itself: inline for the
/// memory store, on the store's I/O thread otherwise. Thread-safe. Must outlive every
/// pending completion (stop the front doors and drain before destroying it).
class PlacePurchase {
 public:
  using Done = std::function<void(domain::PurchaseReply)>;

  PlacePurchase(ports::StockStore& store, ports::IdGenerator& ids, const ports::Clock& clock,
                ports::Metrics& metrics, PlacePurchaseOptions options = {});

  /// Validates `input` (InvalidRequest with a message naming the field), answers
  /// Unavailable while not accepting, SoldOut from the local fast path (drawing no rate
  /// token), or the store's answer. `input.rate_buckets` go to the store with the
  /// reservation (Internal if the store does not draw buckets).
  void Execute(const domain::PurchaseInput& input, Done done);

  /// Off while draining: every purchase is answered Unavailable, nothing is written.
  void SetAccepting(bool accepting) noexcept { accepting_.store(accepting); }

  /// Wire to StockStore::OnUnitsReturned (done by the constructor).
  void UnitsReturned(const domain::SaleId& sale, const domain::ItemId& item) {
    sold_out_.Clear(sale, item);
  }

 private:
  void Finish(const domain::PurchaseReply& reply, std::chrono::steady_clock::time_point start,
              const Done& done);
  void AfterStore(const domain::PurchaseRequest& request, const domain::PurchaseReply& reply);

  ports::StockStore& store_;
  ports::IdGenerator& ids_;
  const ports::Clock& clock_;
  ports::Metrics& metrics_;
  PlacePurchaseOptions options_;
  SoldOutCache sold_out_;
  std::atomic<bool> accepting_{true};
};

}  // namespace flashsale::core
