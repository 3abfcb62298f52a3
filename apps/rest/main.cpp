// flashsale-rest: composition root of the REST front door. Wiring only.
#include <chrono>
#include <exception>
#include <thread>

#include "app_config.hpp"
#include "flashsale/rest/rest_server.hpp"
#include "logger.hpp"
#include "runtime.hpp"
#include "signals.hpp"

int main(int argc, char** argv) {
  using namespace flashsale;
  const sigset_t signals = app::BlockShutdownSignals();  // before any thread starts
  int exit_code = 0;
  auto config = app::ParseConfig(argc, argv, app::Frontend::kRest, exit_code);
  if (!config) return exit_code;

  app::Logger log("flashsale-rest");
  log.Info("starting", {{"config", config->Redacted()}});
  auto runtime = app::Runtime::Build(*config, log);
  if (!runtime) return 1;

  rest::RestOptions options;
  options.address = config->bind;
  options.port = config->rest_port;
  options.threads = config->http_threads;
  options.max_body_bytes = static_cast<std::size_t>(config->max_body_bytes);
  options.default_sale_id = config->sale_id;
  rest::RestServer server(options, runtime->purchase(), runtime->orders(), runtime->metrics(),
                          [&runtime] { return runtime->Ready(); });
  try {
    server.Start();
  } catch (const std::exception& e) {
    log.Error("cannot listen",
              {{"address", config->bind}, {"port", config->rest_port}, {"detail", e.what()}});
    return 1;
  }
  runtime->Start();
  log.Info("listening",
           {{"transport", "http"}, {"address", config->bind}, {"port", server.port()}});

  const int signal = app::WaitForShutdownSignal(signals);
  log.Info("shutting down", {{"signal", signal}});
  // Readiness off first, then stop taking purchases, finish in-flight requests, stop
  // accepting connections, flush the order queue; all within the drain deadline.
  runtime->BeginDrain();
  std::this_thread::sleep_for(std::chrono::duration<double>(config->shutdown_grace_s));
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(config->drain_timeout_s));
  const bool idle = server.WaitIdle(deadline);
  server.Shutdown();
  const bool flushed = runtime->Stop(deadline);
  log.Info("stopped", {{"requests_finished", idle}, {"queue_flushed", flushed}});
  return 0;
}
