#include "flashsale/domain/checkout.hpp"

#include <fmt/format.h>

namespace flashsale::domain {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

Error BadCode() {
  return Error{Outcome::kInvalidRequest,
               "checkout_code must be CHK_ + 26 base32 characters + _ + a sale id"};
}

bool IsSecret(std::string_view secret) {
  if (secret.size() != CheckoutCode::kSecretChars) return false;
  for (char c : secret) {
    if (kCrockford.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

Result<CheckoutCode> CheckoutCode::Make(std::string_view secret, const SaleId& sale) {
  if (!IsSecret(secret)) return BadCode();
  std::string value;
  value.reserve(kPrefix.size() + secret.size() + 1 + sale.str().size());
  value.append(kPrefix).append(secret).append("_").append(sale.str());
  return CheckoutCode(std::move(value), sale);
}

Result<CheckoutCode> CheckoutCode::Parse(std::string_view raw) {
  const std::size_t head = kPrefix.size() + kSecretChars;
  if (raw.size() < head + 2 || !raw.starts_with(kPrefix) || raw[head] != '_') return BadCode();
  auto sale = SaleId::Parse(raw.substr(head + 1));
  if (!sale) return BadCode();
  return Make(raw.substr(kPrefix.size(), kSecretChars), *sale);
}

RequestId CheckoutCode::OrderRequestId() const {
  return *RequestId::Parse(std::string_view(value_).substr(0, kPrefix.size() + kSecretChars));
}

bool IsReservedRequestId(std::string_view raw) noexcept {
  return raw.starts_with(CheckoutCode::kPrefix);
}

std::string CheckoutRequest::Fingerprint() const {
  // FNV-1a 64 over "checkout\x1fsale\x1fitem": never equal to a purchase's fingerprint input.
  std::uint64_t hash = 14695981039346656037ULL;
  for (std::string_view part :
       {std::string_view("checkout"), std::string_view(sale.str()), std::string_view(item.str())}) {
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    hash ^= 0x1f;
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace flashsale::domain
