// libFuzzer target: the small text parsers fed from outside: header values (Authorization,
// X-Forwarded-For, Idempotency-Key), rate policies, RFC 3339 times, Redis stream ids and
// stream entries (the queue's order and checkout-attempt field lists), and the Redis and
// MySQL URLs of the configuration. No crash, no sanitizer report, and what is
// accepted is well-formed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flashsale/core/limit_requests.hpp"
#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/quantity.hpp"
#include "flashsale/domain/time.hpp"
#include "flashsale/mysql/mysql_options.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_options.hpp"
#include "flashsale/serving/bearer_token.hpp"
#include "flashsale/serving/client_address.hpp"
#include "stream_entry.hpp"

namespace {

using namespace flashsale;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  static const serving::BearerToken token("fuzz-admin-token-0123456789");
  const auto verdict = token.Check(text);
  // Granted only when the token is there (spaces around it are allowed).
  Check(verdict != serving::BearerToken::Verdict::kGranted ||
        text.find("fuzz-admin-token-0123456789") != std::string_view::npos);

  if (auto address = serving::LastForwardedAddress(text)) {
    Check(!address->empty() && address->size() <= 45);
  }
  if (auto policy = core::RatePolicy::Parse(text)) {
    Check(policy->per_second > 0 && policy->burst >= 1 && policy->WindowSeconds() >= 1);
  }
  if (auto when = domain::ParseRfc3339(text)) {
    // A parsed time formats and parses back to itself.
    Check(domain::ParseRfc3339(domain::FormatRfc3339(*when)) == when);
  }
  (void)redis::ParseStreamId(text);
  if (auto id = domain::OrderId::Parse(text)) Check(id->str() == text);

  if (auto url = redis::ParseRedisUrl(text)) {
    Check(!url->host.empty() && url->port > 0 && url->port <= 65535);
  }
  if (auto url = mysql::ParseMySqlUrl(text)) {
    Check(!url->host.empty() && !url->database.empty());
  }
  // The same bytes as a stream entry's field list, one field or value per line (an entry
  // someone wrote by hand, or a corrupted AOF).
  std::vector<std::string_view> fields;
  for (std::size_t start = 0; start <= text.size();) {
    const auto end = std::min(text.find('\n', start), text.size());
    fields.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (auto order = redis::ParseOrderEntry(fields)) {
    Check(order->quantity.value() >= 1 && order->quantity.value() <= domain::kMaxQuantity);
  }
  (void)redis::ParseAttemptEntry(fields);
  return 0;
}
