#pragma once

#include <string>
#include <string_view>

#include "flashsale/domain/outcome.hpp"

namespace flashsale::rest {

/// How one outcome looks over HTTP (DESIGN.md section 9): status code, the seed API's
/// `message`, and the problem `type` slug / `title`.
struct HttpOutcome {
  int code;
  std::string_view message;
  std::string_view slug;
  std::string_view title;
};

/// The one outcome -> HTTP table.
HttpOutcome ToHttp(domain::Outcome outcome);

/// An application/problem+json body (RFC 7807) that also carries success:false and message.
/// `extra` is appended verbatim inside the object (already-encoded ,"key":value pairs).
std::string ProblemJson(int code, std::string_view slug, std::string_view title,
                        std::string_view message, std::string_view detail,
                        std::string_view extra = {});

}  // namespace flashsale::rest
