// The admin API over real sockets on the embedded default (memory store and repository):
// the token (off, missing, wrong, right, from a file), create -> list -> show -> buy ->
// audit -> close, and every refusal. Against Redis + MariaDB under load: stack_test.cpp.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app_process.hpp"
#include "http_connection.hpp"

namespace flashsale::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kToken = "test-admin-token-0123456789";
const std::string kAuth = std::string("Authorization: Bearer ") + kToken + "\r\n";

json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

std::string Header(const HttpResponse& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

void ExpectProblem(const HttpResponse& r, int status, const std::string& detail_part) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(Header(r, "content-type"), "application/problem+json") << r.body;
  EXPECT_NE(Body(r).value("detail", "").find(detail_part), std::string::npos) << r.body;
}

/// A sale body open now for an hour, with `stock` units of item "tv" and "radio".
json SaleJson(const std::string& id, int stock) {
  return json{{"id", id},
              {"items",
               {{{"id", "tv"}, {"stock", stock}, {"price_cents", 49'900}, {"name", "55\" TV"}},
                {{"id", 7}, {"stock", stock}, {"price_cents", 1'000}}}},
              {"per_user_limit", 2},
              {"ends_at", "2099-01-01T00:00:00Z"}};
}

class AdminApiTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args = {"--admin-token", kToken}) {
    app_ = std::make_unique<AppProcess>(FLASHSALE_REST_BIN, args);
    port_ = app_->port();
  }
  HttpResponse Admin(const std::string& method, const std::string& path,
                     const std::string& body = "") {
    return Http(port_, method, path, body, kAuth);
  }
  HttpResponse Buy(const std::string& sale, const std::string& item, const std::string& user,
                   int quantity = 1) {
    return Http(port_, "POST", "/api/purchase",
                json{{"sale_id", sale},
                     {"item_id", item},
                     {"user_id", user},
                     {"request_id", "r" + std::to_string(++requests_)},
                     {"quantity", quantity}}
                    .dump());
  }
  std::unique_ptr<AppProcess> app_;
  int port_ = 0;
  int requests_ = 0;
};

TEST_F(AdminApiTest, WithoutATokenTheAdminApiDoesNotExist) {
  Start({});
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/admin/sales"},
                                                        {"POST", "/admin/sales"},
                                                        {"DELETE", "/admin/sales"},
                                                        {"GET", "/admin/sales/demo"},
                                                        {"POST", "/admin/sales/demo/close"},
                                                        {"GET", "/admin/sales/demo/audit"}}) {
    ExpectProblem(Admin(method, path, SaleJson("nope", 1).dump()), 404, "no route");
  }
  // Nothing was created or closed.
  EXPECT_EQ(Buy("demo", "iphone-15", "alice").status, 200);
}

TEST_F(AdminApiTest, MissingOrWrongTokensGet401WithAChallenge) {
  Start();
  auto missing = Http(port_, "GET", "/admin/sales");
  ExpectProblem(missing, 401, "Authorization: Bearer");
  EXPECT_EQ(Header(missing, "www-authenticate"), R"(Bearer realm="flashsale-admin")");
  for (const std::string& header :
       {std::string("Authorization: Bearer not-the-token-at-all\r\n"),
        std::string("Authorization: Bearer ") + kToken + "x\r\n",
        std::string("Authorization: Bearer ") + std::string(kToken).substr(1) + "\r\n"}) {
    auto wrong = Http(port_, "POST", "/admin/sales", SaleJson("sneaky", 5).dump(), header);
    ExpectProblem(wrong, 401, "not valid");
    EXPECT_EQ(Header(wrong, "www-authenticate"),
              R"(Bearer realm="flashsale-admin", error="invalid_token")");
  }
  auto basic = Http(port_, "GET", "/admin/sales", "", "Authorization: Basic YWRtaW46YWRtaW4=\r\n");
  ExpectProblem(basic, 401, "Authorization: Bearer");
  // Nothing was created by the refused requests; the scheme is case-insensitive.
  auto listed = Http(port_, "GET", "/admin/sales/sneaky", "",
                     std::string("Authorization: bearer ") + kToken + "\r\n");
  ExpectProblem(listed, 404, "unknown sale");
  // The token never reaches the log.
  EXPECT_EQ(app_->Log().find(kToken), std::string::npos);
  EXPECT_NE(app_->Log().find("on (token set)"), std::string::npos);
}

TEST_F(AdminApiTest, CreateListShowBuyAuditClose) {
  Start();
  auto created = Admin("POST", "/admin/sales", SaleJson("black-friday", 3).dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Header(created, "location"), "/admin/sales/black-friday");
  json sale = Body(created);
  EXPECT_EQ(sale["id"], "black-friday");
  EXPECT_EQ(sale["status"], "open");
  EXPECT_EQ(sale["per_user_limit"], 2);
  EXPECT_EQ(sale["ends_at"], "2099-01-01T00:00:00.000Z");
  ASSERT_EQ(sale["items"].size(), 2U);
  EXPECT_EQ(sale["items"][0]["name"], "55\" TV");
  EXPECT_EQ(sale["items"][1]["id"], "7");  // an integer id becomes its decimal string
  EXPECT_EQ(sale["items"][1]["name"], "7");

  ExpectProblem(Admin("POST", "/admin/sales", SaleJson("black-friday", 9).dump()), 409, "exists");
  auto listed = Admin("GET", "/admin/sales");
  ASSERT_EQ(listed.status, 200) << listed.body;
  std::vector<std::string> ids;
  const json all = Body(listed);
  for (const auto& s : all["sales"]) ids.push_back(s["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"demo", "black-friday"}));  // oldest start first
  EXPECT_EQ(Body(Admin("GET", "/admin/sales/black-friday")), sale);

  ASSERT_EQ(Buy("black-friday", "tv", "ann", 2).status, 200);
  ASSERT_EQ(Buy("black-friday", "7", "bob").status, 200);
  EXPECT_EQ(Buy("black-friday", "tv", "ann").status, 403);    // per-user limit 2
  EXPECT_EQ(Buy("black-friday", "tv", "cy", 2).status, 410);  // 1 left

  json audit;
  ASSERT_TRUE(WaitFor(
      [&] {
        audit = Body(Admin("GET", "/admin/sales/black-friday/audit"));
        return audit.value("consistent", false) && audit["items"][0]["pending"] == 0 &&
               audit["items"][1]["pending"] == 0;
      },
      std::chrono::seconds(10)))
      << audit.dump();
  EXPECT_EQ(audit["sale_id"], "black-friday");
  EXPECT_EQ(audit["items"][0], (json{{"id", "tv"},
                                     {"initial", 3},
                                     {"remaining", 1},
                                     {"held", 0},
                                     {"pending", 0},
                                     {"persisted", 2},
                                     {"failed_returned", 0},
                                     {"difference", 0}}));
  EXPECT_EQ(audit["items"][1]["persisted"], 1);
  EXPECT_EQ(audit["items"][1]["remaining"], 2);
  EXPECT_EQ(audit["dead_letters"], 0);
  EXPECT_EQ(audit["max_units_per_user"], 2);
  EXPECT_EQ(audit["differences"], json::array());

  auto closed = Admin("POST", "/admin/sales/black-friday/close");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(Body(closed)["status"], "ended");
  ExpectProblem(Buy("black-friday", "7", "dan"), 409, "ended");
  auto again = Admin("POST", "/admin/sales/black-friday/close");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Body(again)["ends_at"], Body(closed)["ends_at"]);  // closing twice changes nothing
  auto after = Body(Admin("GET", "/admin/sales/black-friday/audit"));
  EXPECT_EQ(after["consistent"], true) << after.dump();
  EXPECT_EQ(after["status"], "ended");
  EXPECT_EQ(Buy("demo", "iphone-15", "dan").status, 200);  // other sales go on
}

TEST_F(AdminApiTest, ProductsAndTheOrderFormFollowTheDefaultSaleAcrossSales) {
  Start();
  // Two sales open: the configured one (demo) stays the default while it is open.
  ASSERT_EQ(Admin("POST", "/admin/sales", SaleJson("bf", 3).dump()).status, 201);
  json products = Body(Http(port_, "GET", "/api/products"));
  ASSERT_EQ(products.size(), 1U) << products.dump();
  EXPECT_EQ(products[0]["id"], "iphone-15");
  ExpectProblem(Http(port_, "POST", "/api/orders", R"({"user_id":1,"product_id":7})"), 404,
                "unknown item");
  EXPECT_EQ(Http(port_, "POST", "/api/orders", R"({"user_id":1,"product_id":"iphone-15"})").status,
            202);

  // Demo closed: both routes move to the sale open now, together.
  ASSERT_EQ(Admin("POST", "/admin/sales/demo/close").status, 200);
  products = Body(Http(port_, "GET", "/api/products"));
  ASSERT_EQ(products.size(), 2U) << products.dump();
  EXPECT_EQ(products[1]["id"], "7");
  EXPECT_EQ(products[1]["remaining"], 3);
  auto ordered = Http(port_, "POST", "/api/orders", R"({"user_id":1,"product_id":7})");
  ASSERT_EQ(ordered.status, 202) << ordered.body;
  EXPECT_EQ(Body(Http(port_, "GET", "/api/products/7"))["remaining"], 2);
  auto status = Body(Http(port_, "GET", "/sale/status"));
  EXPECT_EQ(status["sale_id"], "bf") << status.dump();

  // Nothing open: no products, and an order is refused without writing anything.
  ASSERT_EQ(Admin("POST", "/admin/sales/bf/close").status, 200);
  EXPECT_EQ(Body(Http(port_, "GET", "/api/products")), json::array());
  EXPECT_EQ(Http(port_, "POST", "/api/orders", R"({"user_id":2,"product_id":7})").status, 409);
  EXPECT_EQ(Body(Admin("GET", "/admin/sales/bf/audit"))["items"][1]["remaining"], 2);
}

TEST_F(AdminApiTest, BadInputIsRefusedAndWritesNothing) {
  Start();
  const json good = SaleJson("s1", 5);
  auto with = [&](const std::string& key, const json& value) {
    json body = good;
    body[key] = value;
    return body.dump();
  };
  auto without = [&](const std::string& key) {
    json body = good;
    body.erase(key);
    return body.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases{
      {"not json", "body must be a JSON object"},
      {"[1,2]", "body must be a JSON object"},
      {without("id"), "missing: id"},
      {json{{"per_user_limit", 1}}.dump(), "missing: id, items, ends_at"},
      {with("id", "bad id!"), "id must be 1-64 characters"},
      {with("id", 12), "id must be a string"},
      {with("color", "red"), "unknown field color"},
      {with("items", json::array()), "items must be a non-empty array"},
      {with("items", json::array({json{{"id", "a"}, {"stock", 1}}})),
       "missing: items[0].price_cents"},
      {with("items", json::array({json{{"id", "a"}, {"stock", -1}, {"price_cents", 1}}})),
       "stock must be between 0 and"},
      {with("items", json::array({json{{"id", "a"}, {"stock", "1"}, {"price_cents", 1}}})),
       "items[0].stock must be an integer"},
      {with("items", json::array({json{{"id", "a"}, {"stok", 1}, {"price_cents", 1}}})),
       "unknown field items[0].stok"},
      {with("items", json::array({json{{"id", "a"}, {"stock", 1}, {"price_cents", 1}},
                                  json{{"id", "a"}, {"stock", 1}, {"price_cents", 1}}})),
       "item a appears twice"},
      {with("per_user_limit", 0), "per_user_limit must be between 1"},
      {with("ends_at", "tomorrow"), "ends_at must be an RFC 3339 date-time"},
      {with("ends_at", -5), "ends_at must be an RFC 3339"},
      {with("ends_at", "2020-01-01T00:00:00Z"), "ends_at must be after starts_at"},
      {[&] {
         json body = good;
         body["starts_at"] = "2020-01-01T00:00:00Z";
         body["ends_at"] = "2020-01-02T00:00:00+02:00";
         return body.dump();
       }(),
       "ends_at is in the past"},
      {with("starts_at", "2099-06-01T00:00:00Z"), "ends_at must be after starts_at"},
  };
  for (const auto& [body, detail] : cases) {
    SCOPED_TRACE(body);
    ExpectProblem(Admin("POST", "/admin/sales", body), 400, detail);
  }
  ExpectProblem(Admin("GET", "/admin/sales/s1"), 404, "unknown sale");
  EXPECT_EQ(Body(Admin("GET", "/admin/sales"))["sales"].size(), 1U);  // the demo sale only
  ExpectProblem(Admin("GET", "/admin/sales/no-such-sale/audit"), 404, "unknown sale");
  ExpectProblem(Admin("POST", "/admin/sales/no-such-sale/close"), 404, "unknown sale");
  ExpectProblem(Admin("GET", "/admin/sales/bad%21id"), 400, "sale_id must be");
  auto wrong_method = Admin("PUT", "/admin/sales/demo/close");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(Header(wrong_method, "allow"), "POST");
  EXPECT_EQ(Header(Admin("DELETE", "/admin/sales"), "allow"), "GET, POST");
  // Times as milliseconds work too; a sale that has not started is "upcoming".
  json later = good;
  later["id"] = "later";
  later["starts_at"] = 4'070'908'800'000;  // 2099-01-01
  later["ends_at"] = 4'070'912'400'000;
  auto upcoming = Admin("POST", "/admin/sales", later.dump());
  ASSERT_EQ(upcoming.status, 201) << upcoming.body;
  EXPECT_EQ(Body(upcoming)["status"], "upcoming");
  EXPECT_EQ(Body(upcoming)["starts_at"], "2099-01-01T00:00:00.000Z");
  ExpectProblem(Buy("later", "tv", "ann"), 409, "not started");
  // Closing it means it never opens.
  auto cancelled = Admin("POST", "/admin/sales/later/close");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(Body(cancelled)["status"], "ended");
}

TEST_F(AdminApiTest, TokenFromAFileAndBadTokensRefusedAtStart) {
  TempDir dir("flashsale-token");
  {
    std::ofstream(dir.path() / "token") << kToken << "\n";
    std::ofstream(dir.path() / "short") << "abc\n";
  }
  Start({"--admin-token-file", (dir.path() / "token").string()});
  EXPECT_EQ(Admin("GET", "/admin/sales").status, 200);
  EXPECT_EQ(Http(port_, "GET", "/admin/sales").status, 401);
  app_.reset();

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--admin-token", "short"},
        std::vector<std::string>{"--admin-token", "has a space in it, sixteen+"},
        std::vector<std::string>{"--admin-token-file", (dir.path() / "short").string()},
        std::vector<std::string>{"--admin-token-file", (dir.path() / "missing").string()},
        std::vector<std::string>{"--admin-token", kToken, "--admin-token-file",
                                 (dir.path() / "token").string()}}) {
    std::vector<std::string> argv{FLASHSALE_REST_BIN, "--port", "0", "--bind", "127.0.0.1"};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess app;
    app.Start(argv, dir.path() / "refused.log");
    int status = 0;
    ASSERT_TRUE(app.WaitExit(std::chrono::seconds(10), status)) << args.back();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << args.back();
  }
}

}  // namespace
}  // namespace flashsale::testing
