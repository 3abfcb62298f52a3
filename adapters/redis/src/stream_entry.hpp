#pragma once

// The order queue's stream entries as the Lua functions write them (XADD field lists), read
// back: pure functions over the field list, no hiredis, fuzzed by tests/fuzz/fuzz_text.

#include <optional>
#include <span>
#include <string_view>

#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/order.hpp"

namespace flashsale::redis {

/// field, value, field, value, ... (an odd last element is ignored).
using EntryFields = std::span<const std::string_view>;

/// The value of `name` (the first occurrence), empty when absent.
std::string_view EntryField(EntryFields fields, std::string_view name);

/// An order entry (reserve.lua, complete.lua: o, s, i, u, r, q, p, t); nullopt when a field
/// is missing or malformed.
std::optional<domain::Order> ParseOrderEntry(EntryFields fields);

/// A checkout attempt entry (checkout.lua: k=attempt, a, s, i, u, x, c, e, t); nullopt when a
/// field is missing or malformed.
std::optional<domain::CheckoutAttempt> ParseAttemptEntry(EntryFields fields);

}  // namespace flashsale::redis
