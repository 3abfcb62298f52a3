// A flash sale in a few lines: the demo sale (100 units of iphone-15, 10 per user) on the
// embedded memory adapters. Prints each answer; exits 0 when the sale behaved.
#include <cstdio>
#include <flashsale/service/service.hpp>
#include <string>

int main() {
  using namespace flashsale;
  auto shop = service::Service::Create({});  // memory adapters + demo sale; logs to stderr
  if (!shop) return 1;
  shop->Start();
  int accepted = 0;
  for (int i = 0; i < 12; ++i) {  // alice asks 12 times; the per-user limit is 10
    auto reply = shop->Purchase({.item_id = "iphone-15",
                                 .user_id = "alice",
                                 .request_id = "r" + std::to_string(i),
                                 .quantity = 1});
    std::printf("%-2d %-20s %s remaining=%lld\n", i, std::string(ToString(reply.outcome)).c_str(),
                reply.order_id ? reply.order_id->str().c_str() : "-",
                static_cast<long long>(reply.remaining));
    accepted += reply.outcome == domain::Outcome::kAccepted;
  }
  const bool flushed = shop->Stop();
  return flushed && accepted == 10 ? 0 : 1;
}
