#include "flashsale/core/persist_orders.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace flashsale::core {
namespace {

std::int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ports::Logger& NullLog() {
  static ports::NullLogger null;
  return null;
}

std::int64_t Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

}  // namespace

PersistOrders::PersistOrders(ports::OrderQueue& queue, ports::OrderRepository& repository,
                             ports::StockStore& store, ports::Metrics& metrics,
                             PersistOptions options, ports::Logger* log)
    : queue_(queue),
      repository_(repository),
      store_(store),
      metrics_(metrics),
      options_(std::move(options)),
      log_(log ? *log : NullLog()) {
  options_.workers = std::clamp(options_.workers, 1, 64);
  options_.batch_size = std::max<std::size_t>(options_.batch_size, 1);
  last_reclaim_ms_ = SteadyMillis();
}

PersistOrders::~PersistOrders() {
  if (!workers_.empty()) Stop(std::chrono::steady_clock::now());
}

void PersistOrders::Start() {
  for (int i = 0; i < options_.workers; ++i) {
    workers_.emplace_back([this, i](std::stop_token stop) { Work(stop, i); });
  }
}

bool PersistOrders::Stop(std::chrono::steady_clock::time_point deadline) {
  draining_ = true;
  sleep_cv_.notify_all();
  // Wait for the workers to drain on their own until the deadline.
  {
    std::unique_lock lock(sleep_mu_);
    sleep_cv_.wait_until(lock, deadline, [this] {
      return drained_workers_.load() == static_cast<int>(workers_.size());
    });
  }
  const bool drained = drained_workers_.load() == static_cast<int>(workers_.size());
  for (auto& worker : workers_) worker.request_stop();
  sleep_cv_.notify_all();
  workers_.clear();  // joins
  return drained;
}

PersistStats PersistOrders::stats() const {
  return PersistStats{persisted_.load(), failed_.load(), retries_.load(), reclaimed_.load(),
                      attempts_.load()};
}

bool PersistOrders::Sleep(std::stop_token& stop, std::chrono::milliseconds delay) {
  std::unique_lock lock(sleep_mu_);
  sleep_cv_.wait_for(lock, stop, delay, [] { return false; });
  return !stop.stop_requested();
}

bool PersistOrders::ReclaimDue() {
  std::int64_t now = SteadyMillis();
  std::int64_t last = last_reclaim_ms_.load();
  if (now - last < options_.reclaim_interval.count()) return false;
  return last_reclaim_ms_.compare_exchange_strong(last, now);
}

void PersistOrders::Work(std::stop_token stop, int index) {
  const std::string consumer = options_.consumer_prefix + "-" + std::to_string(index);
  std::vector<ports::QueuedEntry> batch;
  bool linger = false;
  bool failing = false;  // this worker's part in the outage log
  auto backoff = options_.backoff_initial;
  auto fail = [&](std::string_view stage, const domain::Error& error) {
    Failed(stage, error, failing);
    ++retries_;
    metrics_.PersistRetried();
    bool awake = Sleep(stop, backoff);
    backoff = std::min(backoff * 2, options_.backoff_max);
    return awake;
  };

  while (!stop.stop_requested()) {
    if (batch.empty()) {
      if (!draining_ && ReclaimDue()) {
        auto stale = queue_.ReclaimStale(consumer, options_.reclaim_idle, options_.batch_size);
        if (stale && !stale->empty()) {
          reclaimed_ += stale->size();
          batch = std::move(*stale);
        }
      }
    }
    if (batch.empty()) {
      auto pulled = queue_.Pull(consumer, options_.batch_size,
                                draining_ ? std::chrono::milliseconds(0) : options_.pull_wait);
      if (!pulled) {
        if (!fail("pull", pulled.error())) break;
        continue;
      }
      Worked(failing);
      if (pulled->empty()) {
        if (draining_) break;  // queue empty: this worker is drained
        continue;
      }
      batch = std::move(*pulled);
      linger = !draining_ && batch.size() < options_.batch_size / 2 && options_.linger.count() > 0;
    }
    if (auto processed = Process(batch); !processed) {
      if (!fail("save", processed.error())) break;
      continue;
    }
    Worked(failing);
    batch.clear();
    backoff = options_.backoff_initial;
    if (linger && !Sleep(stop, options_.linger)) break;
  }
  if (batch.empty() && !stop.stop_requested()) {
    ++drained_workers_;
    std::lock_guard lock(sleep_mu_);
    sleep_cv_.notify_all();
  }
}

domain::Result<void> PersistOrders::Process(std::vector<ports::QueuedEntry>& batch) {
  std::vector<domain::Order> orders;
  std::vector<domain::CheckoutAttempt> attempts;
  orders.reserve(batch.size());
  for (const auto& queued : batch) {
    if (queued.order) orders.push_back(*queued.order);
    if (queued.attempt) attempts.push_back(*queued.attempt);
  }
  std::size_t failed = 0;
  if (!orders.empty()) {
    if (auto saved = SaveOrders(orders, failed); !saved) return saved.error();
  }
  if (!attempts.empty()) {
    if (auto recorded = repository_.SaveAttempts(attempts); !recorded) return recorded.error();
  }

  std::vector<std::string> receipts;
  receipts.reserve(batch.size());
  for (const auto& queued : batch) receipts.push_back(queued.receipt);
  if (auto acked = queue_.Ack(receipts); !acked) return acked.error();

  persisted_ += orders.size() - failed;
  failed_ += failed;
  attempts_ += attempts.size();
  if (!orders.empty()) metrics_.OrdersPersisted(orders.size() - failed);
  if (failed > 0) metrics_.OrdersFailed(failed);
  return domain::Ok();
}

domain::Result<void> PersistOrders::SaveOrders(const std::vector<domain::Order>& orders,
                                               std::size_t& failed) {
  const auto start = std::chrono::steady_clock::now();
  auto saved = repository_.SaveBatch(orders);
  if (!saved) return saved.error();
  if (saved->size() != orders.size()) {
    return domain::Error{domain::Outcome::kInternal, "SaveBatch answered for another batch"};
  }
  metrics_.BatchSaved(orders.size(), std::chrono::steady_clock::now() - start);
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const ports::SaveResult& result = (*saved)[i];
    if (result.saved) continue;
    // Permanent: give the units back (idempotent, so a retry after a crash is harmless).
    if (auto released = store_.Release(orders[i], result.reason); !released) {
      return released.error();
    }
    ++failed;
  }
  return domain::Ok();
}

void PersistOrders::Failed(std::string_view stage, const domain::Error& error, bool& failing) {
  const auto now = std::chrono::steady_clock::now();
  bool started = false;
  bool report = false;
  std::int64_t for_s = 0;
  std::uint64_t retries = 0;
  {
    std::lock_guard lock(outage_mu_);
    if (!failing) {
      failing = true;
      if (failing_workers_++ == 0) {
        started = true;
        outage_start_ = outage_reported_ = now;
        outage_retries_ = 0;
      }
    }
    ++outage_retries_;
    if (!started && now - outage_reported_ >= options_.outage_report_interval) {
      report = true;
      outage_reported_ = now;
    }
    for_s = Seconds(now - outage_start_);
    retries = outage_retries_;
  }
  if (started) {
    log_.Warn("persistence failing: accepted orders wait in the queue until it recovers",
              {{"stage", stage}, {"detail", error.detail}});
  } else if (report) {
    auto depth = queue_.Depth();  // outside the lock: it may wait out a Redis timeout
    log_.Warn("persistence still failing",
              {{"for_s", for_s},
               {"retries", retries},
               {"queued", depth ? static_cast<std::int64_t>(*depth) : std::int64_t{-1}},
               {"stage", stage},
               {"detail", error.detail}});
  }
}

void PersistOrders::Worked(bool& failing) {
  if (!failing) return;
  failing = false;
  std::int64_t outage_s = 0;
  std::uint64_t retries = 0;
  {
    std::lock_guard lock(outage_mu_);
    if (--failing_workers_ > 0) return;
    outage_s = Seconds(std::chrono::steady_clock::now() - outage_start_);
    retries = outage_retries_;
  }
  log_.Info("persistence recovered", {{"outage_s", outage_s}, {"retries", retries}});
}

}  // namespace flashsale::core
