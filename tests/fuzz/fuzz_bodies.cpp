// libFuzzer target: the REST request bodies (one-step purchase, order form, checkout,
// completion, admin sale) as a hostile client sends them. Whatever the bytes: no crash, no
// sanitizer report, and every body that is accepted holds only valid values.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "admin_body.hpp"
#include "checkout_body.hpp"
#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/quantity.hpp"
#include "purchase_body.hpp"

namespace {

using namespace flashsale;

void Check(bool condition) {
  if (!condition) __builtin_trap();  // an accepted body with an invalid value: a finding
}

/// Ids are validated later (PlacePurchase): the parser's own promise is about the
/// Idempotency-Key: when one is given, it is the request id (a body request_id must agree).
void CheckPurchase(const domain::Result<domain::PurchaseInput>& input, std::string_view key) {
  if (!input) return;
  const std::string_view unquoted = rest::UnquoteHeader(key);
  if (!unquoted.empty()) Check(input->request_id == unquoted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first line is the Idempotency-Key header, the rest the body.
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto newline = bytes.find('\n');
  const std::string_view key = newline == std::string_view::npos ? "" : bytes.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? bytes : bytes.substr(newline + 1);

  CheckPurchase(rest::ParsePurchaseBody(body, key, "demo"), key);
  CheckPurchase(rest::ParseOrderForm(body, key, "demo"), key);

  const rest::QueryLookup query = [key](std::string_view name) -> std::optional<std::string> {
    if (name == "user_id" || name == "code") return std::string(key);
    return std::nullopt;
  };
  (void)rest::ParseCheckout(query, body, key, "demo");
  (void)rest::ParseComplete(query, body, key);

  auto sale = rest::ParseSaleBody(body, domain::FromUnixMillis(1'795'442'400'000));
  if (sale) {
    Check(sale->Validate().ok());
    // What the API shows of an accepted sale, less its read-only fields, parses back to the
    // same sale.
    auto shown = nlohmann::json::parse(rest::SaleBody(*sale, domain::FromUnixMillis(0)));
    for (const char* field : {"status", "starts_at_ms", "ends_at_ms"}) shown.erase(field);
    auto again = rest::ParseSaleBody(shown.dump(), domain::FromUnixMillis(1'795'442'400'000));
    Check(again.ok() && again->id == sale->id && again->items.size() == sale->items.size() &&
          again->ends_at == sale->ends_at && again->starts_at == sale->starts_at &&
          again->per_user_limit == sale->per_user_limit);
    for (std::size_t i = 0; again.ok() && i < sale->items.size(); ++i) {
      const auto& a = again->items[i];
      const auto& b = sale->items[i];
      Check(a.id == b.id && a.stock == b.stock && a.price_cents == b.price_cents &&
            a.name == b.name);
    }
  }
  return 0;
}
