#include "flashsale/mysql/mysql_options.hpp"

#include <cctype>
#include <charconv>

namespace flashsale::mysql {
namespace {

// The url may hold a password: never echo it.
domain::Error Bad(std::string_view why) {
  return domain::Error{domain::Outcome::kInvalidRequest,
                       "invalid mysql url: " + std::string(why) +
                           " (expected mysql://user[:password]@host[:port]/database)"};
}

}  // namespace

domain::Result<MySqlOptions> ParseMySqlUrl(std::string_view url) {
  constexpr std::string_view kScheme = "mysql://";
  if (!url.starts_with(kScheme)) return Bad("scheme must be mysql://");
  std::string_view rest = url.substr(kScheme.size());
  MySqlOptions options;
  auto at = rest.rfind('@');
  if (at == std::string_view::npos) return Bad("user is missing");
  std::string_view auth = rest.substr(0, at);
  rest = rest.substr(at + 1);
  if (auto colon = auth.find(':'); colon != std::string_view::npos) {
    options.password = std::string(auth.substr(colon + 1));
    auth = auth.substr(0, colon);
  }
  if (auth.empty()) return Bad("user is empty");
  options.user = std::string(auth);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 >= rest.size()) {
    return Bad("database is missing");
  }
  options.database = std::string(rest.substr(slash + 1));
  for (char c : options.database) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return Bad("database name must be [A-Za-z0-9_]");
    }
  }
  rest = rest.substr(0, slash);
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = rest.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), options.port);
    if (ec != std::errc() || end != port.data() + port.size() || options.port < 1 ||
        options.port > 65535) {
      return Bad("port must be 1..65535");
    }
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return Bad("host is empty");
  options.host = std::string(rest);
  return options;
}

std::string Redacted(const MySqlOptions& options) {
  return "mysql://" + options.user + (options.password.empty() ? "" : ":***") + "@" + options.host +
         ":" + std::to_string(options.port) + "/" + options.database;
}

}  // namespace flashsale::mysql
