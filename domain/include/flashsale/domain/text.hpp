#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flashsale::domain {

/// One decoded UTF-8 sequence: its code point and length in bytes (0 when invalid).
struct Utf8Char {
  std::uint32_t code = 0;
  std::size_t length = 0;
};

/// Decodes the UTF-8 sequence starting at text[i] (i < text.size()). Strict: truncated
/// sequences, stray continuation bytes, overlong forms, surrogates and values past U+10FFFF
/// are invalid (length 0).
Utf8Char DecodeUtf8(std::string_view text, std::size_t i) noexcept;

/// True when `text` is entirely valid UTF-8 (per DecodeUtf8).
bool IsValidUtf8(std::string_view text) noexcept;

/// Appends `text` as a JSON string literal (quotes included): escapes quotes, backslashes and
/// control characters, and replaces every invalid UTF-8 byte by U+FFFD, so the output is
/// always valid JSON in valid UTF-8. The one JSON string writer of the project.
void AppendJsonString(std::string& out, std::string_view text);

/// An amount of cents in currency units with two decimals: 1999 -> "19.99", 5 -> "0.05",
/// -250 -> "-2.50".
std::string FormatCents(std::int64_t cents);

/// `text` as a number of type T when the whole of it is one (std::from_chars: an optional '-'
/// only, no '+', no spaces, nothing after); nullopt otherwise, and on overflow. The one strict
/// number parser of the project.
template <class T>
std::optional<T> ParseNumber(std::string_view text) noexcept {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace flashsale::domain
