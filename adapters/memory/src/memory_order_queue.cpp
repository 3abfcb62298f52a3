#include "flashsale/memory/memory_order_queue.hpp"

#include <string>

#include "flashsale/domain/text.hpp"

namespace flashsale::memory {

MemoryOrderQueue::MemoryOrderQueue(MemoryQueueOptions options) : options_(options) {}

bool MemoryOrderQueue::Push(Entry entry) {
  {
    std::lock_guard lock(mu_);
    if (ready_.size() + pending_.size() >= options_.capacity) return false;
    ready_.emplace_back(next_seq_++, std::move(entry));
  }
  ready_cv_.notify_one();
  return true;
}

bool MemoryOrderQueue::TryPush(const domain::Order& order) { return Push(Entry{order, {}}); }

bool MemoryOrderQueue::TryPush(const domain::CheckoutAttempt& attempt) {
  return Push(Entry{{}, attempt});
}

std::size_t MemoryOrderQueue::CountFor(const domain::SaleId& sale) const {
  std::lock_guard lock(mu_);
  std::size_t count = 0;
  for (const auto& [seq, entry] : ready_) count += entry.sale() == sale ? 1 : 0;
  for (const auto& [seq, pending] : pending_) count += pending.entry.sale() == sale ? 1 : 0;
  return count;
}

std::pair<std::vector<domain::Order>, std::uint64_t> MemoryOrderQueue::OrdersOf(
    const domain::SaleId& sale) const {
  std::lock_guard lock(mu_);
  std::vector<domain::Order> orders;
  for (const auto& [seq, entry] : ready_) {
    if (entry.order && entry.order->sale == sale) orders.push_back(*entry.order);
  }
  for (const auto& [seq, pending] : pending_) {
    if (pending.entry.order && pending.entry.order->sale == sale)
      orders.push_back(*pending.entry.order);
  }
  return {std::move(orders), next_seq_ - 1};
}

ports::QueuedEntry MemoryOrderQueue::Deliver(std::uint64_t seq, const Entry& entry) {
  ports::QueuedEntry delivered{std::to_string(seq), entry.order, entry.attempt};
  if (delivered.order) {
    delivered.order->position = domain::QueuePosition{0, static_cast<std::int64_t>(seq)};
  }
  return delivered;
}

domain::Result<std::vector<ports::QueuedEntry>> MemoryOrderQueue::Pull(
    std::string_view consumer, std::size_t max, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  if (ready_.empty() && wait.count() > 0) {
    ready_cv_.wait_for(lock, wait, [this] { return !ready_.empty(); });
  }
  std::vector<ports::QueuedEntry> out;
  const auto now = std::chrono::steady_clock::now();
  while (!ready_.empty() && out.size() < max) {
    auto& [seq, entry] = ready_.front();
    out.push_back(Deliver(seq, entry));
    pending_.emplace(seq, Pending{std::string(consumer), now, std::move(entry)});
    ready_.pop_front();
  }
  return out;
}

domain::Result<void> MemoryOrderQueue::Ack(const std::vector<std::string>& receipts) {
  std::lock_guard lock(mu_);
  for (const auto& receipt : receipts) {
    // Not one of ours (not a whole number): acknowledging an unknown receipt is a no-op.
    if (auto seq = domain::ParseNumber<std::uint64_t>(receipt)) pending_.erase(*seq);
  }
  return domain::Ok();
}

domain::Result<std::vector<ports::QueuedEntry>> MemoryOrderQueue::ReclaimStale(
    std::string_view consumer, std::chrono::milliseconds idle, std::size_t max) {
  std::lock_guard lock(mu_);
  std::vector<ports::QueuedEntry> out;
  const auto now = std::chrono::steady_clock::now();
  for (auto& [seq, pending] : pending_) {
    if (out.size() >= max) break;
    if (now - pending.delivered_at < idle) continue;
    pending.consumer = std::string(consumer);
    pending.delivered_at = now;
    out.push_back(Deliver(seq, pending.entry));
  }
  return out;
}

domain::Result<std::size_t> MemoryOrderQueue::Depth() {
  std::lock_guard lock(mu_);
  return ready_.size() + pending_.size();
}

}  // namespace flashsale::memory
