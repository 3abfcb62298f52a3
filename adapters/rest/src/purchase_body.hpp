#pragma once

// JSON <-> domain for POST /api/purchase: pure functions (no Pistache), so the parser can be
// unit-tested and fuzzed on its own.

#include <string>
#include <string_view>

#include "flashsale/domain/purchase.hpp"
#include "flashsale/domain/result.hpp"

namespace flashsale::rest {

/// Strips one pair of surrounding double quotes ("abc" -> abc), as sent by some clients in
/// an Idempotency-Key header.
std::string_view UnquoteHeader(std::string_view value);

/// Turns a purchase body ({"request_id","user_id","item_id","quantity","sale_id"}) and the
/// optional Idempotency-Key header into a PurchaseInput. InvalidRequest with a detail naming
/// the problem: not a JSON object, a field of the wrong type, missing fields (detail
/// "missing: a, b"), or an Idempotency-Key that differs from request_id. quantity defaults
/// to 1 (the seed API's default); sale_id to `default_sale`. Field values are not validated
/// here (PlacePurchase does that).
domain::Result<domain::PurchaseInput> ParsePurchaseBody(std::string_view body,
                                                        std::string_view idempotency_key,
                                                        std::string_view default_sale);

/// The order form of the replaced async service: {"user_id", "product_id"} where each id may
/// be a JSON string or an integer (which becomes its decimal string), plus an optional
/// request_id / Idempotency-Key. Quantity 1. Without a request id one is minted (the call is
/// not idempotent). InvalidRequest as ParsePurchaseBody ("missing: user_id, product_id").
domain::Result<domain::PurchaseInput> ParseOrderForm(std::string_view body,
                                                     std::string_view idempotency_key,
                                                     std::string_view default_sale);

/// The 202 body of an accepted order form.
std::string AcceptedOrderFormBody(const domain::PurchaseReply& reply);

/// The seed API's `message` for a refused body: "missing required fields" when fields are
/// missing, "invalid request body" otherwise.
std::string_view BodyErrorMessage(const domain::Error& error);

/// The 200 body of an accepted (or replayed accepted) purchase.
std::string AcceptedPurchaseBody(const domain::PurchaseReply& reply);

/// Already-encoded ,"key":value pairs added to the problem body of a refused purchase that
/// names an order (a replay of a failed order) or is a replay.
std::string RefusedPurchaseExtra(const domain::PurchaseReply& reply);

}  // namespace flashsale::rest
