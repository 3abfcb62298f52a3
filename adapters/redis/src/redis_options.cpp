#include "flashsale/redis/redis_options.hpp"

#include <charconv>
#include <string>

namespace flashsale::redis {
namespace {

domain::Error Bad(std::string_view url, std::string_view why) {
  return domain::Error{domain::Outcome::kInvalidRequest,
                       "invalid redis url '" + std::string(url) + "': " + std::string(why) +
                           " (expected redis://[:password@]host[:port][/db])"};
}

bool ParseInt(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
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
    if (!db.empty() && (!ParseInt(db, options.db) || options.db < 0 || options.db > 15)) {
      return Bad(url, "db must be 0..15");
    }
    rest = rest.substr(0, slash);
  }
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (!ParseInt(rest.substr(colon + 1), options.port) || options.port < 1 ||
        options.port > 65535) {
      return Bad(url, "port must be 1..65535");
    }
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return Bad(url, "host is empty");
  options.host = std::string(rest);
  return options;
}

}  // namespace flashsale::redis
