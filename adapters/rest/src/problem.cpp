#include "problem.hpp"

namespace flashsale::rest {

HttpOutcome ToHttp(core::Outcome outcome) {
  using core::Outcome;
  switch (outcome) {
    case Outcome::kAccepted:
      return {200, "order placed successfully", "", "OK"};
    case Outcome::kInvalidRequest:
      return {400, "invalid request body", "invalid-request", "Invalid request"};
    case Outcome::kUnknownItem:
      return {404, "unknown item", "unknown-item", "Unknown item"};
    case Outcome::kDuplicateRequest:
      return {409, "duplicate request", "duplicate-request", "Duplicate request"};
    case Outcome::kSoldOut:
      return {410, "sold out", "sold-out", "Sold out"};
    case Outcome::kUserLimitReached:
      return {403, "user limit reached", "user-limit-reached", "Per-user limit reached"};
    case Outcome::kSaleNotActive:
      return {409, "sale not active", "sale-not-active", "Sale not active"};
    case Outcome::kRateLimited:
      return {429, "rate limited", "rate-limited", "Too many requests"};
    case Outcome::kUnavailable:
      return {503, "service unavailable", "unavailable", "Service unavailable"};
    case Outcome::kInternal:
      break;
  }
  return {500, "internal error", "internal", "Internal error"};
}

void AppendJsonString(std::string& out, std::string_view text) {
  // Hot path: answers are built by hand (nlohmann's dump showed up in the profile).
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
      ++i;
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else {
      std::size_t len = (c & 0xE0) == 0xC0   ? 2
                        : (c & 0xF0) == 0xE0 ? 3
                        : (c & 0xF8) == 0xF0 ? 4
                                             : 0;
      bool valid = len != 0 && i + len <= text.size();
      for (std::size_t k = 1; valid && k < len; ++k) {
        valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
      }
      if (valid) {
        out.append(text.substr(i, len));
        i += len;
      } else {
        out += "\\ufffd";
        ++i;
      }
    }
  }
  out.push_back('"');
}

std::string ProblemJson(int code, std::string_view slug, std::string_view title,
                        std::string_view message, std::string_view detail, std::string_view extra) {
  std::string out;
  out.reserve(160 + detail.size() + extra.size());
  out += "{\"type\":\"/problems/";
  out += slug;
  out += "\",\"title\":";
  AppendJsonString(out, title);
  out += ",\"status\":";
  out += std::to_string(code);
  out += ",\"detail\":";
  AppendJsonString(out, detail);
  out += ",\"success\":false,\"message\":";
  AppendJsonString(out, message);
  out += extra;
  out += '}';
  return out;
}

}  // namespace flashsale::rest
