#pragma once

#include <chrono>
#include <string>

namespace flashsale::ctl {

struct HttpResult {
  int status = 0;  ///< 0 when no answer came (error says why)
  std::string body;
  std::string error;  ///< transport error, empty otherwise
};

/// One HTTP request with libcurl: `method` on `url`, a JSON `body` when not empty, the
/// admin bearer `token` when not empty. Never follows redirects (the token stays here).
HttpResult Request(const std::string& method, const std::string& url, const std::string& body,
                   const std::string& token, std::chrono::milliseconds timeout);

}  // namespace flashsale::ctl
