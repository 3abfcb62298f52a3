#pragma once

#include <string>
#include <string_view>

#include "flashsale/core/ids.hpp"

namespace flashsale::redis {

/// The Redis key layout (DESIGN.md section 5). Every key of one sale carries the hash tag
/// {sale_id}, so each script touches one Cluster slot. Ids cannot contain '{', '}' or '/',
/// so tags are exact and "user/request" is unambiguous.
class Keys {
 public:
  static std::string Meta(const core::SaleId& sale);
  static std::string Stock(const core::SaleId& sale, const core::ItemId& item);
  static std::string Bought(const core::SaleId& sale);
  static std::string Answer(const core::SaleId& sale, const core::UserId& user,
                            const core::RequestId& request);
  static std::string Orders(const core::SaleId& sale);
  static std::string OrderStatus(const core::SaleId& sale);
  static std::string Dead(const core::SaleId& sale);
  /// Set of every loaded sale id (outside any slot; read by queue consumers).
  static constexpr std::string_view kSales = "fs:sales";
  /// Pub/sub channel: "sale/item" whenever units come back.
  static constexpr std::string_view kUnitsReturnedChannel = "fs:units-returned";
  /// Consumer group of the order streams.
  static constexpr std::string_view kGroup = "persist";
  /// The hash tag of a key: the text between the first '{' and the next '}'.
  static std::string_view HashTag(std::string_view key);
};

}  // namespace flashsale::redis
