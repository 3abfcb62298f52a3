#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace flashsale::testing {

struct HttpResponse {
  int status = 0;                              ///< 0 when the exchange failed
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
  /// Why there is no status: "not connected", "send failed", "closed by the server",
  /// "no answer within 10 s", "recv: <errno text>", "malformed status line".
  std::string failure;
};

/// A minimal blocking HTTP/1.1 client (for tests and the load tool) over one TCP connection
/// (keep-alive by default: the Connection header is whatever `extra_headers` say).
class HttpConnection {
 public:
  HttpConnection(const std::string& host, int port);
  explicit HttpConnection(int port) : HttpConnection("127.0.0.1", port) {}
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  /// Sends one request (no Connection header unless given in `extra_headers`, which are
  /// complete "Name: value\r\n" lines) and reads the response (Content-Length framed).
  HttpResponse Send(const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& extra_headers = "");
  /// Writes raw bytes (several requests at once, malformed ones...). False on a send error.
  bool SendRaw(const std::string& bytes);
  /// Reads one response (Content-Length framed); status 0 when the connection ends first.
  HttpResponse Read();
  /// True when the server has closed the connection (EOF within `wait`, nothing unread).
  bool ClosedByPeer(std::chrono::milliseconds wait);
  bool open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  std::string buffer_;
};

/// The bytes of one request as HttpConnection::Send writes them (Host: flashsale; a POST or
/// a body gets Content-Type: application/json and its Content-Length).
std::string RequestText(const std::string& method, const std::string& path,
                        const std::string& body = "", const std::string& extra_headers = "");

/// Takes one whole response (Content-Length framed) off the front of `buffer`; nullopt while
/// it is not whole yet (nothing taken). A malformed status line is taken with status 0 and
/// `failure` set.
std::optional<HttpResponse> TakeResponse(std::string& buffer);

/// One request on a fresh connection.
HttpResponse Http(int port, const std::string& method, const std::string& path,
                  const std::string& body = "", const std::string& extra_headers = "");

}  // namespace flashsale::testing
