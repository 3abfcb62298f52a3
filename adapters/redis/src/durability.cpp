#include "flashsale/redis/durability.hpp"

#include <hiredis/hiredis.h>

#include <utility>

#include "flashsale/redis/connection.hpp"

namespace flashsale::redis {

domain::Result<AofSettings> ReadAofSettings(const RedisOptions& options) {
  auto connection = Connection::Open(options);
  if (!connection) return connection.error();
  AofSettings settings;
  for (auto [name, value] : {std::pair{"appendonly", &settings.appendonly},
                             std::pair{"appendfsync", &settings.appendfsync}}) {
    auto reply = (*connection)->Command({"CONFIG", "GET", name});
    if (!reply) return reply.error();
    const redisReply* r = reply->get();
    if (IsError(r) || Size(r) < 2) {
      return domain::Error{domain::Outcome::kUnavailable, "redis CONFIG GET " + std::string(name) +
                                                              " refused: " + std::string(Str(r))};
    }
    *value = Str(At(r, 1));
  }
  return settings;
}

void ReportDurability(const RedisOptions& options, ports::Logger& log) {
  for (const RedisNode& seed : Seeds(options)) {
    const std::string node = seed.host + ":" + std::to_string(seed.port);
    auto aof = ReadAofSettings(AtNode(options, seed));
    if (!aof) {
      log.Warn("cannot read the redis persistence settings",
               {{"node", node}, {"detail", aof.error().detail}});
    } else if (aof->appendonly != "yes") {
      log.Warn(
          "REDIS AOF IS OFF: a redis-server crash loses acknowledged orders; run it with "
          "appendonly yes and appendfsync always",
          {{"node", node}, {"appendonly", aof->appendonly}});
    } else if (aof->appendfsync != "always") {
      log.Warn(
          "redis appendfsync is not always: a redis-server crash can lose the orders it "
          "acknowledged in its last second or two; appendfsync always keeps every one",
          {{"node", node}, {"appendfsync", aof->appendfsync}});
    } else {
      log.Info(
          "redis durability",
          {{"node", node}, {"appendonly", aof->appendonly}, {"appendfsync", aof->appendfsync}});
    }
  }
}

}  // namespace flashsale::redis
