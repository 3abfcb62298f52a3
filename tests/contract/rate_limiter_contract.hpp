#pragma once

// The RateLimiter contract, written once and instantiated per backend:
//   INSTANTIATE_TEST_SUITE_P(Memory, RateLimiterContract, ::testing::Values(factory));

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "flashsale/ports/rate_limiter.hpp"

namespace flashsale::testing {

class RateLimiterHarness {
 public:
  virtual ~RateLimiterHarness() = default;
  virtual ports::RateLimiter& limiter() = 0;
  /// Another limiter on the same backend (another instance), or nullptr when the backend is
  /// one process's own.
  virtual ports::RateLimiter* other() { return nullptr; }
  /// Lets `d` pass (a manual clock moves; a real one is waited for).
  virtual void Pass(std::chrono::milliseconds d) = 0;
};

struct RateLimiterFactory {
  std::string name;
  std::function<std::unique_ptr<RateLimiterHarness>()> make;
};
inline void PrintTo(const RateLimiterFactory& factory, std::ostream* os) { *os << factory.name; }

class RateLimiterContract : public ::testing::TestWithParam<RateLimiterFactory> {
 protected:
  void SetUp() override { harness_ = GetParam().make(); }
  /// Admit synchronously on `limiter` (the harness's by default).
  ports::RateVerdict Admit(std::vector<ports::RateBucket> buckets,
                           ports::RateLimiter* limiter = nullptr);
  /// A bucket key unique to this test run.
  std::string Key(const std::string& name);

  std::unique_ptr<RateLimiterHarness> harness_;
};

}  // namespace flashsale::testing
