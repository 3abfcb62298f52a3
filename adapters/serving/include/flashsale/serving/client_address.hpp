#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flashsale::serving {

/// The client address a trusted proxy reported in an X-Forwarded-For value: its last entry
/// (the one the proxy in front appended; entries before it are whatever the client sent).
/// nullopt when that entry is not a plausible IPv4/IPv6 address (then use the socket's).
inline std::optional<std::string> LastForwardedAddress(std::string_view list) {
  const auto comma = list.rfind(',');
  std::string_view last = comma == std::string_view::npos ? list : list.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  if (last.empty() || last.size() > 45 ||
      last.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(last);
}

}  // namespace flashsale::serving
