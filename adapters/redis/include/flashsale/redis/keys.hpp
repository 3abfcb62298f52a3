#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/order.hpp"

namespace flashsale::redis {

/// The Redis key layout (DESIGN.md section 5). Every key of one sale carries the hash tag
/// {sale_id}, so each script touches one Cluster slot. Ids cannot contain '{', '}' or '/',
/// so tags are exact and "user/request" is unambiguous.
///
/// A sale split into sub-stocks (RedisOptions::item_shards, DESIGN.md section 12) has one
/// key space per sub-stock: sub-stock 0 is the sale's own ({S}), sub-stock k > 0 has the tag
/// {S~k} ('~' is in no id), so the sub-stocks hash to different slots. `shard` below is the
/// sub-stock; 0 for a sale that is not split.
class Keys {
 public:
  static std::string Meta(const domain::SaleId& sale, int shard = 0);
  static std::string Stock(const domain::SaleId& sale, const domain::ItemId& item, int shard = 0);
  static std::string Bought(const domain::SaleId& sale, int shard = 0);
  static std::string Answer(const domain::SaleId& sale, const domain::UserId& user,
                            const domain::RequestId& request, int shard = 0);
  /// Stored answer of a checkout with a request id (its own key space: a purchase and a
  /// checkout may use the same request id).
  static std::string CheckoutAnswer(const domain::SaleId& sale, const domain::UserId& user,
                                    const domain::RequestId& request);
  /// Active holds of a sale (zset: code -> expiry ms) and one hold's record (hash).
  static std::string Holds(const domain::SaleId& sale, int shard = 0);
  static std::string Hold(const domain::CheckoutCode& code);
  static std::string Orders(const domain::SaleId& sale, int shard = 0);
  static std::string OrderStatus(const domain::SaleId& sale, int shard = 0);
  static std::string Dead(const domain::SaleId& sale, int shard = 0);
  /// Units moving out of a sub-stock (hash: transfer id -> "to|item|units|at_ms") and the
  /// transfers a sub-stock has been credited with (set of transfer ids).
  static std::string Transfers(const domain::SaleId& sale, int shard);
  static std::string Credited(const domain::SaleId& sale, int shard);
  /// The hash tag of a sale's sub-stock: "S" for 0, "S~k" otherwise. fs:sales lists the
  /// tags of every sub-stock, whose order streams the queue reads.
  static std::string Tag(const domain::SaleId& sale, int shard = 0);
  /// The sale and sub-stock of a tag; nullopt when `tag` is neither "S" nor "S~k" (k >= 1).
  static std::optional<std::pair<domain::SaleId, int>> ParseTag(std::string_view tag);
  /// The key `name` ("orders", "dead", "meta"...) under the tag `tag`.
  static std::string OfTag(std::string_view tag, std::string_view name);
  /// The sub-stock a user buys from in a sale of `shards` sub-stocks (FNV-1a of the user id:
  /// the same in every instance).
  static int HomeShard(const domain::UserId& user, int shards);
  /// The most sub-stocks a sale may have.
  static constexpr int kMaxShards = 64;
  /// A sale's rate buckets, drawn by the reserve function (hash: bucket key "u:<user>" /
  /// "a:<address>" -> its theoretical arrival time, us): per sale, in the sale's slot.
  static std::string RateBuckets(const domain::SaleId& sale, int shard = 0);
  /// A rate bucket of the RateLimiter (the other buying routes), outside any sale: each one
  /// carries the hash tag {~rl} ('~' is in no id, so no sale has it), so the buckets of one
  /// call share a Cluster slot.
  static std::string RateBucket(std::string_view key);
  /// Set of every loaded sale id (in no sale's slot; read by queue consumers).
  static constexpr std::string_view kSales = "fs:sales";
  /// Pub/sub channel: "sale/item" whenever units come back.
  static constexpr std::string_view kUnitsReturnedChannel = "fs:units-returned";
  /// Consumer group of the order streams.
  static constexpr std::string_view kGroup = "persist";
  /// The hash tag of a key: the text between the first '{' and the next '}'.
  static std::string_view HashTag(std::string_view key);
  /// The Redis Cluster slot of a key: CRC16 (XMODEM) of its hash tag, mod 16384.
  static int Slot(std::string_view key);
  static constexpr int kSlots = 16384;
};

/// A stream entry id "ms-seq" as a queue position; nullopt when malformed.
std::optional<domain::QueuePosition> ParseStreamId(std::string_view entry_id);

}  // namespace flashsale::redis
