#pragma once

// JSON <-> domain for the admin API (/admin/...): pure functions (no Pistache), unit-tested
// on their own.

#include <string>
#include <string_view>
#include <vector>

#include "flashsale/core/audit_sale.hpp"
#include "flashsale/domain/result.hpp"
#include "flashsale/domain/sale.hpp"

namespace flashsale::rest {

/// The body of POST /admin/sales:
///   {"id": "s1", "items": [{"id": "i1", "stock": 100, "price_cents": 999, "name": "..."}],
///    "per_user_limit": 2, "starts_at": ..., "ends_at": ...}
/// Times are RFC 3339 strings or integer milliseconds since the Unix epoch; starts_at
/// defaults to `now`, per_user_limit to 10, an item's name to its id; item ids may be
/// integers (their decimal string). InvalidRequest naming the problem: not a JSON object, an
/// unknown field (typos never fall back to a default), a missing field ("missing: id,
/// ends_at"), a wrong type, a bad id, or an inconsistent sale (domain::Sale::Validate).
domain::Result<domain::Sale> ParseSaleBody(std::string_view body, domain::TimePoint now);

/// One sale as the admin API shows it: id, status (upcoming/open/ended at `now`), window
/// (RFC 3339 and ms), per_user_limit, items (id, name, stock, price_cents).
std::string SaleBody(const domain::Sale& sale, domain::TimePoint now);
/// {"sales": [...]} in the order given.
std::string SalesBody(const std::vector<domain::Sale>& sales, domain::TimePoint now);
/// The audit report: per item initial/remaining/held/pending/persisted/failed_returned and
/// the difference, the sale-wide dead letters, largest per-user units, checkout counts,
/// consistent and the differences named.
std::string AuditBody(const core::AuditReport& report, domain::TimePoint taken_at);

}  // namespace flashsale::rest
