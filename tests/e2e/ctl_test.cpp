// flashsalectl against a running flashsale-rest (embedded default): every command, tables and
// --json, the environment, and each exit code (0 done, 1 inconsistent audit,
// 2 usage, 3 refused, 4 unreachable; 1 is shown on Redis + MariaDB by tampering with Redis). The
// pure parts (prices, times, items) are unit-tested at the end.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app_process.hpp"
#include "flashsale/domain/text.hpp"
#include "http_connection.hpp"
#include "mariadb_server.hpp"
#include "redis_server.hpp"
#include "render.hpp"

namespace flashsale::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kToken = "ctl-admin-token-0123456789";

struct CtlRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs flashsalectl with `args` and environment `env` ("NAME=value").
CtlRun Ctl(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  TempDir dir("flashsalectl");
  std::string command = "env -i";
  for (const auto& e : env) command += " '" + e + "'";
  command += std::string(" ") + FLASHSALE_CTL_BIN;
  for (const auto& a : args) command += " '" + a + "'";
  command += " >" + (dir.path() / "out").string() + " 2>" + (dir.path() / "err").string();
  const int status = std::system(command.c_str());
  CtlRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::stringstream out, err;
  out << std::ifstream(dir.path() / "out").rdbuf();
  err << std::ifstream(dir.path() / "err").rdbuf();
  run.out = out.str();
  run.err = err.str();
  return run;
}

class CtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<AppProcess>(FLASHSALE_REST_BIN,
                                        std::vector<std::string>{"--admin-token", kToken});
    env_ = {"FLASHSALE_URL=http://127.0.0.1:" + std::to_string(app_->port()),
            std::string("FLASHSALE_ADMIN_TOKEN=") + kToken};
  }
  CtlRun Ok(const std::vector<std::string>& args) {
    CtlRun run = Ctl(args, env_);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return run;
  }
  std::unique_ptr<AppProcess> app_;
  std::vector<std::string> env_;
};

TEST_F(CtlTest, CreateListShowBuyAuditCloseWithTablesAndJson) {
  CtlRun created =
      Ok({"sales", "create", "--id", "bf", "--item", "tv:3:499.00:55\" TV: OLED", "--item",
          "radio:5:19.9", "--limit", "2", "--starts", "now", "--ends", "+2h"});
  EXPECT_NE(created.out.find("created sale bf (open)"), std::string::npos) << created.out;
  EXPECT_NE(created.out.find("55\" TV: OLED"), std::string::npos) << created.out;
  EXPECT_NE(created.out.find("19.90"), std::string::npos) << created.out;

  CtlRun listed = Ok({"sales", "list"});
  EXPECT_NE(listed.out.find("ID  "), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("bf    open"), std::string::npos) << listed.out;
  json as_json = json::parse(Ok({"--json", "sales", "list"}).out);
  ASSERT_EQ(as_json["sales"].size(), 2U);  // demo and bf
  EXPECT_EQ(as_json["sales"][1]["items"][1]["price_cents"], 1990);

  json shown = json::parse(Ok({"sales", "show", "bf", "--json"}).out);
  EXPECT_EQ(shown["per_user_limit"], 2);
  EXPECT_EQ(shown["items"][0]["name"], "55\" TV: OLED");

  ASSERT_EQ(
      Http(app_->port(), "POST", "/api/purchase",
           R"({"sale_id":"bf","item_id":"tv","user_id":"ann","request_id":"r1","quantity":2})")
          .status,
      200);
  CtlRun audit;
  ASSERT_TRUE(WaitFor(
      [&] {
        audit = Ctl({"audit", "bf"}, env_);
        return audit.exit_code == 0 &&
               audit.out.find("tv     3        1          0     0        2") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << audit.out << audit.err;
  EXPECT_NE(audit.out.find("CONSISTENT"), std::string::npos);
  json report = json::parse(Ok({"--json", "audit", "bf"}).out);
  EXPECT_EQ(report["consistent"], true);
  EXPECT_EQ(report["items"][0]["persisted"], 2);

  CtlRun closed = Ok({"sales", "close", "bf"});
  EXPECT_NE(closed.out.find("closed sale bf (ended)"), std::string::npos) << closed.out;
  EXPECT_EQ(Http(app_->port(), "POST", "/api/purchase",
                 R"({"sale_id":"bf","item_id":"radio","user_id":"bo","request_id":"r1"})")
                .status,
            409);
}

TEST_F(CtlTest, ExitCodesTellWhatWentWrong) {
  // 2: usage.
  EXPECT_EQ(Ctl({}, env_).exit_code, 2);
  EXPECT_EQ(Ctl({"sales", "frobnicate"}, env_).exit_code, 2);
  CtlRun bad_item =
      Ctl({"sales", "create", "--id", "x", "--item", "tv:many:1", "--ends", "+1h"}, env_);
  EXPECT_EQ(bad_item.exit_code, 2);
  EXPECT_NE(bad_item.err.find("stock must be a whole number"), std::string::npos) << bad_item.err;
  EXPECT_EQ(Ctl({"sales", "create", "--id", "x", "--item", "tv:1:1.999", "--ends", "+1h"}, env_)
                .exit_code,
            2);
  EXPECT_EQ(Ctl({"sales", "create", "--id", "x", "--item", "tv:1:1", "--ends", "tomorrow"}, env_)
                .exit_code,
            2);
  EXPECT_EQ(Ctl({"sales", "create", "--id", "x", "--item", "tv:1:1"}, env_).exit_code, 2);
  CtlRun traversal = Ctl({"sales", "show", "../../metrics"}, env_);
  EXPECT_EQ(traversal.exit_code, 2);
  EXPECT_NE(traversal.err.find("is not a sale id"), std::string::npos) << traversal.err;
  EXPECT_EQ(Ctl({"audit", "a b"}, env_).exit_code, 2);
  // 4 for something that is not the admin API answering 200 with another shape.
  CtlRun odd = Ctl(
      {"--url", "http://127.0.0.1:" + std::to_string(app_->port()) + "/health#", "sales", "list"},
      env_);
  EXPECT_EQ(odd.exit_code, 4) << odd.out << odd.err;
  // 3: refused by the server, with its detail.
  CtlRun unknown = Ctl({"audit", "nobody"}, env_);
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_NE(unknown.err.find("404 unknown sale"), std::string::npos) << unknown.err;
  CtlRun invalid =
      Ctl({"sales", "create", "--id", "bad id", "--item", "tv:1:1", "--ends", "+1h"}, env_);
  EXPECT_EQ(invalid.exit_code, 3);
  EXPECT_NE(invalid.err.find("400 id must be"), std::string::npos) << invalid.err;
  CtlRun no_token = Ctl({"sales", "list"}, {env_[0]});
  EXPECT_EQ(no_token.exit_code, 3);
  EXPECT_NE(no_token.err.find("FLASHSALE_ADMIN_TOKEN"), std::string::npos) << no_token.err;
  CtlRun wrong = Ctl({"--token", "not-the-right-token-at-all", "sales", "list"}, {env_[0]});
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_NE(wrong.err.find("401"), std::string::npos);
  // The token from a file works like the variable.
  TempDir dir("ctl-token");
  std::ofstream(dir.path() / "token") << kToken << "\n";
  EXPECT_EQ(
      Ctl({"--token-file", (dir.path() / "token").string(), "sales", "list"}, {env_[0]}).exit_code,
      0);
  // 4: nobody listening.
  CtlRun down =
      Ctl({"--url", "http://127.0.0.1:" + std::to_string(FreePort()), "sales", "list"}, env_);
  EXPECT_EQ(down.exit_code, 4);
  EXPECT_NE(down.err.find("cannot reach"), std::string::npos) << down.err;
}

TEST(CtlStackTest, AuditExitsOneAndNamesTheItemWhenRedisAndMySqlDisagree) {
  RedisServer redis;
  MariaDbServer mariadb;
  AppProcess app(
      FLASHSALE_REST_BIN,
      {"--redis-url", "redis://127.0.0.1:" + std::to_string(redis.port()), "--mysql-url",
       "mysql://flashsale:flashsale@127.0.0.1:" + std::to_string(mariadb.port()) + "/flashsale",
       "--migrate", "--admin-token", kToken});
  const std::vector<std::string> env{"FLASHSALE_URL=http://127.0.0.1:" + std::to_string(app.port()),
                                     std::string("FLASHSALE_ADMIN_TOKEN=") + kToken};
  CtlRun created =
      Ctl({"sales", "create", "--id", "tam", "--item", "a:5:1", "--item", "b:5:1", "--ends", "+1h"},
          env);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(Http(app.port(), "POST", "/api/purchase",
                 R"({"sale_id":"tam","item_id":"a","user_id":"u","request_id":"r","quantity":2})")
                .status,
            200);
  CtlRun audit;
  ASSERT_TRUE(WaitFor(
      [&] {
        audit = Ctl({"--json", "audit", "tam"}, env);
        return audit.exit_code == 0 && json::parse(audit.out)["items"][0]["persisted"] == 2;
      },
      std::chrono::seconds(20)))
      << audit.out << audit.err;

  // Three units appear in Redis that were never sold nor put on sale.
  ASSERT_EQ(redis.Cli("SET fs:{tam}:stock:a 6"), "OK");
  audit = Ctl({"audit", "tam"}, env);
  EXPECT_EQ(audit.exit_code, 1) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("INCONSISTENT"), std::string::npos) << audit.out;
  EXPECT_NE(
      audit.out.find("a: initial 5 != remaining 6 + held 0 + pending 0 + persisted 2 = 8 (+3)"),
      std::string::npos)
      << audit.out;
  json report = json::parse(Ctl({"--json", "audit", "tam"}, env).out);
  EXPECT_EQ(report["consistent"], false);
  EXPECT_EQ(report["items"][0]["difference"], 3);
  EXPECT_EQ(report["items"][1]["difference"], 0);
  EXPECT_FALSE(report["differences"].empty());

  // Put right, the same command exits 0 again.
  ASSERT_EQ(redis.Cli("SET fs:{tam}:stock:a 3"), "OK");
  EXPECT_EQ(Ctl({"audit", "tam"}, env).exit_code, 0);
  EXPECT_EQ(app.Terminate(), 0);
}

TEST(CtlUnitTest, PricesTimesAndItems) {
  EXPECT_EQ(*ctl::ParsePrice("19.99"), 1999);
  EXPECT_EQ(*ctl::ParsePrice("19.9"), 1990);
  EXPECT_EQ(*ctl::ParsePrice("19"), 1900);
  EXPECT_EQ(*ctl::ParsePrice("0.05"), 5);
  for (const char* bad : {"", "-1", "1.999", "1,5", "abc", ".5", "1.", "1e3"}) {
    EXPECT_FALSE(ctl::ParsePrice(bad).ok()) << bad;
  }
  EXPECT_EQ(domain::FormatCents(1999), "19.99");
  EXPECT_EQ(domain::FormatCents(5), "0.05");
  EXPECT_EQ(domain::FormatCents(100), "1.00");
  const auto now = domain::FromUnixMillis(1'795'442'400'000);  // 2026-11-23T14:00:00Z
  EXPECT_EQ(*ctl::ParseWhen("now", now, "--ends"), "2026-11-23T14:00:00.000Z");
  EXPECT_EQ(*ctl::ParseWhen("+90m", now, "--ends"), "2026-11-23T15:30:00.000Z");
  EXPECT_EQ(*ctl::ParseWhen("+1d", now, "--ends"), "2026-11-24T14:00:00.000Z");
  EXPECT_EQ(*ctl::ParseWhen("1795442400000", now, "--ends"), 1'795'442'400'000);
  EXPECT_EQ(*ctl::ParseWhen("2026-12-01T00:00:00+01:00", now, "--ends"),
            "2026-12-01T00:00:00+01:00");
  for (const char* bad : {"", "+", "+5", "+5w", "+-5m", "tomorrow", "2026-13-01T00:00:00Z",
                          "+999999999999999d", "+36600000d"}) {
    EXPECT_FALSE(ctl::ParseWhen(bad, now, "--ends").ok()) << bad;
  }
  auto sale = ctl::BuildSale("s", {"a:1:2.50", "b:0:0:name:with:colons"}, 3, "", "+1h", now);
  ASSERT_TRUE(sale.ok());
  EXPECT_EQ((*sale)["items"][0], (json{{"id", "a"}, {"stock", 1}, {"price_cents", 250}}));
  EXPECT_EQ((*sale)["items"][1]["name"], "name:with:colons");
  EXPECT_FALSE(sale->contains("starts_at"));
  EXPECT_EQ((*sale)["ends_at"], "2026-11-23T15:00:00.000Z");
  EXPECT_FALSE(ctl::BuildSale("s", {"a:1"}, 3, "", "+1h", now).ok());
}

}  // namespace
}  // namespace flashsale::testing
