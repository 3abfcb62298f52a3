#include "stream_entry.hpp"

#include <utility>

#include "flashsale/domain/text.hpp"

namespace flashsale::redis {

/// Builds an order from a stream entry's field list (as reserve.lua writes it: o, s, i, u,
/// r, q, p, t); nullopt when a field is missing or malformed.
std::optional<domain::Order> ParseOrderEntry(EntryFields fields) {
  std::string_view o, s, i, u, r, q, p, t;
  const std::pair<std::string_view, std::string_view*> slots[] = {
      {"o", &o}, {"s", &s}, {"i", &i}, {"u", &u}, {"r", &r}, {"q", &q}, {"p", &p}, {"t", &t}};
  for (std::size_t k = 0; k + 1 < fields.size(); k += 2) {
    for (const auto& [slot_name, slot] : slots) {
      if (fields[k] == slot_name) *slot = fields[k + 1];
    }
  }
  auto id = domain::OrderId::Parse(o);
  auto sale = domain::SaleId::Parse(s);
  auto item = domain::ItemId::Parse(i);
  auto user = domain::UserId::Parse(u);
  auto request = domain::RequestId::Parse(r);
  auto units = domain::ParseNumber<std::int64_t>(q);
  auto price = domain::ParseNumber<std::int64_t>(p);
  auto created = domain::ParseNumber<std::int64_t>(t);
  if (!id || !sale || !item || !user || !request || !units || !price || !created) {
    return std::nullopt;
  }
  auto quantity = domain::Quantity::Parse(*units, domain::kMaxQuantity);
  if (!quantity) return std::nullopt;
  return domain::Order{std::move(*id),
                       std::move(*sale),
                       std::move(*item),
                       std::move(*user),
                       std::move(*request),
                       *quantity,
                       *price,
                       domain::OrderStatus::kPending,
                       domain::FromUnixMillis(*created)};
}

std::string_view EntryField(EntryFields fields, std::string_view name) {
  for (std::size_t k = 0; k + 1 < fields.size(); k += 2) {
    if (fields[k] == name) return fields[k + 1];
  }
  return {};
}

/// Builds a checkout attempt from a stream entry (as checkout.lua writes it: k=attempt, a, s,
/// i, u, x, c, e, t); nullopt when a field is missing or malformed.
std::optional<domain::CheckoutAttempt> ParseAttemptEntry(EntryFields fields) {
  auto id = domain::AttemptId::Parse(EntryField(fields, "a"));
  auto sale = domain::SaleId::Parse(EntryField(fields, "s"));
  auto item = domain::ItemId::Parse(EntryField(fields, "i"));
  auto user = domain::UserId::Parse(EntryField(fields, "u"));
  auto created = domain::ParseNumber<std::int64_t>(EntryField(fields, "t"));
  domain::Outcome outcome = domain::Outcome::kInternal;
  if (!id || !sale || !item || !user || !created ||
      !domain::FromString(EntryField(fields, "x"), outcome)) {
    return std::nullopt;
  }
  domain::CheckoutAttempt attempt{
      std::move(*id), std::move(*sale), std::move(*item), std::move(*user),
      outcome,        std::nullopt,     std::nullopt,     domain::FromUnixMillis(*created)};
  if (const std::string_view code = EntryField(fields, "c"); !code.empty()) {
    auto parsed = domain::CheckoutCode::Parse(code);
    auto expires = domain::ParseNumber<std::int64_t>(EntryField(fields, "e"));
    if (!parsed || !expires) return std::nullopt;
    attempt.code = std::move(*parsed);
    attempt.expires_at = domain::FromUnixMillis(*expires);
  }
  return attempt;
}

}  // namespace flashsale::redis
