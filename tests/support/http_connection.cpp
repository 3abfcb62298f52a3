#include "http_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace flashsale::testing {

HttpConnection::HttpConnection(const std::string& host, int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  timeval tv{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

HttpResponse HttpConnection::Send(const std::string& method, const std::string& path,
                                  const std::string& body, const std::string& extra_headers) {
  HttpResponse response;
  if (fd_ < 0) {
    response.failure = "not connected";
    return response;
  }
  if (!SendRaw(RequestText(method, path, body, extra_headers))) {
    response.failure = "send failed";
    return response;
  }
  return Read();
}

bool HttpConnection::SendRaw(const std::string& bytes) {
  if (fd_ < 0) return false;
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool HttpConnection::ClosedByPeer(std::chrono::milliseconds wait) {
  if (fd_ < 0) return true;
  if (!buffer_.empty()) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
  char byte;
  return ::recv(fd_, &byte, 1, MSG_PEEK) == 0;
}

std::string RequestText(const std::string& method, const std::string& path, const std::string& body,
                        const std::string& extra_headers) {
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: flashsale\r\n" + extra_headers;
  if (!body.empty() || method == "POST") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  return request;
}

std::optional<HttpResponse> TakeResponse(std::string& buffer) {
  const std::size_t header_end = buffer.find("\r\n\r\n");
  if (header_end == std::string::npos) return std::nullopt;
  HttpResponse response;
  const std::string_view head(buffer.data(), header_end);
  const auto first_line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, first_line_end);
  const auto space = status_line.find(' ');
  if (space == std::string_view::npos) {
    buffer.erase(0, header_end + 4);
    response.failure = "malformed status line";
    return response;
  }
  response.status = std::atoi(std::string(status_line.substr(space + 1, 3)).c_str());
  std::size_t pos = first_line_end == std::string_view::npos ? head.size() : first_line_end + 2;
  while (pos < head.size()) {
    auto end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(pos, end - pos);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      std::string value(line.substr(colon + 1));
      value.erase(0, value.find_first_not_of(' '));
      response.headers[name] = std::move(value);
    }
    pos = end + 2;
  }
  std::size_t length = 0;
  if (auto it = response.headers.find("content-length"); it != response.headers.end()) {
    length = static_cast<std::size_t>(std::atol(it->second.c_str()));
  }
  if (buffer.size() < header_end + 4 + length) return std::nullopt;  // the body is not whole
  response.body = buffer.substr(header_end + 4, length);
  buffer.erase(0, header_end + 4 + length);
  return response;
}

HttpResponse HttpConnection::Read() {
  HttpResponse response;
  if (fd_ < 0) {
    response.failure = "not connected";
    return response;
  }
  for (;;) {
    if (auto whole = TakeResponse(buffer_)) return *whole;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n == 0) response.failure = "closed by the server";
    if (n < 0) {
      response.failure = errno == EAGAIN || errno == EWOULDBLOCK
                             ? "no answer within 10 s"
                             : std::string("recv: ") + std::strerror(errno);
    }
    if (n <= 0) return response;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

HttpResponse Http(int port, const std::string& method, const std::string& path,
                  const std::string& body, const std::string& extra_headers) {
  HttpConnection connection(port);
  return connection.Send(method, path, body, "Connection: close\r\n" + extra_headers);
}

}  // namespace flashsale::testing
