#include "flashsale/redis/keys.hpp"

#include <cstdint>

#include "flashsale/domain/text.hpp"

namespace flashsale::redis {
namespace {

std::string Prefix(const domain::SaleId& sale) { return "fs:{" + sale.str() + "}:"; }

}  // namespace

std::string Keys::Meta(const domain::SaleId& sale) { return Prefix(sale) + "meta"; }
std::string Keys::Stock(const domain::SaleId& sale, const domain::ItemId& item) {
  return Prefix(sale) + "stock:" + item.str();
}
std::string Keys::Bought(const domain::SaleId& sale) { return Prefix(sale) + "bought"; }
std::string Keys::Answer(const domain::SaleId& sale, const domain::UserId& user,
                         const domain::RequestId& request) {
  return Prefix(sale) + "idem:" + user.str() + "/" + request.str();
}
std::string Keys::CheckoutAnswer(const domain::SaleId& sale, const domain::UserId& user,
                                 const domain::RequestId& request) {
  return Prefix(sale) + "cidem:" + user.str() + "/" + request.str();
}
std::string Keys::Holds(const domain::SaleId& sale) { return Prefix(sale) + "holds"; }
std::string Keys::Hold(const domain::CheckoutCode& code) {
  return Prefix(code.sale()) + "hold:" + code.str();
}
std::string Keys::Orders(const domain::SaleId& sale) { return Prefix(sale) + "orders"; }
std::string Keys::OrderStatus(const domain::SaleId& sale) { return Prefix(sale) + "ostatus"; }
std::string Keys::RateBuckets(const domain::SaleId& sale) { return Prefix(sale) + "rl"; }
std::string Keys::RateBucket(std::string_view key) { return "fs:{~rl}:" + std::string(key); }
std::string Keys::Dead(const domain::SaleId& sale) { return Prefix(sale) + "dead"; }

std::string_view Keys::HashTag(std::string_view key) {
  auto open = key.find('{');
  if (open == std::string_view::npos) return key;
  auto close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

int Keys::Slot(std::string_view key) {
  // CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as in the Redis Cluster spec.
  std::uint16_t crc = 0;
  for (unsigned char byte : HashTag(key)) {
    crc ^= static_cast<std::uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<std::uint16_t>(crc << 1);
    }
  }
  return crc % kSlots;
}

std::optional<domain::QueuePosition> ParseStreamId(std::string_view entry_id) {
  const auto dash = entry_id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto ms = domain::ParseNumber<std::int64_t>(entry_id.substr(0, dash));
  auto seq = domain::ParseNumber<std::int64_t>(entry_id.substr(dash + 1));
  if (!ms || !seq) return std::nullopt;
  return domain::QueuePosition{*ms, *seq};
}

}  // namespace flashsale::redis
