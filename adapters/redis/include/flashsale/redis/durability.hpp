#pragma once

#include <string>

#include "flashsale/domain/result.hpp"
#include "flashsale/ports/logger.hpp"
#include "flashsale/redis/redis_options.hpp"

namespace flashsale::redis {

/// What a crash of redis-server can lose is decided by its AOF settings.
struct AofSettings {
  std::string appendonly;   // "yes" | "no"
  std::string appendfsync;  // "always" | "everysec" | "no"
};

/// Reads `CONFIG GET appendonly` / `appendfsync` on a connection of its own. Unavailable when
/// Redis can't be reached or refuses CONFIG (managed services often rename it).
domain::Result<AofSettings> ReadAofSettings(const RedisOptions& options);

/// Tells the operator what a crash of redis-server can lose: with `appendfsync always` no
/// acknowledged order; with `everysec` those of its last second or two (Redis answers before
/// its AOF write while a background fsync is slow); without AOF, everything since the last
/// snapshot. A warning for the last two and when the settings can't be read. Every seed node
/// is reported (list a cluster's masters as its seeds to see them all).
void ReportDurability(const RedisOptions& options, ports::Logger& log);

}  // namespace flashsale::redis
