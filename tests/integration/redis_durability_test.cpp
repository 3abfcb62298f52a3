// What a redis-server crash can lose, as the apps report it at start from Redis's own AOF
// settings (CONFIG GET), against a real redis-server.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "flashsale/redis/durability.hpp"
#include "process.hpp"
#include "recording_logger.hpp"
#include "redis_server.hpp"

namespace flashsale::testing {
namespace {

std::pair<ports::LogLevel, std::string> ReportOf(const redis::RedisOptions& options) {
  RecordingLogger log;
  redis::ReportDurability(options, log);
  auto lines = log.lines();
  EXPECT_EQ(lines.size(), 1U);
  return lines.empty() ? std::pair{ports::LogLevel::kError, std::string()} : lines.front();
}

TEST(RedisDurabilityReportTest, AppendfsyncAlwaysIsReportedAsInfo) {
  RedisServer server("always");
  auto settings = redis::ReadAofSettings(server.Options());
  ASSERT_TRUE(settings.ok()) << settings.error().detail;
  EXPECT_EQ(settings->appendonly, "yes");
  EXPECT_EQ(settings->appendfsync, "always");
  auto [level, msg] = ReportOf(server.Options());
  EXPECT_EQ(level, ports::LogLevel::kInfo);
  EXPECT_EQ(msg, "redis durability");
}

TEST(RedisDurabilityReportTest, EverysecIsAWarningThatNamesTheWindow) {
  RedisServer server("everysec");
  auto [level, msg] = ReportOf(server.Options());
  EXPECT_EQ(level, ports::LogLevel::kWarn);
  EXPECT_NE(msg.find("last second or two"), std::string::npos) << msg;
}

TEST(RedisDurabilityReportTest, AofOffIsAWarning) {
  RedisServer server("always");
  server.Cli("CONFIG SET appendonly no");
  auto [level, msg] = ReportOf(server.Options());
  EXPECT_EQ(level, ports::LogLevel::kWarn);
  EXPECT_TRUE(msg.starts_with("REDIS AOF IS OFF")) << msg;
}

TEST(RedisDurabilityReportTest, ARefusedConfigCommandIsAWarningNotAFailure) {
  RedisServer server("always");
  server.Cli("ACL SETUSER default -config");
  auto settings = redis::ReadAofSettings(server.Options());
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.error().outcome, domain::Outcome::kUnavailable);
  auto [level, msg] = ReportOf(server.Options());
  EXPECT_EQ(level, ports::LogLevel::kWarn);
  EXPECT_EQ(msg, "cannot read the redis persistence settings");
}

TEST(RedisDurabilityReportTest, AnUnreachableRedisIsAWarning) {
  redis::RedisOptions options;
  options.host = "127.0.0.1";
  options.port = FreePort();
  auto [level, msg] = ReportOf(options);
  EXPECT_EQ(level, ports::LogLevel::kWarn);
  EXPECT_EQ(msg, "cannot read the redis persistence settings");
}

}  // namespace
}  // namespace flashsale::testing
