#pragma once

#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flashsale/ports/logger.hpp"

namespace flashsale::testing {

/// A Logger that keeps each line's level and message, for tests that check what an operator
/// is told.
class RecordingLogger final : public ports::Logger {
 public:
  void Log(ports::LogLevel level, std::string_view msg, std::span<const ports::LogField>) override {
    std::lock_guard lock(mu_);
    lines_.emplace_back(level, std::string(msg));
  }
  std::vector<std::pair<ports::LogLevel, std::string>> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<ports::LogLevel, std::string>> lines_;
};

}  // namespace flashsale::testing
