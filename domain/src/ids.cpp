// Domain value types: ids, quantities, fingerprints and sales.
#include "flashsale/domain/ids.hpp"

#include <fmt/format.h>

#include <array>
#include <unordered_set>
#include <utility>

#include "flashsale/domain/order.hpp"
#include "flashsale/domain/outcome.hpp"
#include "flashsale/domain/purchase.hpp"
#include "flashsale/domain/quantity.hpp"
#include "flashsale/domain/sale.hpp"
#include "flashsale/domain/text.hpp"

namespace flashsale::domain {
namespace {

constexpr bool IsIdChar(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

}  // namespace

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
  for (std::size_t i = 0; i < name.size();) {
    const Utf8Char c = DecodeUtf8(name, i);
    // C0 and C1 controls and DEL are not display text.
    if (c.length == 0 || c.code < 0x20 || (c.code >= 0x7f && c.code < 0xA0)) return false;
    i += c.length;
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
  if (items.size() > kMaxSaleItems) {
    return Error{Outcome::kInvalidRequest,
                 fmt::format("a sale has at most {} items", kMaxSaleItems)};
  }
  if (per_user_limit < 1 || per_user_limit > kMaxPerUserLimit) {
    return Error{Outcome::kInvalidRequest,
                 fmt::format("per_user_limit must be between 1 and {}", kMaxPerUserLimit)};
  }
  if (ends_at <= starts_at)
    return Error{Outcome::kInvalidRequest, "ends_at must be after starts_at"};
  std::unordered_set<std::string> seen;
  for (const auto& item : items) {
    if (!seen.insert(item.id.str()).second) {
      return Error{Outcome::kInvalidRequest, fmt::format("item {} appears twice", item.id.str())};
    }
    if (item.stock < 0 || item.stock > kMaxItemStock) {
      return Error{Outcome::kInvalidRequest,
                   fmt::format("stock must be between 0 and {}", kMaxItemStock)};
    }
    if (item.price_cents < 0 || item.price_cents > kMaxPriceCents) {
      return Error{Outcome::kInvalidRequest,
                   fmt::format("price_cents must be between 0 and {}", kMaxPriceCents)};
    }
    if (!IsValidDisplayName(item.name)) {
      return Error{Outcome::kInvalidRequest,
                   "item name must be UTF-8 without control characters, at most 200 bytes"};
    }
  }
  return Ok();
}

}  // namespace flashsale::domain
