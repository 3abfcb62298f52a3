#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace flashsale::serving {

/// A few threads for work that blocks on I/O (order lookups), so the delivery adapters'
/// reactor threads never do. Stop() finishes the queued jobs, then joins. Thread-safe.
class BlockingPool {
 public:
  explicit BlockingPool(int threads) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this](std::stop_token stop) { Run(stop); });
    }
  }
  ~BlockingPool() { Stop(); }

  void Post(std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

  /// Finishes queued jobs, then joins.
  void Stop() {
    for (auto& worker : workers_) worker.request_stop();
    cv_.notify_all();
    workers_.clear();
  }

 private:
  void Run(std::stop_token stop) {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, stop, [this] { return !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopped and drained
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::jthread> workers_;
};

}  // namespace flashsale::serving
