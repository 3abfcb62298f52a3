// flashsale-grpc: composition root of the gRPC front door. Wiring only.
#include <chrono>
#include <exception>
#include <thread>

#include "app_config.hpp"
#include "flashsale/rpc/grpc_server.hpp"
#include "logger.hpp"
#include "runtime.hpp"
#include "signals.hpp"

int main(int argc, char** argv) {
  using namespace flashsale;
  const sigset_t signals = app::BlockShutdownSignals();  // before any thread starts
  int exit_code = 0;
  auto config = app::ParseConfig(argc, argv, app::Frontend::kGrpc, exit_code);
  if (!config) return exit_code;

  app::Logger log("flashsale-grpc");
  log.Info("starting", {{"config", config->Redacted()}});
  auto runtime = app::Runtime::Build(*config, log);
  if (!runtime) return 1;

  rpc::GrpcOptions options;
  options.address = config->bind;
  options.port = config->grpc_port;
  options.default_sale_id = config->sale_id;
  rpc::GrpcServer server(options, runtime->purchase(), runtime->orders(), runtime->metrics());
  try {
    server.Start();
  } catch (const std::exception& e) {
    log.Error("cannot listen",
              {{"address", config->bind}, {"port", config->grpc_port}, {"detail", e.what()}});
    return 1;
  }
  runtime->Start();
  log.Info("listening",
           {{"transport", "grpc"}, {"address", config->bind}, {"port", server.port()}});

  const int signal = app::WaitForShutdownSignal(signals);
  log.Info("shutting down", {{"signal", signal}});
  // Health NOT_SERVING first, then refuse new purchases, let in-flight calls finish, stop,
  // flush the order queue; all within the drain deadline.
  server.SetServing(false);
  runtime->BeginDrain();
  std::this_thread::sleep_for(std::chrono::duration<double>(config->shutdown_grace_s));
  const auto drain = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(config->drain_timeout_s));
  server.Shutdown(std::chrono::system_clock::now() + drain);
  const bool flushed = runtime->Stop(std::chrono::steady_clock::now() + drain);
  log.Info("stopped", {{"queue_flushed", flushed}});
  return 0;
}
