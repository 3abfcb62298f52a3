#include "flashsale/redis/keys.hpp"

#include <cstdint>

#include "flashsale/domain/text.hpp"

namespace flashsale::redis {
namespace {

std::string Prefix(const domain::SaleId& sale, int shard = 0) {
  return "fs:{" + Keys::Tag(sale, shard) + "}:";
}

}  // namespace

std::string Keys::Meta(const domain::SaleId& sale, int shard) {
  return Prefix(sale, shard) + "meta";
}
std::string Keys::Stock(const domain::SaleId& sale, const domain::ItemId& item, int shard) {
  return Prefix(sale, shard) + "stock:" + item.str();
}
std::string Keys::Bought(const domain::SaleId& sale, int shard) {
  return Prefix(sale, shard) + "bought";
}
std::string Keys::Answer(const domain::SaleId& sale, const domain::UserId& user,
                         const domain::RequestId& request, int shard) {
  return Prefix(sale, shard) + "idem:" + user.str() + "/" + request.str();
}
std::string Keys::CheckoutAnswer(const domain::SaleId& sale, const domain::UserId& user,
                                 const domain::RequestId& request) {
  return Prefix(sale) + "cidem:" + user.str() + "/" + request.str();
}
std::string Keys::Holds(const domain::SaleId& sale, int shard) {
  return Prefix(sale, shard) + "holds";
}
std::string Keys::Hold(const domain::CheckoutCode& code) {
  return Prefix(code.sale()) + "hold:" + code.str();
}
std::string Keys::Orders(const domain::SaleId& sale, int shard) {
  return Prefix(sale, shard) + "orders";
}
std::string Keys::OrderStatus(const domain::SaleId& sale, int shard) {
  return Prefix(sale, shard) + "ostatus";
}
std::string Keys::RateBuckets(const domain::SaleId& sale, int shard) {
  return Prefix(sale, shard) + "rl";
}
std::string Keys::RateBucket(std::string_view key) { return "fs:{~rl}:" + std::string(key); }
std::string Keys::Dead(const domain::SaleId& sale, int shard) {
  return Prefix(sale, shard) + "dead";
}
std::string Keys::Transfers(const domain::SaleId& sale, int shard) {
  return Prefix(sale, shard) + "xfer";
}
std::string Keys::Credited(const domain::SaleId& sale, int shard) {
  return Prefix(sale, shard) + "xin";
}

std::string Keys::Tag(const domain::SaleId& sale, int shard) {
  return shard == 0 ? sale.str() : sale.str() + "~" + std::to_string(shard);
}

std::optional<std::pair<domain::SaleId, int>> Keys::ParseTag(std::string_view tag) {
  const auto tilde = tag.find('~');
  auto sale = domain::SaleId::Parse(tag.substr(0, tilde));
  if (!sale) return std::nullopt;
  if (tilde == std::string_view::npos) return std::pair{std::move(*sale), 0};
  const std::string_view digits = tag.substr(tilde + 1);
  auto shard = domain::ParseNumber<int>(digits);
  if (!shard || *shard < 1 || *shard >= kMaxShards || digits.front() == '0') return std::nullopt;
  return std::pair{std::move(*sale), *shard};
}

std::string Keys::OfTag(std::string_view tag, std::string_view name) {
  return "fs:{" + std::string(tag) + "}:" + std::string(name);
}

int Keys::HomeShard(const domain::UserId& user, int shards) {
  if (shards <= 1) return 0;
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a, 64 bits
  for (unsigned char byte : user.str()) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  }
  return static_cast<int>(hash % static_cast<std::uint64_t>(shards));
}

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
