#include "admin_body.hpp"

#include <fmt/format.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <set>

namespace flashsale::rest {
namespace {

using json = nlohmann::json;

domain::Error Invalid(std::string detail) {
  return domain::Error{domain::Outcome::kInvalidRequest, std::move(detail)};
}

/// The latest instant accepted in a body (the end of year 9999).
constexpr std::int64_t kMaxMillis = 253'402'300'799'999;

domain::Result<domain::TimePoint> ParseTime(const json& value, const char* field) {
  if (value.is_string()) {
    if (auto t = domain::ParseRfc3339(value.get<std::string>())) return *t;
  } else if (value.is_number_integer() || value.is_number_unsigned()) {
    if (value.is_number_unsigned() ? value.get<std::uint64_t>() <= kMaxMillis
                                   : value.get<std::int64_t>() >= 0) {
      return domain::FromUnixMillis(value.get<std::int64_t>());
    }
  }
  return Invalid(std::string(field) +
                 " must be an RFC 3339 date-time or milliseconds since the Unix epoch");
}

domain::Result<std::int64_t> ParseInteger(const json& value, const std::string& field) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return Invalid(field + " is too large");
    }
    return static_cast<std::int64_t>(v);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return Invalid(field + " must be an integer");
}

/// Refuses keys outside `known` (the first one, by name).
domain::Result<void> OnlyKnown(const json& object, const std::set<std::string>& known,
                               const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    if (!known.contains(key)) return Invalid("unknown field " + where + key);
  }
  return domain::Ok();
}

domain::Result<domain::SaleItem> ParseItem(const json& item, std::size_t index) {
  const std::string at = "items[" + std::to_string(index) + "]";
  if (!item.is_object()) return Invalid(at + " must be an object");
  if (auto known = OnlyKnown(item, {"id", "stock", "price_cents", "name"}, at + "."); !known) {
    return known.error();
  }
  std::string missing;
  for (const char* field : {"id", "stock", "price_cents"}) {
    if (!item.contains(field) || item[field].is_null()) {
      missing += (missing.empty() ? "" : ", ") + at + "." + field;
    }
  }
  if (!missing.empty()) return Invalid("missing: " + missing);
  std::string raw_id;
  if (item["id"].is_string()) {
    raw_id = item["id"].get<std::string>();
  } else if (item["id"].is_number_integer() || item["id"].is_number_unsigned()) {
    raw_id = item["id"].dump();
  } else {
    return Invalid(at + ".id must be a string or an integer");
  }
  auto id = domain::ItemId::Parse(raw_id);
  if (!id) return Invalid(at + ".id must be 1-64 characters of [A-Za-z0-9._:-]");
  auto stock = ParseInteger(item["stock"], at + ".stock");
  if (!stock) return stock.error();
  auto price = ParseInteger(item["price_cents"], at + ".price_cents");
  if (!price) return price.error();
  std::string name = raw_id;
  if (item.contains("name") && !item["name"].is_null()) {
    if (!item["name"].is_string()) return Invalid(at + ".name must be a string");
    name = item["name"].get<std::string>();
  }
  return domain::SaleItem{std::move(*id), *stock, *price, std::move(name)};
}

std::string Status(const domain::Sale& sale, domain::TimePoint now) {
  if (now < sale.starts_at) return "upcoming";
  return now < sale.ends_at ? "open" : "ended";
}

json SaleJson(const domain::Sale& sale, domain::TimePoint now) {
  json items = json::array();
  for (const auto& item : sale.items) {
    items.push_back({{"id", item.id.str()},
                     {"name", item.name},
                     {"stock", item.stock},
                     {"price_cents", item.price_cents}});
  }
  return {{"id", sale.id.str()},
          {"status", Status(sale, now)},
          {"starts_at", domain::FormatRfc3339(sale.starts_at)},
          {"ends_at", domain::FormatRfc3339(sale.ends_at)},
          {"starts_at_ms", domain::ToUnixMillis(sale.starts_at)},
          {"ends_at_ms", domain::ToUnixMillis(sale.ends_at)},
          {"per_user_limit", sale.per_user_limit},
          {"items", std::move(items)}};
}

std::string Dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

domain::Result<domain::Sale> ParseSaleBody(std::string_view body, domain::TimePoint now) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Invalid("body must be a JSON object");
  if (auto known = OnlyKnown(doc, {"id", "items", "per_user_limit", "starts_at", "ends_at"}, "");
      !known) {
    return known.error();
  }
  std::string missing;
  for (const char* field : {"id", "items", "ends_at"}) {
    if (!doc.contains(field) || doc[field].is_null()) {
      missing += (missing.empty() ? "" : ", ") + std::string(field);
    }
  }
  if (!missing.empty()) return Invalid("missing: " + missing);
  if (!doc["id"].is_string()) return Invalid("id must be a string");
  auto id = domain::SaleId::Parse(doc["id"].get<std::string>());
  if (!id) return Invalid("id must be 1-64 characters of [A-Za-z0-9._:-]");
  if (!doc["items"].is_array() || doc["items"].empty()) {
    return Invalid("items must be a non-empty array");
  }
  if (doc["items"].size() > domain::kMaxSaleItems) {
    return Invalid("a sale has at most " + std::to_string(domain::kMaxSaleItems) + " items");
  }
  domain::Sale sale{std::move(*id), {}, 10, now, now};
  for (std::size_t i = 0; i < doc["items"].size(); ++i) {
    auto item = ParseItem(doc["items"][i], i);
    if (!item) return item.error();
    sale.items.push_back(std::move(*item));
  }
  if (doc.contains("per_user_limit") && !doc["per_user_limit"].is_null()) {
    auto limit = ParseInteger(doc["per_user_limit"], "per_user_limit");
    if (!limit) return limit.error();
    if (*limit < 1 || *limit > domain::kMaxPerUserLimit) {
      return Invalid(
          fmt::format("per_user_limit must be between 1 and {}", domain::kMaxPerUserLimit));
    }
    sale.per_user_limit = static_cast<std::int32_t>(*limit);
  }
  if (doc.contains("starts_at") && !doc["starts_at"].is_null()) {
    auto starts = ParseTime(doc["starts_at"], "starts_at");
    if (!starts) return starts.error();
    sale.starts_at = *starts;
  }
  auto ends = ParseTime(doc["ends_at"], "ends_at");
  if (!ends) return ends.error();
  sale.ends_at = *ends;
  if (auto valid = sale.Validate(); !valid) return valid.error();
  return sale;
}

std::string SaleBody(const domain::Sale& sale, domain::TimePoint now) {
  return Dump(SaleJson(sale, now));
}

std::string SalesBody(const std::vector<domain::Sale>& sales, domain::TimePoint now) {
  json list = json::array();
  for (const auto& sale : sales) list.push_back(SaleJson(sale, now));
  return Dump(json{{"sales", std::move(list)}});
}

std::string AuditBody(const core::AuditReport& report, domain::TimePoint taken_at) {
  json items = json::array();
  for (const auto& row : report.items) {
    items.push_back(
        {{"id", row.item.str()},
         {"initial", row.initial},
         {"remaining", row.remaining},
         {"held", row.held},
         {"pending", row.pending},
         {"persisted", row.persisted},
         {"failed_returned", row.failed_returned},
         {"difference", row.remaining + row.held + row.pending + row.persisted - row.initial}});
  }
  return Dump(json{{"sale_id", report.sale.id.str()},
                   {"status", Status(report.sale, taken_at)},
                   {"consistent", report.consistent},
                   {"taken_at", domain::FormatRfc3339(taken_at)},
                   {"items", std::move(items)},
                   {"dead_letters", report.dead_letters},
                   {"max_units_per_user", report.max_units_per_user},
                   {"per_user_limit", report.sale.per_user_limit},
                   {"checkout_attempts", report.checkout_attempts},
                   {"checkout_holds", report.checkout_holds},
                   {"differences", report.differences}});
}

}  // namespace flashsale::rest
