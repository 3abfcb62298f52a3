#include "framing.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace flashsale::rest {
namespace {

constexpr std::size_t npos = std::string_view::npos;

Frame Refused(int code, std::string_view message) {
  return Frame{Frame::Kind::kRefused, 0, 0, code, message};
}

bool IsTchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != npos;
}

bool IsFieldChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7F); }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// One CRLF-terminated line starting at `from`.
struct Line {
  enum class State { kMore, kBad, kOk } state;
  std::string_view text;  ///< without the CRLF (kMore: what arrived so far)
  std::size_t next = 0;   ///< kOk: offset after the CRLF
};

Line NextLine(std::string_view bytes, std::size_t from) {
  for (std::size_t i = from; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') return {Line::State::kBad, {}, 0};
    if (bytes[i] != '\r') continue;
    if (i + 1 == bytes.size()) return {Line::State::kMore, bytes.substr(from, i - from), 0};
    if (bytes[i + 1] != '\n') return {Line::State::kBad, {}, 0};
    return {Line::State::kOk, bytes.substr(from, i - from), i + 2};
  }
  return {Line::State::kMore, bytes.substr(from), 0};
}

constexpr std::string_view kBareLineEnd = "malformed request: lines must end with CRLF";

/// Checks a request line, or the prefix of one that has arrived (`whole` false): refuses as
/// soon as the bytes prove it malformed.
std::optional<Frame> CheckRequestLine(std::string_view line, bool whole) {
  const std::size_t method_end = line.find(' ');
  const std::string_view method = line.substr(0, method_end);
  for (char c : method) {
    if (!IsTchar(static_cast<unsigned char>(c))) return Refused(400, "malformed request line");
  }
  if (method_end == npos) {
    if (whole) return Refused(400, "malformed request line");
    return std::nullopt;
  }
  if (method.empty()) return Refused(400, "malformed request line");
  const std::size_t target_end = line.find(' ', method_end + 1);
  const std::string_view target = line.substr(method_end + 1, target_end - (method_end + 1));
  if (target_end == method_end + 1) return Refused(400, "empty request target");
  if (!target.empty() && target.front() != '/') {
    return Refused(400, "the request target must be an absolute path");
  }
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return Refused(400, "malformed request target");
  }
  if (target_end == npos) {
    if (whole) return Refused(400, "malformed request line: no HTTP version");
    return std::nullopt;
  }
  const std::string_view version = line.substr(target_end + 1);
  constexpr std::string_view kHttp1 = "HTTP/1.";
  const std::size_t n = std::min(version.size(), kHttp1.size());
  if (version.substr(0, n) != kHttp1.substr(0, n)) {
    if (version.size() >= 5 && version.substr(0, 5) == "HTTP/") {
      return Refused(505, "only HTTP/1.1 and HTTP/1.0 are served");
    }
    return Refused(400, "malformed request line");
  }
  if (version.size() > 8) return Refused(400, "malformed request line");
  if (!whole) return std::nullopt;
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return version.size() == 8 ? Refused(505, "only HTTP/1.1 and HTTP/1.0 are served")
                               : Refused(400, "malformed request line");
  }
  // What the routes serve (every other method on a known path gets 405 from them). HEAD,
  // OPTIONS, TRACE and CONNECT would be answered by Pistache's router itself, outside the
  // ordered, problem+json answers (and HEAD with a body): refused here instead.
  static constexpr std::array<std::string_view, 5> kMethods = {"GET", "POST", "PUT", "DELETE",
                                                               "PATCH"};
  for (auto known : kMethods) {
    if (method == known) return std::nullopt;
  }
  return Refused(501, "request method not implemented");
}

/// What the header fields say about the body.
struct BodyFraming {
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
};

/// Folds one Content-Length field value ("5" or "5, 5") into `framing`.
std::optional<Frame> AddContentLength(std::string_view value, BodyFraming& framing) {
  while (true) {
    const std::size_t comma = value.find(',');
    const std::string_view item = Trim(value.substr(0, comma));
    if (item.empty() || item.size() > 15) return Refused(400, "invalid Content-Length");
    std::uint64_t length = 0;
    for (char c : item) {
      if (c < '0' || c > '9') return Refused(400, "invalid Content-Length");
      length = length * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (framing.content_length && *framing.content_length != length) {
      return Refused(400, "conflicting Content-Length values");
    }
    framing.content_length = length;
    if (comma == npos) return std::nullopt;
    value.remove_prefix(comma + 1);
  }
}

/// Checks one header field line and notes the body framing it declares.
std::optional<Frame> CheckField(std::string_view line, BodyFraming& framing) {
  if (line.front() == ' ' || line.front() == '\t') {
    return Refused(400, "obsolete header line folding is not accepted");
  }
  const std::size_t colon = line.find(':');
  if (colon == npos || colon == 0) return Refused(400, "malformed header field");
  const std::string_view name = line.substr(0, colon);
  for (char c : name) {
    if (!IsTchar(static_cast<unsigned char>(c))) return Refused(400, "malformed header field");
  }
  const std::string_view value = Trim(line.substr(colon + 1));
  for (char c : value) {
    if (!IsFieldChar(static_cast<unsigned char>(c))) {
      return Refused(400, "control character in a header field");
    }
  }
  if (EqualsNoCase(name, "Content-Length")) return AddContentLength(value, framing);
  if (EqualsNoCase(name, "Transfer-Encoding")) {
    if (!EqualsNoCase(value, "chunked") || framing.chunked) {
      return Refused(501, "unsupported Transfer-Encoding (only chunked is)");
    }
    framing.chunked = true;
  }
  return std::nullopt;
}

/// Scans a chunked body that starts at `head_end`: max_body_bytes bounds the decoded size
/// (and, doubled, the chunk framing), max_head_bytes the trailer section.
Frame ScanChunked(std::string_view bytes, std::size_t head_end, const FramingLimits& limits) {
  std::size_t at = head_end;
  std::uint64_t decoded = 0;
  while (true) {
    const Line size_line = NextLine(bytes, at);
    if (size_line.state == Line::State::kBad) return Refused(400, kBareLineEnd);
    const std::string_view digits = size_line.text;
    if (digits.size() > 16) return Refused(400, "malformed chunk size");
    std::uint64_t size = 0;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      const char c = Lower(digits[i]);
      const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      if (!hex) {
        return Refused(400,
                       c == ';' ? "chunk extensions are not accepted" : "malformed chunk size");
      }
      size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
      if (decoded + size > limits.max_body_bytes) return Refused(413, "request body too large");
    }
    if (size_line.state == Line::State::kMore) return {};
    if (digits.empty()) return Refused(400, "malformed chunk size");
    at = size_line.next;
    if (size == 0) break;
    decoded += size;
    // Chunk framing around the data: bounded too (a stream of one-byte chunks).
    if (at - head_end > 2 * limits.max_body_bytes + limits.max_head_bytes) {
      return Refused(413, "request body too large");
    }
    if (bytes.size() < at + size + 2) return {};
    if (bytes.substr(at + size, 2) != "\r\n") return Refused(400, "malformed chunk");
    at += size + 2;
  }
  const std::size_t trailer_start = at;
  while (true) {
    const Line line = NextLine(bytes, at);
    if (line.state == Line::State::kBad) return Refused(400, kBareLineEnd);
    const std::size_t end = line.state == Line::State::kOk ? line.next : bytes.size();
    if (end - trailer_start > limits.max_head_bytes) {
      return Refused(431, "request header fields too large");
    }
    if (line.state == Line::State::kMore) return {};
    at = line.next;
    if (line.text.empty()) return Frame{Frame::Kind::kComplete, 0, at, 0, {}};
    BodyFraming ignored;
    if (auto refused = CheckField(line.text, ignored)) return *refused;
  }
}

}  // namespace

Frame ScanRequest(std::string_view bytes, const FramingLimits& limits) {
  std::size_t at = 0;
  // RFC 9112 section 2.2: empty lines before a request line are ignored.
  while (bytes.substr(at, 2) == "\r\n") at += 2;
  const std::size_t head_start = at;
  if (head_start > limits.max_head_bytes) return Refused(400, "malformed request");
  const Line request_line = NextLine(bytes, at);
  if (request_line.state == Line::State::kBad) return Refused(400, kBareLineEnd);
  if (auto refused = CheckRequestLine(request_line.text, request_line.state == Line::State::kOk)) {
    return *refused;
  }
  BodyFraming framing;
  Line line = request_line;
  while (line.state == Line::State::kOk) {
    at = line.next;
    line = NextLine(bytes, at);
    if (line.state == Line::State::kBad) return Refused(400, kBareLineEnd);
    if (line.state == Line::State::kOk && line.text.empty()) break;
    if (line.state == Line::State::kOk) {
      if (auto refused = CheckField(line.text, framing)) return *refused;
    }
  }
  const std::size_t head_end = line.state == Line::State::kOk ? line.next : bytes.size();
  if (head_end - head_start > limits.max_head_bytes) {
    return Refused(431, "request header fields too large");
  }
  if (line.state != Line::State::kOk) return {};
  if (framing.chunked && framing.content_length) {
    return Refused(400, "Content-Length and Transfer-Encoding together");
  }
  if (framing.chunked) {
    Frame frame = ScanChunked(bytes, head_end, limits);
    if (frame.kind == Frame::Kind::kComplete) frame.start = head_start;
    return frame;
  }
  const std::uint64_t length = framing.content_length.value_or(0);
  if (length > limits.max_body_bytes) return Refused(413, "request body too large");
  if (bytes.size() - head_end < length) return {};
  return Frame{
      Frame::Kind::kComplete, head_start, head_end + static_cast<std::size_t>(length), 0, {}};
}

}  // namespace flashsale::rest
