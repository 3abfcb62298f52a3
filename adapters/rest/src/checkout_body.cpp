#include "checkout_body.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "flashsale/domain/text.hpp"
#include "purchase_body.hpp"

namespace flashsale::rest {
namespace {

using json = nlohmann::json;

domain::Error Invalid(std::string detail) {
  return domain::Error{domain::Outcome::kInvalidRequest, std::move(detail)};
}

std::string Dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// Merges one field from the query and the body: absent in both -> empty; both with two
/// values -> an error.
class Fields {
 public:
  Fields(const QueryLookup& query, const json& body) : query_(query), body_(body) {}

  std::string Get(std::initializer_list<const char*> query_names, const char* body_name) {
    std::optional<std::string> from_query;
    for (const char* name : query_names) {
      if (!from_query) from_query = query_(name);
    }
    std::optional<std::string> from_body;
    if (auto it = body_.find(body_name); it != body_.end() && !it->is_null()) {
      if (!it->is_string()) {
        Fail(std::string(body_name) + " must be a string");
        return {};
      }
      from_body = it->get<std::string>();
    }
    if (from_query && from_body && *from_query != *from_body) {
      Fail(std::string(body_name) + " differs between the query and the body");
    }
    return from_query ? *from_query : from_body.value_or("");
  }
  void Require(const std::string& value, const char* name) {
    if (value.empty()) missing_ += missing_.empty() ? name : std::string(", ") + name;
  }
  void Fail(std::string error) {
    if (error_.empty()) error_ = std::move(error);
  }
  std::optional<domain::Error> Problem() const {
    if (!error_.empty()) return Invalid(error_);
    if (!missing_.empty()) return Invalid("missing: " + missing_);
    return std::nullopt;
  }

 private:
  const QueryLookup& query_;
  const json& body_;
  std::string missing_;
  std::string error_;
};

/// The body as a JSON object; an empty body is an empty object.
std::optional<json> ParseObject(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

/// The request id from the fields and the Idempotency-Key header (which must agree).
std::string RequestId(Fields& fields, std::string_view idempotency_key) {
  const std::string key(UnquoteHeader(idempotency_key));
  std::string request = fields.Get({"request_id"}, "request_id");
  if (!key.empty() && !request.empty() && key != request) {
    fields.Fail("Idempotency-Key and request_id differ");
  }
  return request.empty() ? key : request;
}

json ItemJson(const domain::ItemId& item, std::string_view name, std::int64_t price_cents) {
  return json{{"id", item.str()},
              {"name", std::string(name)},
              {"price", json::parse(domain::FormatCents(price_cents))},
              {"price_cents", price_cents}};
}

}  // namespace

domain::Result<domain::CheckoutInput> ParseCheckout(const QueryLookup& query, std::string_view body,
                                                    std::string_view idempotency_key,
                                                    std::string_view default_sale) {
  auto object = ParseObject(body);
  if (!object) return Invalid("the body must be a JSON object");
  Fields fields(query, *object);
  domain::CheckoutInput input;
  input.user_id = fields.Get({"user_id"}, "user_id");
  input.item_id = fields.Get({"item_id", "id"}, "item_id");
  input.sale_id = fields.Get({"sale_id"}, "sale_id");
  input.request_id = RequestId(fields, idempotency_key);
  fields.Require(input.user_id, "user_id");
  fields.Require(input.item_id, "item_id");
  if (auto problem = fields.Problem()) return *problem;
  if (input.sale_id.empty()) input.sale_id = std::string(default_sale);
  return input;
}

domain::Result<domain::CompleteInput> ParseComplete(const QueryLookup& query, std::string_view body,
                                                    std::string_view idempotency_key) {
  auto object = ParseObject(body);
  if (!object) return Invalid("the body must be a JSON object");
  Fields fields(query, *object);
  domain::CompleteInput input;
  input.code = fields.Get({"code", "checkout_code"}, "checkout_code");
  input.request_id = RequestId(fields, idempotency_key);
  fields.Require(input.code, "checkout_code");
  if (auto problem = fields.Problem()) return *problem;
  return input;
}

std::string_view TwoStepMessage(domain::Outcome outcome) {
  switch (outcome) {
    case domain::Outcome::kUserLimitReached:
      return "user purchase limit exceeded";
    case domain::Outcome::kSaleNotActive:
      return "sale is not currently active";
    default:
      return {};  // the outcome's usual message
  }
}

std::string CheckoutBody(const domain::CheckoutReply& reply, const domain::ItemId& item) {
  return Dump(json{{"success", true},
                   {"checkout_code", reply.code ? reply.code->str() : ""},
                   {"message", "checkout code generated successfully"},
                   {"expires_at", domain::FormatRfc3339(reply.expires_at)},
                   {"item", ItemJson(item, reply.item_name, reply.unit_price_cents)},
                   {"remaining", reply.remaining},
                   {"replayed", reply.replayed}});
}

std::string CompleteBody(const domain::CompleteReply& reply) {
  const domain::Order& order = *reply.order;
  return Dump(json{{"success", true},
                   {"message", "purchase completed successfully"},
                   {"order_id", order.id.str()},
                   {"status", "pending"},
                   {"item", ItemJson(order.item, reply.item_name, order.unit_price_cents)},
                   {"quantity", order.quantity.value()},
                   {"total_price", json::parse(domain::FormatCents(order.unit_price_cents *
                                                                   order.quantity.value()))},
                   {"purchased_at", domain::FormatRfc3339(order.created_at)},
                   {"user_purchases", reply.user_units},
                   {"replayed", reply.replayed}});
}

std::string CompleteRefusalExtra(const domain::CompleteReply& reply) {
  if (!reply.used_by) return {};
  return R"(,"order_id":")" + reply.used_by->str() + "\"";  // ids need no escaping
}

std::string SaleStatusBody(const core::SaleStatus& status) {
  json items = json::array();
  for (const auto& item : status.items) {
    json entry = ItemJson(item.id, item.name, item.price_cents);
    entry["stock"] = item.stock;
    entry["remaining"] = item.remaining;
    entry["held"] = item.held;
    entry["sold"] = item.sold;
    items.push_back(std::move(entry));
  }
  return Dump(json{{"success", true},
                   {"sale_id", status.sale.id.str()},
                   {"starts_at", domain::FormatRfc3339(status.sale.starts_at)},
                   {"ends_at", domain::FormatRfc3339(status.sale.ends_at)},
                   {"active", status.active},
                   {"remaining_items", status.remaining},
                   {"held_items", status.held},
                   {"sold_items", status.sold},
                   {"per_user_limit", status.sale.per_user_limit},
                   {"items", std::move(items)}});
}

}  // namespace flashsale::rest
