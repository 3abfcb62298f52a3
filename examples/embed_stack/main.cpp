// libflashsale on Redis + MySQL: FLASHSALE_REDIS_URL and FLASHSALE_MYSQL_URL name the servers.
// Creates (or reuses) the sale `embed-<pid>` with 5 units, lets 8 users ask for one each,
// stops (flushing every accepted order to MySQL), then reads each accepted order back: exits
// 0 when exactly 5 were sold and all 5 are confirmed in MySQL.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <flashsale/service/service.hpp>
#include <string>
#include <vector>

int main() {
  using namespace flashsale;
  const char* redis = std::getenv("FLASHSALE_REDIS_URL");
  const char* mysql = std::getenv("FLASHSALE_MYSQL_URL");
  if (!redis || !mysql) {
    std::fprintf(stderr, "set FLASHSALE_REDIS_URL and FLASHSALE_MYSQL_URL\n");
    return 2;
  }
  service::ServiceOptions options;
  options.redis_url = redis;
  options.mysql_url = mysql;
  options.migrate = true;
  options.sale_id = "embed-" + std::to_string(::getpid());
  options.demo_stock = 5;
  options.demo_per_user_limit = 1;

  std::vector<std::string> sold;
  {
    auto shop = service::Service::Create(options);
    if (!shop) return 1;
    shop->Start();
    for (int user = 0; user < 8; ++user) {
      auto reply = shop->Purchase({.item_id = "iphone-15",
                                   .user_id = "u" + std::to_string(user),
                                   .request_id = "r" + std::to_string(user),
                                   .quantity = 1});
      std::printf("u%d %s\n", user, std::string(ToString(reply.outcome)).c_str());
      if (reply.outcome == domain::Outcome::kAccepted) sold.push_back(reply.order_id->str());
    }
    if (!shop->Stop()) return 1;  // every accepted order is in MySQL now
  }
  auto reader = service::Service::Create(options);  // a fresh process would see the same
  if (!reader) return 1;
  int confirmed = 0;
  for (const auto& id : sold) {
    auto order = reader->GetOrder(id);
    confirmed += order && order->status == domain::OrderStatus::kConfirmed;
  }
  std::printf("sold %zu, confirmed in MySQL %d\n", sold.size(), confirmed);
  return sold.size() == 5 && confirmed == 5 ? 0 : 1;
}
