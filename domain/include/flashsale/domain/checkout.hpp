#pragma once

// Two-step buying: a checkout holds a unit for a while and hands out a code; completing the
// checkout with the code turns the hold into an order, exactly once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/order.hpp"
#include "flashsale/domain/outcome.hpp"
#include "flashsale/domain/result.hpp"
#include "flashsale/domain/time.hpp"

namespace flashsale::domain {

/// A checkout code: "CHK_", 26 Crockford base32 characters (128 random bits from the OS,
/// unguessable), "_", and the id of the sale whose unit it holds, so that a code alone finds
/// its sale (even after the sale has ended). At most 95 characters of [A-Za-z0-9._:-].
class CheckoutCode {
 public:
  static constexpr std::string_view kPrefix = "CHK_";
  static constexpr std::size_t kSecretChars = 26;

  /// InvalidRequest ("checkout_code ...") unless `raw` has exactly that shape.
  static Result<CheckoutCode> Parse(std::string_view raw);
  /// A code from a secret of kSecretChars Crockford base32 characters (uppercase).
  /// InvalidRequest for a malformed secret.
  static Result<CheckoutCode> Make(std::string_view secret, const SaleId& sale);

  const std::string& str() const noexcept { return value_; }
  const SaleId& sale() const noexcept { return sale_; }
  /// "CHK_" + the secret: the request id of the order the code becomes (unique per hold).
  RequestId OrderRequestId() const;
  friend bool operator==(const CheckoutCode& a, const CheckoutCode& b) {
    return a.value_ == b.value_;
  }

 private:
  CheckoutCode(std::string value, SaleId sale) : value_(std::move(value)), sale_(std::move(sale)) {}
  std::string value_;
  SaleId sale_;
};

/// True for request ids that start with CheckoutCode::kPrefix: they name orders made from
/// checkout codes, so one-step purchases may not use them.
bool IsReservedRequestId(std::string_view raw) noexcept;

/// A checkout as it arrives from outside, before validation. request_id may be empty (the
/// call is then a new attempt every time).
// Every field has a default member initializer, so designated initializers may leave any
// out ({.item_id = "x", ...}) without -Wmissing-field-initializers.
struct CheckoutInput {
  std::string sale_id{};
  std::string item_id{};
  std::string user_id{};
  std::string request_id{};
};

/// A validated checkout: one unit of `item` for `user`.
struct CheckoutRequest {
  SaleId sale;
  ItemId item;
  UserId user;
  std::optional<RequestId> request;

  /// Fingerprint of the payload (sale, item) stored with a replayable answer.
  std::string Fingerprint() const;
};

/// What a store is asked to do: hold one unit for `request` under `code` until `expires_at`,
/// and record the attempt as `attempt`.
struct HoldRequest {
  CheckoutRequest request;
  CheckoutCode code;
  AttemptId attempt;
  TimePoint now;
  TimePoint expires_at;
};

/// The answer to a checkout. For Accepted: the code, its expiry, the item's price and name,
/// and the units left right after this hold. A replay repeats the first answer.
struct CheckoutReply {
  Outcome outcome = Outcome::kInternal;
  std::optional<CheckoutCode> code;
  TimePoint expires_at;
  std::int64_t remaining = 0;
  std::int64_t unit_price_cents = 0;
  std::string item_name;
  bool replayed = false;
  std::string detail;
};

/// A completion as it arrives from outside: the code, and optionally the caller's request id
/// (a retry with the same request id gets the same order back).
// Every field has a default member initializer, so designated initializers may leave any
// out ({.item_id = "x", ...}) without -Wmissing-field-initializers.
struct CompleteInput {
  std::string code{};
  std::string request_id{};
};

/// A validated redemption: the code, and the caller's request id when one was given.
struct CompleteRequest {
  CheckoutCode code;
  std::optional<RequestId> request;
};

/// Validates the ids of a checkout (the request id is optional). InvalidRequest otherwise.
Result<CheckoutRequest> ValidateCheckout(const CheckoutInput& input);
/// Validates a redemption: a well-formed code, an optional request id.
Result<CompleteRequest> ValidateComplete(const CompleteInput& input);

/// What a store is asked to do: turn the hold of `code` into order `order_id` at `now`.
struct Completion {
  CheckoutCode code;
  std::optional<RequestId> request;
  OrderId order_id;
  TimePoint now;
};

/// The answer to a completion. Accepted: `order` (pending) and the units the user now has in
/// the sale. CheckoutUsed: `used_by` names the order the code became.
struct CompleteReply {
  Outcome outcome = Outcome::kInternal;
  std::optional<Order> order;
  std::optional<OrderId> used_by;
  std::int64_t user_units = 0;
  std::string item_name;
  bool replayed = false;
  std::string detail;
};

/// One checkout attempt, recorded in the system of record whatever its answer.
struct CheckoutAttempt {
  AttemptId id;
  SaleId sale;
  ItemId item;
  UserId user;
  Outcome outcome = Outcome::kInternal;
  std::optional<CheckoutCode> code;  ///< for Accepted
  std::optional<TimePoint> expires_at;
  TimePoint created_at;
};

}  // namespace flashsale::domain
