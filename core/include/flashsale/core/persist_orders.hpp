#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "flashsale/ports/logger.hpp"
#include "flashsale/ports/metrics.hpp"
#include "flashsale/ports/order_queue.hpp"
#include "flashsale/ports/order_repository.hpp"
#include "flashsale/ports/stock_store.hpp"

namespace flashsale::core {

struct PersistOptions {
  /// Worker threads, each with its own consumer name. Default 4, range 1..64.
  int workers = 4;
  /// Largest batch pulled and saved at once. Default 500.
  std::size_t batch_size = 500;
  /// How long an idle Pull waits for the first order. Default 50 ms.
  std::chrono::milliseconds pull_wait{50};
  /// After a batch smaller than half of batch_size, wait this long before the next Pull so
  /// that orders accumulate: fewer, bigger batches cost the queue and the database far less
  /// per order (measured: Redis XREADGROUP ~30 us per call). Adds at most this much to the
  /// persistence delay; never applies while draining. Default 10 ms; 0 disables.
  std::chrono::milliseconds linger{10};
  /// First backoff after a transient failure; doubles per failure up to backoff_max.
  std::chrono::milliseconds backoff_initial{50};
  /// Cap of the exponential backoff. Default 5 s.
  std::chrono::milliseconds backoff_max{5000};
  /// Orders pending for another consumer longer than this are taken over. Default 30 s.
  std::chrono::milliseconds reclaim_idle{30000};
  /// How often (at most) the pool looks for stale orders. Default 5 s.
  std::chrono::milliseconds reclaim_interval{5000};
  /// While persistence keeps failing, how often the outage is logged again (with its length,
  /// the retries and the queued backlog). Default 10 s.
  std::chrono::milliseconds outage_report_interval{10000};
  /// Consumer names are "<prefix>-<worker index>"; make the prefix unique per process
  /// (e.g. host-pid), so a restarted process never impersonates a dead one.
  std::string consumer_prefix = "worker";
};

/// Counters for tests and operators.
struct PersistStats {
  std::uint64_t persisted = 0;  ///< orders confirmed by SaveBatch and acknowledged
  std::uint64_t failed = 0;     ///< orders refused for good, released and acknowledged
  std::uint64_t retries = 0;    ///< transient failures (each followed by a backoff)
  std::uint64_t reclaimed = 0;  ///< entries taken over from stale consumers
  std::uint64_t attempts = 0;   ///< checkout attempts recorded
};

/// The persistence worker pool: workers pull batches from the queue (accepted orders and
/// checkout attempts), save them, then ack.
///
/// - Transient failure (Pull, SaveBatch, Release or Ack Unavailable): keep the batch, back off
///   exponentially (capped), never ack, never drop; retrying is safe because SaveBatch and
///   Release are idempotent.
/// - Permanent failure of one order (SaveResult::saved false): Release it in the stock store
///   (units and user count back, stored answer failed, dead letter), then ack it.
/// - Orders pending for a dead consumer longer than reclaim_idle are taken over.
/// - Stop(deadline) drains: workers keep going until the queue is empty or the deadline.
/// - Outages are logged, not each retry: a warning when failures start, another every
///   outage_report_interval while they last (length, retries, backlog), one line on recovery.
class PersistOrders {
 public:
  PersistOrders(ports::OrderQueue& queue, ports::OrderRepository& repository,
                ports::StockStore& store, ports::Metrics& metrics, PersistOptions options = {},
                ports::Logger* log = nullptr);
  ~PersistOrders();
  PersistOrders(const PersistOrders&) = delete;
  PersistOrders& operator=(const PersistOrders&) = delete;

  /// Starts the workers. Call once.
  void Start();

  /// Drains and stops: workers finish their batch and keep pulling until the queue is empty,
  /// then exit; at `deadline` they are stopped wherever they are (an unsaved batch stays
  /// pending in the queue, never acknowledged). Returns true when every worker drained.
  bool Stop(std::chrono::steady_clock::time_point deadline);

  PersistStats stats() const;

 private:
  void Work(std::stop_token stop, int index);
  /// Saves the orders (releasing refused ones), records the attempts, then acks the batch.
  /// false on a transient failure (the batch is kept and retried whole).
  domain::Result<void> Process(std::vector<ports::QueuedEntry>& batch);
  /// SaveBatch + Release of every refused order; `failed` counts the released ones.
  domain::Result<void> SaveOrders(const std::vector<domain::Order>& orders, std::size_t& failed);
  /// The outage log. `failing` is the calling worker's own flag: an outage starts when the
  /// first worker fails and ends when no worker is failing any more (one worker's success
  /// while another keeps failing ends nothing).
  void Failed(std::string_view stage, const domain::Error& error, bool& failing);
  void Worked(bool& failing);
  /// Sleeps for `delay` unless stopped; false when stopped.
  bool Sleep(std::stop_token& stop, std::chrono::milliseconds delay);
  bool ReclaimDue();

  ports::OrderQueue& queue_;
  ports::OrderRepository& repository_;
  ports::StockStore& store_;
  ports::Metrics& metrics_;
  PersistOptions options_;
  ports::Logger& log_;

  std::atomic<bool> draining_{false};
  std::atomic<int> drained_workers_{0};
  std::atomic<std::int64_t> last_reclaim_ms_{0};
  std::atomic<std::uint64_t> persisted_{0}, failed_{0}, retries_{0}, reclaimed_{0}, attempts_{0};
  std::mutex sleep_mu_;
  std::condition_variable_any sleep_cv_;
  std::vector<std::jthread> workers_;
  // The outage being logged (guarded by outage_mu_).
  std::mutex outage_mu_;
  int failing_workers_ = 0;
  std::chrono::steady_clock::time_point outage_start_, outage_reported_;
  std::uint64_t outage_retries_ = 0;
};

}  // namespace flashsale::core
