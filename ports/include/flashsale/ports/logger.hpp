#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace flashsale::ports {

/// A value that is already encoded JSON (an object or array built by the caller), written
/// as is by JSON sinks.
struct RawJson {
  std::string text;
};

/// One structured field of a log line: a key and a string, number, bool or raw JSON value.
struct LogField {
  using Value = std::variant<std::string, std::int64_t, std::uint64_t, double, bool, RawJson>;

  LogField(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, RawJson v) : key(k), value(std::move(v)) {}
  template <std::signed_integral T>
  LogField(std::string_view k, T v) : key(k), value(static_cast<std::int64_t>(v)) {}
  template <std::unsigned_integral T>
  requires(!std::same_as<T, bool>) LogField(std::string_view k, T v)
      : key(k), value(static_cast<std::uint64_t>(v)) {}

  std::string key;
  Value value;
};

enum class LogLevel { kInfo, kWarn, kError };

/// Where the library's components report what an operator should see (outages, recoveries,
/// corrupt data). The app installs one sink (JSON lines on stdout); libraries never print.
/// Implementations are thread-safe, never throw, and write each call as one line. Not for
/// the per-request hot path.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, std::string_view msg, std::span<const LogField> fields) = 0;

  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, msg, {fields.begin(), fields.size()});
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarn, msg, {fields.begin(), fields.size()});
  }
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, msg, {fields.begin(), fields.size()});
  }
};

/// Discards everything (tests, benchmarks).
class NullLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view, std::span<const LogField>) override {}
};

}  // namespace flashsale::ports
