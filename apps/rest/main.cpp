// flashsale-rest: composition root of the REST front door. Wiring only.
#include "app_config.hpp"
#include "flashsale/rest/rest_server.hpp"
#include "flashsale/service/json_logger.hpp"
#include "flashsale/service/service.hpp"
#include "serve.hpp"
#include "signals.hpp"

int main(int argc, char** argv) {
  using namespace flashsale;
  const sigset_t signals = app::BlockShutdownSignals();  // before any thread starts
  int exit_code = 0;
  auto config = app::ParseConfig(argc, argv, app::Frontend::kRest, exit_code);
  if (!config) return exit_code;

  service::JsonLogger log("flashsale-rest");
  log.Info("starting", {{"config", ports::RawJson{config->Redacted().dump()}}});
  if (config->migrate_only) return service::MigrateOnly(*config, log) ? 0 : 1;
  auto runtime = service::Service::Create(*config, log);
  if (!runtime) return 1;

  rest::RestOptions options;
  options.address = config->bind;
  options.port = config->rest_port;
  options.threads = config->http_threads;
  options.listen_backlog = config->listen_backlog;
  if (const int granted = rest::EffectiveListenBacklog(config->listen_backlog);
      granted < config->listen_backlog) {
    log.Warn("listen backlog capped by net.core.somaxconn",
             {{"requested", config->listen_backlog}, {"granted", granted}});
  }
  options.max_body_bytes = static_cast<std::size_t>(config->max_body_bytes);
  options.admin_token = config->admin_token;
  options.trust_proxy = config->trust_proxy;
  options.strict_framing = config->strict_http;
  rest::RestServer server(options, rest::RestServices{
                                       runtime->purchase(),
                                       runtime->orders(),
                                       runtime->checkout(),
                                       runtime->complete(),
                                       runtime->sale_status(),
                                       runtime->request_metrics(),
                                       [&runtime] { return runtime->DefaultSale(); },
                                       [&runtime] { return runtime->Ready(); },
                                       [&runtime] { return runtime->MetricsText(); },
                                       runtime->manage(),
                                       runtime->audit(),
                                       runtime->limits(),
                                       runtime->clock(),
                                       [&runtime] { runtime->SalesChanged(); },
                                   });
  return app::ServeUntilSignal(server, *runtime, *config, log, signals);
}
