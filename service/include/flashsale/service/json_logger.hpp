#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "flashsale/ports/logger.hpp"

namespace flashsale::service {

/// The apps' (and a Service's default) log sink: JSON lines {"ts","level","app","msg",<fields>} on
/// stdout (or `out`). The one logger of the process; libraries get it as a ports::Logger.
/// Thread-safe (one line per call, never interleaved).
class JsonLogger final : public ports::Logger {
 public:
  explicit JsonLogger(std::string app, std::FILE* out = stdout) : app_(std::move(app)), out_(out) {}
  void Log(ports::LogLevel level, std::string_view msg,
           std::span<const ports::LogField> fields) override;

 private:
  std::string app_;
  std::FILE* out_;
  std::mutex mu_;
};

}  // namespace flashsale::service
