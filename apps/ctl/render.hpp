#pragma once

// flashsalectl's pure parts: building a sale from the command line, and the tables it
// prints (no I/O besides the stream given).

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "flashsale/domain/result.hpp"
#include "flashsale/domain/time.hpp"

namespace flashsale::ctl {

/// "19.99" -> 1999 cents (at most two decimals, no sign); InvalidRequest otherwise.
domain::Result<std::int64_t> ParsePrice(std::string_view text);

/// A time for the admin API: RFC 3339 (kept), integer ms since the epoch (kept), "now", or
/// "+<n>s|m|h|d" from `now` (as RFC 3339). InvalidRequest naming `flag` otherwise.
domain::Result<nlohmann::json> ParseWhen(std::string_view text, domain::TimePoint now,
                                         const char* flag);

/// The POST /admin/sales body: items "id:stock:price[:name]" (the name may contain ':').
domain::Result<nlohmann::json> BuildSale(
    const std::string& id, const std::vector<std::string>& items, int limit,
    const std::string& starts, const std::string& ends,
    domain::TimePoint now = domain::TimePoint(
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())));

/// Aligned columns: the first row is the header.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

void PrintSales(std::ostream& out, const nlohmann::json& sales);
void PrintSale(std::ostream& out, const nlohmann::json& sale);
void PrintAudit(std::ostream& out, const nlohmann::json& report);

}  // namespace flashsale::ctl
