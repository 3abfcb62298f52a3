#pragma once

// JSON and query parameters <-> domain for the two-step routes (POST /checkout, POST
// /purchase, GET /sale/status): pure functions, no Pistache.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "flashsale/core/get_sale_status.hpp"
#include "flashsale/domain/checkout.hpp"
#include "flashsale/domain/result.hpp"

namespace flashsale::rest {

/// A query parameter by name, nullopt when absent.
using QueryLookup = std::function<std::optional<std::string>(std::string_view)>;

/// A checkout from query parameters (user_id, item_id or id, request_id, sale_id) and/or a
/// JSON object body with the same fields; an Idempotency-Key header carries the request id.
/// InvalidRequest for a body that is not a JSON object, a field of the wrong type, a field
/// given twice with two values, or missing user/item ("missing: user_id, item_id").
domain::Result<domain::CheckoutInput> ParseCheckout(const QueryLookup& query, std::string_view body,
                                                    std::string_view idempotency_key,
                                                    std::string_view default_sale);

/// A completion from `?code=` (or `?checkout_code=`) and/or a body {"checkout_code",
/// "request_id"}; an Idempotency-Key header carries the request id.
domain::Result<domain::CompleteInput> ParseComplete(const QueryLookup& query, std::string_view body,
                                                    std::string_view idempotency_key);

/// The seed systems' `message` for an answer of POST /checkout and POST /purchase.
std::string_view TwoStepMessage(domain::Outcome outcome);

std::string CheckoutBody(const domain::CheckoutReply& reply, const domain::ItemId& item);
std::string CompleteBody(const domain::CompleteReply& reply);
/// Extra problem fields of a refused completion (the order a used code became).
std::string CompleteRefusalExtra(const domain::CompleteReply& reply);
std::string SaleStatusBody(const core::SaleStatus& status);

}  // namespace flashsale::rest
