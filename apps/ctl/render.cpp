#include "render.hpp"

#include <algorithm>

#include "flashsale/domain/text.hpp"

namespace flashsale::ctl {
namespace {

using json = nlohmann::json;

domain::Error Invalid(std::string detail) {
  return domain::Error{domain::Outcome::kInvalidRequest, std::move(detail)};
}

std::optional<std::int64_t> Digits(std::string_view text) {
  if (text.size() > 15) return std::nullopt;
  auto value = domain::ParseNumber<std::int64_t>(text);
  if (!value || *value < 0) return std::nullopt;
  return value;
}

std::string Text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

domain::Result<std::int64_t> ParsePrice(std::string_view text) {
  const auto dot = text.find('.');
  auto whole = Digits(text.substr(0, dot));
  if (!whole || text.find_first_not_of("0123456789.") != std::string_view::npos) {
    return Invalid("price \"" + std::string(text) + "\" must look like 19.99");
  }
  std::int64_t cents = *whole * 100;
  if (dot != std::string_view::npos) {
    std::string_view fraction = text.substr(dot + 1);
    auto digits = Digits(fraction);
    if (!digits || fraction.size() > 2) {
      return Invalid("price \"" + std::string(text) + "\" has at most two decimals");
    }
    cents += fraction.size() == 1 ? *digits * 10 : *digits;
  }
  return cents;
}

domain::Result<json> ParseWhen(std::string_view text, domain::TimePoint now, const char* flag) {
  if (text == "now") return json(domain::FormatRfc3339(now));
  if (!text.empty() && text.front() == '+' && text.size() >= 3) {
    auto amount = Digits(text.substr(1, text.size() - 2));
    const char unit = text.back();
    const std::int64_t seconds = unit == 's'   ? 1
                                 : unit == 'm' ? 60
                                 : unit == 'h' ? 3600
                                 : unit == 'd' ? 86'400
                                               : 0;
    constexpr std::int64_t kCentury = 100LL * 366 * 86'400;  // keeps the sum far from overflow
    if (amount && seconds > 0 && *amount <= kCentury / seconds) {
      return json(domain::FormatRfc3339(now + std::chrono::seconds(*amount * seconds)));
    }
  }
  if (auto ms = Digits(text)) return json(*ms);
  if (domain::ParseRfc3339(text)) return json(std::string(text));
  return Invalid(std::string(flag) + " \"" + std::string(text) +
                 "\" must be an RFC 3339 time, milliseconds, now, or +30m/+2h/+1d");
}

domain::Result<json> BuildSale(const std::string& id, const std::vector<std::string>& items,
                               int limit, const std::string& starts, const std::string& ends,
                               domain::TimePoint now) {
  json sale{{"id", id}, {"items", json::array()}, {"per_user_limit", limit}};
  for (const std::string& spec : items) {
    const auto first = spec.find(':');
    const auto second = first == std::string::npos ? first : spec.find(':', first + 1);
    if (second == std::string::npos) {
      return Invalid("--item \"" + spec + "\" must be id:stock:price[:name]");
    }
    const auto third = spec.find(':', second + 1);
    auto stock = Digits(std::string_view(spec).substr(first + 1, second - first - 1));
    if (!stock) return Invalid("--item \"" + spec + "\": stock must be a whole number");
    auto price = ParsePrice(std::string_view(spec).substr(
        second + 1, third == std::string::npos ? std::string::npos : third - second - 1));
    if (!price) return Invalid("--item \"" + spec + "\": " + price.error().detail);
    json item{{"id", spec.substr(0, first)}, {"stock", *stock}, {"price_cents", *price}};
    if (third != std::string::npos) item["name"] = spec.substr(third + 1);
    sale["items"].push_back(std::move(item));
  }
  if (!starts.empty()) {
    auto when = ParseWhen(starts, now, "--starts");
    if (!when) return when.error();
    sale["starts_at"] = *when;
  }
  auto when = ParseWhen(ends, now, "--ends");
  if (!when) return when.error();
  sale["ends_at"] = *when;
  return sale;
}

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

void PrintSales(std::ostream& out, const json& sales) {
  std::vector<std::vector<std::string>> rows{
      {"ID", "STATUS", "STARTS", "ENDS", "LIMIT", "ITEMS", "UNITS"}};
  for (const auto& s : sales) {
    std::int64_t units = 0;
    for (const auto& item : s.at("items")) units += item.at("stock").get<std::int64_t>();
    rows.push_back({Text(s.at("id")), Text(s.at("status")), Text(s.at("starts_at")),
                    Text(s.at("ends_at")), Text(s.at("per_user_limit")),
                    std::to_string(s.at("items").size()), std::to_string(units)});
  }
  if (rows.size() == 1) {
    out << "no sales\n";
    return;
  }
  PrintTable(out, rows);
}

void PrintSale(std::ostream& out, const json& sale) {
  out << "sale " << Text(sale.at("id")) << " (" << Text(sale.at("status")) << ")\n"
      << "  window  " << Text(sale.at("starts_at")) << " .. " << Text(sale.at("ends_at")) << "\n"
      << "  limit   " << Text(sale.at("per_user_limit")) << " units per user\n";
  std::vector<std::vector<std::string>> rows{{"ITEM", "NAME", "STOCK", "PRICE"}};
  for (const auto& item : sale.at("items")) {
    rows.push_back({Text(item.at("id")), Text(item.at("name")), Text(item.at("stock")),
                    domain::FormatCents(item.at("price_cents").get<std::int64_t>())});
  }
  PrintTable(out, rows);
}

void PrintAudit(std::ostream& out, const json& report) {
  const bool consistent = report.value("consistent", false);
  out << "audit of " << Text(report.at("sale_id")) << " (" << Text(report.at("status")) << ") at "
      << Text(report.at("taken_at")) << ": " << (consistent ? "CONSISTENT" : "INCONSISTENT")
      << "\n";
  std::vector<std::vector<std::string>> rows{{"ITEM", "INITIAL", "REMAINING", "HELD", "PENDING",
                                              "PERSISTED", "FAILED_RETURNED", "DIFFERENCE"}};
  for (const auto& item : report.at("items")) {
    rows.push_back({Text(item.at("id")), Text(item.at("initial")), Text(item.at("remaining")),
                    Text(item.at("held")), Text(item.at("pending")), Text(item.at("persisted")),
                    Text(item.at("failed_returned")), Text(item.at("difference"))});
  }
  PrintTable(out, rows);
  out << "dead letters " << Text(report.at("dead_letters")) << "; most units one user has "
      << Text(report.at("max_units_per_user")) << " (limit " << Text(report.at("per_user_limit"))
      << "); checkout attempts " << Text(report.at("checkout_attempts")) << " (codes "
      << Text(report.at("checkout_holds")) << ")\n";
  for (const auto& difference : report.at("differences")) out << "  " << Text(difference) << "\n";
}

}  // namespace flashsale::ctl
