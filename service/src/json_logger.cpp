#include "flashsale/service/json_logger.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "flashsale/domain/text.hpp"
#include "flashsale/domain/time.hpp"

namespace flashsale::service {
namespace {

std::string_view LevelName(ports::LogLevel level) {
  switch (level) {
    case ports::LogLevel::kInfo:
      return "info";
    case ports::LogLevel::kWarn:
      return "warn";
    case ports::LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  return domain::FormatRfc3339(
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()));
}

void AppendValue(std::string& out, const ports::LogField::Value& value) {
  struct Writer {
    std::string& out;
    void operator()(const std::string& v) const { domain::AppendJsonString(out, v); }
    void operator()(std::int64_t v) const { out += std::to_string(v); }
    void operator()(std::uint64_t v) const { out += std::to_string(v); }
    void operator()(double v) const { out += std::isfinite(v) ? fmt::format("{}", v) : "null"; }
    void operator()(bool v) const { out += v ? "true" : "false"; }
    void operator()(const ports::RawJson& v) const { out += v.text.empty() ? "null" : v.text; }
  };
  std::visit(Writer{out}, value);
}

}  // namespace

void JsonLogger::Log(ports::LogLevel level, std::string_view msg,
                     std::span<const ports::LogField> fields) {
  std::string line = R"({"ts":")" + Timestamp() + R"(","level":")";
  line += LevelName(level);
  line += R"(","app":)";
  domain::AppendJsonString(line, app_);
  line += R"(,"msg":)";
  domain::AppendJsonString(line, msg);
  for (const auto& field : fields) {
    line += ',';
    domain::AppendJsonString(line, field.key);
    line += ':';
    AppendValue(line, field.value);
  }
  line += "}\n";
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace flashsale::service
