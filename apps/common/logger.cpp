#include "logger.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace flashsale::app {

void Logger::Info(std::string_view msg, const nlohmann::json& fields) {
  Write("info", msg, fields);
}
void Logger::Warn(std::string_view msg, const nlohmann::json& fields) {
  Write("warn", msg, fields);
}
void Logger::Error(std::string_view msg, const nlohmann::json& fields) {
  Write("error", msg, fields);
}

void Logger::Write(std::string_view level, std::string_view msg, const nlohmann::json& fields) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char ts[64];
  std::snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  nlohmann::json line{{"ts", ts}, {"level", level}, {"app", app_}, {"msg", msg}};
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mu_);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace flashsale::app
