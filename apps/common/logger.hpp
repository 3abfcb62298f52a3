#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace flashsale::app {

/// JSON lines on stdout: {"ts":..., "level":..., "app":..., "msg":..., <fields>}.
/// Thread-safe (one line per call, never interleaved).
class Logger {
 public:
  explicit Logger(std::string app) : app_(std::move(app)) {}
  void Info(std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());
  void Warn(std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());
  void Error(std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());

 private:
  void Write(std::string_view level, std::string_view msg, const nlohmann::json& fields);
  std::string app_;
  std::mutex mu_;
};

}  // namespace flashsale::app
