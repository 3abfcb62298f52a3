#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace flashsale::serving {

/// The admin API's credential: a static bearer token (RFC 6750). Checked in constant time
/// (for a given length); the token is never logged or shown. Thread-safe (immutable).
class BearerToken {
 public:
  enum class Verdict {
    kOff,      ///< no token configured: the admin API does not exist (404)
    kMissing,  ///< no "Bearer" credentials in the request (401)
    kWrong,    ///< credentials that are not the token (401, error="invalid_token")
    kGranted,
  };

  explicit BearerToken(std::string token) : token_(std::move(token)) {}

  bool enabled() const noexcept { return !token_.empty(); }

  /// Checks an Authorization header value ("Bearer <token>"; the scheme is
  /// case-insensitive, as in RFC 7235).
  Verdict Check(std::string_view authorization) const noexcept {
    if (token_.empty()) return Verdict::kOff;
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() <= kScheme.size()) return Verdict::kMissing;
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
      const char c = authorization[i];
      if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) {
        return Verdict::kMissing;
      }
    }
    std::string_view given = authorization.substr(kScheme.size());
    while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
    while (!given.empty() && given.back() == ' ') given.remove_suffix(1);
    return Equal(given, token_) ? Verdict::kGranted : Verdict::kWrong;
  }

 private:
  /// Looks at every byte of the token whatever the input, so the time taken tells nothing
  /// about how much of a guess was right.
  static bool Equal(std::string_view given, std::string_view token) noexcept {
    unsigned diff = given.size() == token.size() ? 0U : 1U;
    for (std::size_t i = 0; i < token.size(); ++i) {
      const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
      diff |= g ^ static_cast<unsigned char>(token[i]);
    }
    return diff == 0;
  }

  std::string token_;
};

}  // namespace flashsale::serving
