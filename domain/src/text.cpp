#include "flashsale/domain/text.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "flashsale/domain/time.hpp"

namespace flashsale::domain {

Utf8Char DecodeUtf8(std::string_view text, std::size_t i) noexcept {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) return {lead, 1};
  std::size_t extra = 0;
  std::uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    code = lead & 0x07;
  } else {
    return {};  // a continuation byte or 0xF8..0xFF cannot start a sequence
  }
  if (i + extra >= text.size()) return {};  // truncated
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return {};
    code = (code << 6) | (next & 0x3F);
  }
  const bool overlong =
      (extra == 1 && code < 0x80) || (extra == 2 && code < 0x800) || (extra == 3 && code < 0x10000);
  if (overlong || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {};
  return {code, extra + 1};
}

bool IsValidUtf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char c = DecodeUtf8(text, i);
    if (c.length == 0) return false;
    i += c.length;
  }
  return true;
}

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
      ++i;
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (const Utf8Char decoded = DecodeUtf8(text, i); decoded.length != 0) {
      out.append(text.substr(i, decoded.length));
      i += decoded.length;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out.push_back('"');
}

std::string FormatRfc3339(TimePoint t) {
  const std::int64_t ms = ToUnixMillis(t);
  const std::int64_t floor_ms = ms >= 0 ? ms : ms - 999;
  const auto seconds = static_cast<std::time_t>(floor_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     ((ms % 1000) + 1000) % 1000);
}

namespace {

/// Reads exactly `digits` decimal digits at `pos`; nullopt otherwise.
std::optional<int> Digits(std::string_view text, std::size_t pos, std::size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool At(std::string_view text, std::size_t pos, char c) {
  return pos < text.size() && text[pos] == c;
}

/// The offset "Z" or "+HH:MM"/"-HH:MM" at `pos`, as minutes east of UTC; nullopt when
/// malformed or not the end of the text.
std::optional<int> ZoneOffset(std::string_view text, std::size_t pos) {
  if (pos + 1 == text.size() && (text[pos] == 'Z' || text[pos] == 'z')) return 0;
  if (pos + 6 != text.size() || (text[pos] != '+' && text[pos] != '-') || text[pos + 3] != ':') {
    return std::nullopt;
  }
  auto hours = Digits(text, pos + 1, 2);
  auto minutes = Digits(text, pos + 4, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  const int offset = *hours * 60 + *minutes;
  return text[pos] == '-' ? -offset : offset;
}

}  // namespace

std::optional<TimePoint> ParseRfc3339(std::string_view text) {
  auto year = Digits(text, 0, 4);
  auto month = Digits(text, 5, 2);
  auto day = Digits(text, 8, 2);
  auto hour = Digits(text, 11, 2);
  auto minute = Digits(text, 14, 2);
  auto second = Digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !At(text, 4, '-') ||
      !At(text, 7, '-') || !(At(text, 10, 'T') || At(text, 10, 't')) || !At(text, 13, ':') ||
      !At(text, 16, ':')) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (*year < 1970 || !date.ok() || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (At(text, pos, '.')) {
    std::size_t digits = 0;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  auto offset = ZoneOffset(text, pos);
  if (!offset) return std::nullopt;
  const auto days = std::chrono::sys_days(date);
  const TimePoint at = std::chrono::time_point_cast<std::chrono::milliseconds>(days) +
                       std::chrono::hours(*hour) + std::chrono::minutes(*minute - *offset) +
                       std::chrono::seconds(*second) + std::chrono::milliseconds(millis);
  // The offset can carry an edge date out of range (found by fuzz_text: 1970-01-01T00:00+01:00
  // is 1969, 9999-12-31T23:59-01:00 is year 10000, neither formats back).
  static const TimePoint kLast =
      std::chrono::sys_days(std::chrono::year(10000) / 1 / 1) - std::chrono::milliseconds(1);
  if (at < TimePoint{} || at > kLast) return std::nullopt;
  return at;
}

std::string FormatCents(std::int64_t cents) {
  const char* sign = cents < 0 ? "-" : "";
  const std::uint64_t magnitude =
      cents < 0 ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
  return fmt::format("{}{}.{:02}", sign, magnitude / 100, magnitude % 100);
}

}  // namespace flashsale::domain
