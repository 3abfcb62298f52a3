// flashsale-grpc: composition root of the gRPC front door. Wiring only.
#include <absl/synchronization/mutex.h>

#include "app_config.hpp"
#include "flashsale/rpc/grpc_server.hpp"
#include "flashsale/service/json_logger.hpp"
#include "flashsale/service/service.hpp"
#include "serve.hpp"
#include "signals.hpp"

int main(int argc, char** argv) {
  using namespace flashsale;
  const sigset_t signals = app::BlockShutdownSignals();  // before any thread starts
  // Debian's abseil keeps absl::Mutex's lock-order graph (deadlock detection) on: about 6% of
  // this process's CPU under purchase load, in gRPC's own mutexes (BENCHMARKS.md, R3).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  int exit_code = 0;
  auto config = app::ParseConfig(argc, argv, app::Frontend::kGrpc, exit_code);
  if (!config) return exit_code;

  service::JsonLogger log("flashsale-grpc");
  log.Info("starting", {{"config", ports::RawJson{config->Redacted().dump()}}});
  if (config->migrate_only) return service::MigrateOnly(*config, log) ? 0 : 1;
  auto runtime = service::Service::Create(*config, log);
  if (!runtime) return 1;
  if (config->metrics_port != 0) {
    try {
      runtime->ServeMetrics(config->bind, config->metrics_port);
    } catch (const std::exception& e) {
      log.Error("cannot serve metrics", {{"port", config->metrics_port}, {"detail", e.what()}});
      return 1;
    }
    log.Info("metrics", {{"path", "/metrics"}, {"port", config->metrics_port}});
  }

  rpc::GrpcOptions options;
  options.address = config->bind;
  options.port = config->grpc_port;
  options.trust_proxy = config->trust_proxy;
  rpc::GrpcServer server(options, rpc::GrpcServices{
                                      runtime->purchase(),
                                      runtime->orders(),
                                      runtime->checkout(),
                                      runtime->complete(),
                                      runtime->sale_status(),
                                      runtime->request_metrics(),
                                      [&runtime] { return runtime->DefaultSale(); },
                                      runtime->limits(),
                                  });
  return app::ServeUntilSignal(server, *runtime, *config, log, signals);
}
