#pragma once

// Internal to the Redis adapter: reading the replies of the library's functions, whose first
// element is always an outcome name.

#include <string>
#include <utility>

#include "flashsale/redis/connection.hpp"
#include "flashsale/redis/pipeline.hpp"

namespace flashsale::redis {

/// A decimal argument.
inline std::string Num(std::int64_t v) { return std::to_string(v); }

/// Checks a function's reply: on a transport or Redis error, or a reply that is not an array
/// of at least `min_size` elements starting with an outcome name, fills `out`'s outcome and
/// detail and returns nullptr; otherwise sets `out.outcome` and returns the array.
template <class Answer>
const redisReply* OutcomeReply(domain::Result<Reply>& raw, std::size_t min_size, const char* what,
                               Answer& out) {
  raw = CheckReply(std::move(raw));
  if (!raw) {
    out.outcome = raw.error().outcome;
    out.detail = raw.error().detail;
    return nullptr;
  }
  const redisReply* a = raw->get();
  if (Size(a) < min_size || !domain::FromString(Str(At(a, 0)), out.outcome)) {
    out.outcome = domain::Outcome::kInternal;
    out.detail = std::string("redis: unexpected ") + what + " reply";
    return nullptr;
  }
  return a;
}

}  // namespace flashsale::redis
