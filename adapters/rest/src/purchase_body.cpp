#include "purchase_body.hpp"

#include <limits>
#include <nlohmann/json.hpp>

namespace flashsale::rest {
namespace {

using json = nlohmann::json;

domain::Error Invalid(std::string detail) {
  return domain::Error{domain::Outcome::kInvalidRequest, std::move(detail)};
}

/// Collects the string fields of a body: missing required ones and the first type error.
class FieldReader {
 public:
  explicit FieldReader(const json& body) : body_(body) {}

  void Text(const char* field, std::string& out, bool required) {
    auto it = body_.find(field);
    if (it == body_.end() || it->is_null()) {
      if (required) missing_ += missing_.empty() ? field : std::string(", ") + field;
      return;
    }
    if (!it->is_string()) {
      if (type_error_.empty()) type_error_ = std::string(field) + " must be a string";
      return;
    }
    out = it->get<std::string>();
  }

  /// A string, or an integer as its decimal string (ids of the replaced order form).
  void Id(const char* field, std::string& out) {
    auto it = body_.find(field);
    if (it == body_.end() || it->is_null()) {
      missing_ += missing_.empty() ? field : std::string(", ") + field;
    } else if (it->is_string()) {
      out = it->get<std::string>();
    } else if (it->is_number_unsigned()) {
      out = std::to_string(it->get<std::uint64_t>());
    } else if (it->is_number_integer()) {
      out = std::to_string(it->get<std::int64_t>());
    } else if (type_error_.empty()) {
      type_error_ = std::string(field) + " must be a string or an integer";
    }
  }

  void Quantity(std::int64_t& out) {
    auto it = body_.find("quantity");
    if (it == body_.end() || it->is_null()) {
      out = 1;  // the seed API's default
    } else if (it->is_number_unsigned()) {
      auto v = it->get<std::uint64_t>();
      constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
      out = v > kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(v);
    } else if (it->is_number_integer()) {
      out = it->get<std::int64_t>();
    } else if (type_error_.empty()) {
      type_error_ = "quantity must be an integer";
    }
  }

  const std::string& missing() const { return missing_; }
  const std::string& type_error() const { return type_error_; }

 private:
  const json& body_;
  std::string missing_;
  std::string type_error_;
};

constexpr const char* kNotAnObject = "the body must be a JSON object";

/// The read fields' verdict, then the Idempotency-Key `key` (already unquoted) as the request
/// id (it must agree with a request_id in the body).
domain::Result<domain::PurchaseInput> Finish(const FieldReader& fields, const std::string& key,
                                             domain::PurchaseInput input) {
  if (!fields.type_error().empty()) return Invalid(fields.type_error());
  if (!fields.missing().empty()) return Invalid("missing: " + fields.missing());
  if (!key.empty()) {
    if (!input.request_id.empty() && input.request_id != key) {
      return Invalid("Idempotency-Key and request_id differ");
    }
    input.request_id = key;
  }
  return input;
}

}  // namespace

std::string_view UnquoteHeader(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

domain::Result<domain::PurchaseInput> ParsePurchaseBody(std::string_view body,
                                                        std::string_view idempotency_key,
                                                        std::string_view default_sale) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return Invalid(kNotAnObject);
  domain::PurchaseInput input;
  input.sale_id = std::string(default_sale);
  const std::string key(UnquoteHeader(idempotency_key));
  FieldReader fields(parsed);
  fields.Text("request_id", input.request_id, key.empty());
  fields.Text("user_id", input.user_id, true);
  fields.Text("item_id", input.item_id, true);
  fields.Text("sale_id", input.sale_id, false);
  fields.Quantity(input.quantity);
  return Finish(fields, key, std::move(input));
}

domain::Result<domain::PurchaseInput> ParseOrderForm(std::string_view body,
                                                     std::string_view idempotency_key,
                                                     std::string_view default_sale) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return Invalid(kNotAnObject);
  domain::PurchaseInput input;
  input.sale_id = std::string(default_sale);
  input.quantity = 1;
  input.mint_request_id = true;
  const std::string key(UnquoteHeader(idempotency_key));
  FieldReader fields(parsed);
  fields.Id("user_id", input.user_id);
  fields.Id("product_id", input.item_id);
  fields.Text("request_id", input.request_id, false);
  return Finish(fields, key, std::move(input));
}

std::string AcceptedOrderFormBody(const domain::PurchaseReply& reply) {
  std::string out = R"({"status":"success","message":"order received","order_id":")";
  if (reply.order_id) out += reply.order_id->str();
  out += R"(","order_status":"pending","replayed":)";
  out += reply.replayed ? "true}" : "false}";
  return out;
}

std::string_view BodyErrorMessage(const domain::Error& error) {
  return error.detail.starts_with("missing: ") ? "missing required fields" : "invalid request body";
}

std::string AcceptedPurchaseBody(const domain::PurchaseReply& reply) {
  // Order ids are validated ids ([A-Za-z0-9._:-]): nothing to escape.
  std::string out;
  out.reserve(160);
  out += R"({"success":true,"message":"order placed successfully","order_id":")";
  if (reply.order_id) out += reply.order_id->str();
  out += R"(","status":"pending","remaining":)";
  out += std::to_string(reply.remaining);
  out += R"(,"replayed":)";
  out += reply.replayed ? "true}" : "false}";
  return out;
}

std::string RefusedPurchaseExtra(const domain::PurchaseReply& reply) {
  std::string extra;
  if (reply.order_id) {
    extra = R"(,"order_id":")" + reply.order_id->str() + R"(","status":")" +
            (reply.order_failed ? "failed" : "pending") + "\"";
  }
  if (reply.replayed) extra += R"(,"replayed":true)";
  return extra;
}

}  // namespace flashsale::rest
