#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "flashsale/service/service_options.hpp"

namespace flashsale::app {

/// Every setting of the apps: the service's (backends, sale, tuning) and the front door's.
/// Precedence: defaults < FLASHSALE_* environment < flags.
struct AppConfig : service::ServiceOptions {
  std::string bind = "0.0.0.0";    ///< listen address
  int rest_port = 8080;            ///< flashsale-rest
  int grpc_port = 50051;           ///< flashsale-grpc
  int metrics_port = 0;            ///< flashsale-grpc: GET /metrics on this port (0 = off)
  int http_threads = 2;            ///< Pistache reactor threads
  int listen_backlog = 4096;       ///< REST listen queue (the kernel caps it at somaxconn)
  int max_body_bytes = 16 * 1024;  ///< larger requests get 413
  double shutdown_grace_s = 0;     ///< readiness off this long before draining
  double drain_timeout_s = 10;     ///< in-flight requests + queue flush, at most
  /// Bearer token of the admin API (REST /admin/...); empty: the admin API is off. Never
  /// logged (Redacted() shows only whether it is set).
  std::string admin_token;
  /// Apply the MySQL migrations and exit (the compose stack's one-shot migrate service).
  bool migrate_only = false;
  /// REST: the adapter's own HTTP/1.1 framing instead of Pistache's (off by default).
  bool strict_http = true;

  /// The effective configuration as JSON, passwords replaced by ***.
  nlohmann::json Redacted() const;
};

enum class Frontend { kRest, kGrpc };

/// Parses flags and environment. Returns the config, or nullopt after printing help (exit 0)
/// or a clear error (exit code in `exit_code`, 2 for bad values).
std::optional<AppConfig> ParseConfig(int argc, char** argv, Frontend frontend, int& exit_code);

using service::RedactUrl;

}  // namespace flashsale::app
