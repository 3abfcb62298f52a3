// Domain value types: outcomes, ids, quantities, fingerprints, orders and sales.
#include <fmt/format.h>

#include <array>
#include <unordered_set>
#include <utility>

#include "flashsale/core/ids.hpp"
#include "flashsale/core/order.hpp"
#include "flashsale/core/outcome.hpp"
#include "flashsale/core/purchase.hpp"
#include "flashsale/core/quantity.hpp"
#include "flashsale/core/sale.hpp"

namespace flashsale::core {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 10> kOutcomeNames{{
    {Outcome::kAccepted, "accepted"},
    {Outcome::kSoldOut, "sold_out"},
    {Outcome::kUserLimitReached, "user_limit_reached"},
    {Outcome::kSaleNotActive, "sale_not_active"},
    {Outcome::kUnknownItem, "unknown_item"},
    {Outcome::kInvalidRequest, "invalid_request"},
    {Outcome::kDuplicateRequest, "duplicate_request"},
    {Outcome::kRateLimited, "rate_limited"},
    {Outcome::kUnavailable, "unavailable"},
    {Outcome::kInternal, "internal"},
}};

constexpr std::array<std::pair<OrderStatus, std::string_view>, 3> kStatusNames{{
    {OrderStatus::kPending, "pending"},
    {OrderStatus::kConfirmed, "confirmed"},
    {OrderStatus::kFailed, "failed"},
}};

constexpr bool IsIdChar(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

}  // namespace

std::string_view ToString(Outcome outcome) noexcept {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == outcome) return name;
  }
  return "internal";
}

bool FromString(std::string_view name, Outcome& out) noexcept {
  for (const auto& [value, candidate] : kOutcomeNames) {
    if (candidate == name) {
      out = value;
      return true;
    }
  }
  return false;
}

std::string_view ToString(OrderStatus status) noexcept {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "pending";
}

bool FromString(std::string_view name, OrderStatus& out) noexcept {
  for (const auto& [value, candidate] : kStatusNames) {
    if (candidate == name) {
      out = value;
      return true;
    }
  }
  return false;
}

bool IsValidId(std::string_view raw) noexcept {
  if (raw.empty() || raw.size() > kMaxIdLength) return false;
  for (char c : raw) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

Result<Quantity> Quantity::Parse(std::int64_t value, std::int32_t max_per_order) {
  if (value < 1 || value > max_per_order) {
    return Error{Outcome::kInvalidRequest,
                 fmt::format("quantity must be between 1 and {}", max_per_order)};
  }
  return Quantity(static_cast<std::int32_t>(value));
}

std::string PurchaseRequest::Fingerprint() const {
  // FNV-1a 64 over "sale\x1fitem\x1fquantity": ids never contain \x1f.
  std::uint64_t hash = 14695981039346656037ULL;
  auto mix = [&hash](std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  mix(sale.str());
  mix("\x1f");
  mix(item.str());
  mix("\x1f");
  mix(fmt::format("{}", quantity.value()));
  return fmt::format("{:016x}", hash);
}

bool IsValidDisplayName(std::string_view name) noexcept {
  if (name.size() > kMaxItemNameBytes) return false;
  std::size_t i = 0;
  while (i < name.size()) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f) return false;
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= name.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(name[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      code = (code << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 1 && code < 0x80) || (extra == 2 && code < 0x800) ||
        (extra == 3 && code < 0x10000) || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) ||
        (code >= 0x80 && code < 0xA0)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

const SaleItem* Sale::FindItem(const ItemId& item) const noexcept {
  for (const auto& candidate : items) {
    if (candidate.id == item) return &candidate;
  }
  return nullptr;
}

Result<void> Sale::Validate() const {
  if (items.empty()) return Error{Outcome::kInvalidRequest, "a sale needs at least one item"};
  if (per_user_limit < 1) return Error{Outcome::kInvalidRequest, "per_user_limit must be >= 1"};
  if (ends_at <= starts_at)
    return Error{Outcome::kInvalidRequest, "ends_at must be after starts_at"};
  std::unordered_set<std::string> seen;
  for (const auto& item : items) {
    if (!seen.insert(item.id.str()).second) {
      return Error{Outcome::kInvalidRequest, fmt::format("item {} appears twice", item.id.str())};
    }
    if (item.stock < 0) return Error{Outcome::kInvalidRequest, "stock must be >= 0"};
    if (item.price_cents < 0) return Error{Outcome::kInvalidRequest, "price_cents must be >= 0"};
    if (!IsValidDisplayName(item.name)) {
      return Error{Outcome::kInvalidRequest,
                   "item name must be UTF-8 without control characters, at most 200 bytes"};
    }
  }
  return Ok();
}

}  // namespace flashsale::core
