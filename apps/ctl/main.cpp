// flashsalectl: the operators' command line for the admin API (REST /admin/...).
//   flashsalectl sales create --id bf --item tv:100:499.00:"55in TV" --limit 2 --ends +2h
//   flashsalectl sales list | sales show ID | sales close ID | audit ID
// FLASHSALE_URL (default http://127.0.0.1:8080) and FLASHSALE_ADMIN_TOKEN; --json prints the
// API's JSON for scripts. Exit codes: 0 done (audit: consistent), 1 audit inconsistent,
// 2 usage error, 3 refused by the server (4xx), 4 server unreachable or failing (5xx).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "flashsale/domain/ids.hpp"
#include "flashsale/domain/sale.hpp"
#include "flashsale_version.hpp"
#include "http_client.hpp"
#include "render.hpp"

namespace flashsale::ctl {
namespace {

using json = nlohmann::json;

enum Exit { kOk = 0, kInconsistent = 1, kUsage = 2, kRefused = 3, kFailed = 4 };

struct Options {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string token_file;
  bool json_output = false;
  double timeout_s = 10;
  // sales create
  std::string id;
  std::vector<std::string> items;
  int limit = 10;
  std::string starts;
  std::string ends;
  // show / close / audit
  std::string target;
};

/// Sends one admin request; prints the problem and returns its exit code on failure.
std::optional<json> Call(const Options& o, const std::string& method, const std::string& path,
                         const std::string& body, int& exit_code) {
  std::string base = o.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto result = Request(method, base + path, body, o.token,
                        std::chrono::milliseconds(static_cast<long>(o.timeout_s * 1000)));
  if (result.status == 0) {
    std::cerr << "flashsalectl: cannot reach " << base << ": " << result.error << "\n";
    exit_code = kFailed;
    return std::nullopt;
  }
  json parsed = json::parse(result.body, nullptr, false);
  if (result.status >= 200 && result.status < 300 && !parsed.is_discarded()) return parsed;
  std::string detail = parsed.is_object() ? parsed.value("detail", "") : "";
  if (detail.empty()) detail = result.body.substr(0, 200);
  std::cerr << "flashsalectl: " << method << " " << path << ": " << result.status << " " << detail
            << "\n";
  if (result.status == 401) {
    std::cerr << "flashsalectl: set FLASHSALE_ADMIN_TOKEN (or --token) to the service's "
                 "--admin-token\n";
  } else if (result.status == 404 && detail == "no route for this path") {
    std::cerr << "flashsalectl: the admin API is off on " << base
              << " (start it with --admin-token)\n";
  }
  exit_code = result.status >= 400 && result.status < 500 ? kRefused : kFailed;
  return std::nullopt;
}

int Print(const Options& o, const json& body, const std::function<void(const json&)>& human) {
  if (o.json_output) {
    std::cout << body.dump() << "\n";
  } else {
    human(body);
  }
  return kOk;
}

int CreateSale(const Options& o) {
  auto sale = BuildSale(o.id, o.items, o.limit, o.starts, o.ends);
  if (!sale) {
    std::cerr << "flashsalectl: " << sale.error().detail << "\n";
    return kUsage;
  }
  int code = kOk;
  auto created = Call(o, "POST", "/admin/sales", sale->dump(), code);
  if (!created) return code;
  return Print(o, *created, [](const json& s) {
    std::cout << "created ";
    PrintSale(std::cout, s);
  });
}

int ListSales(const Options& o) {
  int code = kOk;
  auto listed = Call(o, "GET", "/admin/sales", "", code);
  if (!listed) return code;
  return Print(o, *listed, [](const json& body) { PrintSales(std::cout, body.at("sales")); });
}

/// The sale id goes into the URL path: only a valid id (never "../metrics"), else usage.
bool ValidTarget(const Options& o) {
  if (domain::SaleId::Parse(o.target)) return true;
  std::cerr << "flashsalectl: \"" << o.target
            << "\" is not a sale id (1-64 characters of [A-Za-z0-9._:-])\n";
  return false;
}

int ShowSale(const Options& o, const std::string& suffix, const std::string& method,
             const char* verb) {
  if (!ValidTarget(o)) return kUsage;
  int code = kOk;
  auto sale = Call(o, method, "/admin/sales/" + o.target + suffix, "", code);
  if (!sale) return code;
  return Print(o, *sale, [verb](const json& s) {
    std::cout << verb;
    PrintSale(std::cout, s);
  });
}

int Audit(const Options& o) {
  if (!ValidTarget(o)) return kUsage;
  int code = kOk;
  auto report = Call(o, "GET", "/admin/sales/" + o.target + "/audit", "", code);
  if (!report) return code;
  Print(o, *report, [](const json& r) { PrintAudit(std::cout, r); });
  return report->value("consistent", false) ? kOk : kInconsistent;
}

void AddCommands(CLI::App& app, Options& o, std::function<int()>& command) {
  auto* sales = app.add_subcommand("sales", "Create, list, show and close sales");
  sales->require_subcommand(1);
  auto* create = sales->add_subcommand("create", "Create a sale (open from --starts to --ends)");
  create->add_option("--id", o.id, "Sale id ([A-Za-z0-9._:-], 1-64)")->required();
  create
      ->add_option("--item", o.items,
                   "id:stock:price[:name], price in currency units (19.99); repeat per item")
      ->required();
  create->add_option("--limit", o.limit, "Units one user may buy in the sale (default 10)")
      ->check(CLI::Range(1, domain::kMaxPerUserLimit));
  create->add_option("--starts", o.starts,
                     "RFC 3339 time, ms since the epoch, now, or +30m/+2h/+1d (default now)");
  create->add_option("--ends", o.ends, "Same forms as --starts")->required();
  create->callback([&] { command = [&] { return CreateSale(o); }; });
  sales->add_subcommand("list", "Every sale, oldest start first")->callback([&] {
    command = [&] { return ListSales(o); };
  });
  auto* show = sales->add_subcommand("show", "One sale");
  show->add_option("id", o.target, "Sale id")->required();
  show->callback([&] { command = [&] { return ShowSale(o, "", "GET", ""); }; });
  auto* close = sales->add_subcommand("close", "End a sale now (orders already taken persist)");
  close->add_option("id", o.target, "Sale id")->required();
  close->callback([&] { command = [&] { return ShowSale(o, "/close", "POST", "closed "); }; });
  auto* audit = app.add_subcommand(
      "audit", "Prove Redis and MySQL agree unit for unit (exit 0 only when consistent)");
  audit->add_option("id", o.target, "Sale id")->required();
  audit->callback([&] { command = [&] { return Audit(o); }; });
}

}  // namespace
}  // namespace flashsale::ctl

int main(int argc, char** argv) {
  using namespace flashsale::ctl;
  Options o;
  CLI::App app{"flashsalectl: operate flashsale sales through the admin API"};
  app.set_version_flag("--version", FLASHSALE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand (sales show bf --json)
  app.add_option("--url", o.url, "Base URL of flashsale-rest")
      ->envname("FLASHSALE_URL")
      ->capture_default_str();
  auto* token =
      app.add_option("--token", o.token, "Admin bearer token")->envname("FLASHSALE_ADMIN_TOKEN");
  app.add_option("--token-file", o.token_file, "File holding the admin token")
      ->envname("FLASHSALE_ADMIN_TOKEN_FILE")
      ->check(CLI::ExistingFile)
      ->excludes(token);
  app.add_flag("--json", o.json_output, "Print the API's JSON instead of tables");
  app.add_option("--timeout", o.timeout_s, "Seconds to wait for an answer")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  std::function<int()> command;
  AddCommands(app, o, command);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }
  if (!o.token_file.empty()) {
    std::ifstream in(o.token_file);
    std::stringstream text;
    text << in.rdbuf();
    o.token = text.str();
    while (!o.token.empty() && (o.token.back() == '\n' || o.token.back() == '\r')) {
      o.token.pop_back();
    }
  }
  if (!command) return kUsage;
  try {
    return command();
  } catch (const std::exception& e) {  // an answer of an unexpected shape (not flashsale?)
    std::cerr << "flashsalectl: unexpected answer from the server: " << e.what() << "\n";
    return kFailed;
  }
}
