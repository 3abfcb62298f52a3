// libFuzzer target: the gRPC request messages as a hostile client sends them, up to what the
// service methods hand the use cases. The first byte picks the message (Purchase, Checkout,
// CompleteCheckout), the rest are its wire bytes. Whatever they are: no crash, no sanitizer
// report; a message that parses becomes the use case's input field for field (the default
// sale when it names none), and the validation accepts only values that say the same thing.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "flashsale.pb.h"
#include "request_inputs.hpp"

namespace {

using namespace flashsale;

constexpr std::int32_t kMaxPerOrder = 100;
// Refusals of invalid UTF-8 in string fields are logged by libprotobuf: not at fuzzing speed.
const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();
const std::string kDefaultSale = "demo";

void Check(bool condition) {
  if (!condition) __builtin_trap();  // an input that is not what the message said: a finding
}

const std::string& SaleOf(const std::string& sale) { return sale.empty() ? kDefaultSale : sale; }

void Purchase(const std::uint8_t* data, std::size_t size) {
  flashsale::PurchaseRequest message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return;  // gRPC refuses it
  const domain::PurchaseInput input = rpc::PurchaseInputOf(message, kDefaultSale);
  Check(input.sale_id == SaleOf(message.sale_id()) && input.item_id == message.item_id() &&
        input.user_id == message.user_id() && input.request_id == message.request_id() &&
        input.quantity == message.quantity() && !input.mint_request_id);
  auto valid = domain::ValidatePurchase(input, kMaxPerOrder);
  if (!valid) return;
  Check(valid->sale.str() == input.sale_id && valid->item.str() == input.item_id &&
        valid->user.str() == input.user_id && valid->request.str() == input.request_id &&
        valid->quantity.value() == input.quantity && input.quantity >= 1 &&
        input.quantity <= kMaxPerOrder && !domain::IsReservedRequestId(input.request_id));
}

void Checkout(const std::uint8_t* data, std::size_t size) {
  flashsale::CheckoutRequest message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return;
  const domain::CheckoutInput input = rpc::CheckoutInputOf(message, kDefaultSale);
  Check(input.sale_id == SaleOf(message.sale_id()) && input.item_id == message.item_id() &&
        input.user_id == message.user_id() && input.request_id == message.request_id());
  auto valid = domain::ValidateCheckout(input);
  if (!valid) return;
  Check(valid->sale.str() == input.sale_id && valid->item.str() == input.item_id &&
        valid->user.str() == input.user_id &&
        (input.request_id.empty() ? !valid->request
                                  : valid->request && valid->request->str() == input.request_id));
}

void Complete(const std::uint8_t* data, std::size_t size) {
  flashsale::CompleteCheckoutRequest message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return;
  const domain::CompleteInput input = rpc::CompleteInputOf(message);
  Check(input.code == message.checkout_code() && input.request_id == message.request_id());
  auto valid = domain::ValidateComplete(input);
  if (!valid) return;
  Check(valid->code.str() == input.code &&
        (input.request_id.empty() ? !valid->request
                                  : valid->request && valid->request->str() == input.request_id));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  switch (data[0] % 3) {
    case 0:
      Purchase(data + 1, size - 1);
      break;
    case 1:
      Checkout(data + 1, size - 1);
      break;
    default:
      Complete(data + 1, size - 1);
      break;
  }
  return 0;
}
