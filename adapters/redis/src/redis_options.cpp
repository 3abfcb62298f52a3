#include "flashsale/redis/redis_options.hpp"

#include <string>

#include "flashsale/domain/text.hpp"

namespace flashsale::redis {
namespace {

domain::Error Bad(std::string_view url, std::string_view why) {
  return domain::Error{domain::Outcome::kInvalidRequest,
                       "invalid redis url '" + std::string(url) + "': " + std::string(why) +
                           " (expected redis://[:password@]host[:port][,host[:port]...][/db])"};
}

/// `text` into `out` when it is a whole number in [low, high].
bool ParseIntIn(std::string_view text, int low, int high, int& out) {
  auto value = domain::ParseNumber<int>(text);
  if (!value || *value < low || *value > high) return false;
  out = *value;
  return true;
}

}  // namespace

domain::Result<RedisOptions> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) return Bad(url, "scheme must be redis://");
  std::string_view rest = url.substr(kScheme.size());
  RedisOptions options;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    if (auto colon = auth.find(':'); colon != std::string_view::npos) auth = auth.substr(colon + 1);
    options.password = std::string(auth);
    rest = rest.substr(at + 1);
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !ParseIntIn(db, 0, 15, options.db)) {
      return Bad(url, "db must be 0..15");
    }
    rest = rest.substr(0, slash);
  }
  std::vector<RedisNode> nodes;
  while (true) {
    const auto comma = rest.find(',');
    std::string_view address = rest.substr(0, comma);
    RedisNode node;
    if (auto colon = address.rfind(':'); colon != std::string_view::npos) {
      if (!ParseIntIn(address.substr(colon + 1), 1, 65535, node.port)) {
        return Bad(url, "port must be 1..65535");
      }
      address = address.substr(0, colon);
    }
    if (address.empty()) return Bad(url, "host is empty");
    node.host = std::string(address);
    nodes.push_back(std::move(node));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (nodes.size() > 1 && options.db != 0) {
    return Bad(url, "a Redis Cluster has database 0 only");
  }
  options.host = nodes.front().host;
  options.port = nodes.front().port;
  options.more_seeds.assign(nodes.begin() + 1, nodes.end());
  return options;
}

std::vector<RedisNode> Seeds(const RedisOptions& options) {
  std::vector<RedisNode> seeds{RedisNode{options.host, options.port}};
  seeds.insert(seeds.end(), options.more_seeds.begin(), options.more_seeds.end());
  return seeds;
}

RedisOptions AtNode(const RedisOptions& options, const RedisNode& node) {
  RedisOptions at = options;
  at.host = node.host;
  at.port = node.port;
  at.more_seeds.clear();
  return at;
}

}  // namespace flashsale::redis
