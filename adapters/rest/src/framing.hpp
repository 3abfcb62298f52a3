#pragma once

// Internal to the REST adapter: HTTP/1.1 request framing (RFC 9112), checked on the raw bytes
// of a connection before Pistache's parser sees them. Pistache 0.0.5 answers malformed
// framing with plain-text 400/500s carrying C++ exception texts, drops pipelined requests and
// hangs on malformed heads until its header timeout; this scanner decides first, so that
// every request is either handed over whole and well-formed, or refused at once with a
// problem+json answer (framing_handler.cpp). Pure: no Pistache, no I/O.

#include <chrono>
#include <cstddef>
#include <string_view>

namespace flashsale::rest {

struct FramingLimits {
  std::size_t max_head_bytes = 8 * 1024;   ///< request line + header fields (431 above)
  std::size_t max_body_bytes = 16 * 1024;  ///< decoded body (413 above)
  /// Time a request has to arrive whole, from its first byte (408 after). Not used by
  /// ScanRequest: FramingHandler times the requests.
  std::chrono::milliseconds request_timeout{5000};
};

/// What the bytes at the start of a connection's buffer hold.
struct Frame {
  enum class Kind {
    kIncomplete,  ///< a prefix of a well-formed request: wait for more bytes
    kComplete,    ///< one whole well-formed request of `length` bytes (more may follow)
    kRefused,     ///< malformed or over a limit: answer `code` with `message` and close
  };
  Kind kind = Kind::kIncomplete;
  std::size_t start = 0;     ///< kComplete: where the request line starts (after empty lines)
  std::size_t length = 0;    ///< kComplete: bytes up to the end of the request
  int code = 0;              ///< 400, 413, 431, 501 or 505 when refused
  std::string_view message;  ///< static text for the client when refused
};

/// The most raw bytes one accepted request can take (empty lines before it, head, chunk
/// framing, body, trailers): what Pistache's parser must be allowed to hold.
constexpr std::size_t MaxRequestBytes(const FramingLimits& limits) {
  return 4 * limits.max_head_bytes + 3 * limits.max_body_bytes + 64;
}

/// Scans `bytes` (what a connection has sent since its previous request ended). Accepts:
/// optional empty lines, `method SP origin-form SP HTTP/1.x CRLF`, header fields
/// `token ":" OWS value OWS CRLF`, an empty line, then a body framed by one Content-Length
/// (repeats must agree) or by `Transfer-Encoding: chunked` (no chunk extensions). Refuses:
/// bare LF or CR, obs-fold, whitespace before a colon, control characters, an empty or
/// non-origin-form target, other versions (505), methods other than GET, POST, PUT, PATCH and
/// DELETE (501: HEAD, OPTIONS, TRACE and CONNECT are not served either), other transfer
/// codings (501), both framings at once, bad or conflicting Content-Length values, a head over
/// max_head_bytes (431), a body over max_body_bytes (413, decided from the declared length
/// before the body arrives).
Frame ScanRequest(std::string_view bytes, const FramingLimits& limits);

}  // namespace flashsale::rest
