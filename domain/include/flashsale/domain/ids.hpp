#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "flashsale/domain/result.hpp"

namespace flashsale::domain {

inline constexpr std::size_t kMaxIdLength = 64;

/// True for 1-64 characters of [A-Za-z0-9._:-]. The charset has no '{', '}', '/', space or
/// quote, so ids are safe inside Redis keys (hash tags) and need no escaping anywhere.
bool IsValidId(std::string_view raw) noexcept;

/// A validated identifier. `Tag::kName` names the field in error messages.
template <class Tag>
class Id {
 public:
  /// InvalidRequest with a message naming the field when `raw` is not a valid id.
  static Result<Id> Parse(std::string_view raw) {
    if (!IsValidId(raw)) {
      return Error{Outcome::kInvalidRequest,
                   std::string(Tag::kName) + " must be 1-64 characters of [A-Za-z0-9._:-]"};
    }
    return Id(std::string(raw));
  }

  const std::string& str() const noexcept { return value_; }
  friend auto operator<=>(const Id&, const Id&) = default;

 private:
  explicit Id(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

struct SaleIdTag {
  static constexpr std::string_view kName = "sale_id";
};
struct ItemIdTag {
  static constexpr std::string_view kName = "item_id";
};
struct UserIdTag {
  static constexpr std::string_view kName = "user_id";
};
struct RequestIdTag {
  static constexpr std::string_view kName = "request_id";
};
struct OrderIdTag {
  static constexpr std::string_view kName = "order_id";
};

struct AttemptIdTag {
  static constexpr std::string_view kName = "attempt_id";
};

using SaleId = Id<SaleIdTag>;
using ItemId = Id<ItemIdTag>;
using UserId = Id<UserIdTag>;
using RequestId = Id<RequestIdTag>;
using OrderId = Id<OrderIdTag>;
/// Identifies one recorded checkout attempt (a ULID), so that recording it twice is a no-op.
using AttemptId = Id<AttemptIdTag>;

}  // namespace flashsale::domain

template <class Tag>
struct std::hash<flashsale::domain::Id<Tag>> {
  std::size_t operator()(const flashsale::domain::Id<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.str());
  }
};
