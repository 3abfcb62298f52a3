#include "serve.hpp"

#include <exception>
#include <string>
#include <thread>

#include "signals.hpp"

namespace flashsale::app {

int ServeUntilSignal(serving::FrontDoor& door, service::Service& runtime, const AppConfig& config,
                     ports::Logger& log, const sigset_t& signals) {
  try {
    door.Start();
  } catch (const std::exception& e) {
    log.Error("cannot listen", {{"transport", std::string(door.transport())},
                                {"address", config.bind},
                                {"detail", e.what()}});
    return 1;
  }
  runtime.Start();
  log.Info("listening", {{"transport", std::string(door.transport())},
                         {"address", config.bind},
                         {"port", door.port()}});

  const int signal = WaitForShutdownSignal(signals);
  log.Info("shutting down", {{"signal", signal}});
  door.SetServing(false);
  runtime.BeginDrain();
  std::this_thread::sleep_for(std::chrono::duration<double>(config.shutdown_grace_s));
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(config.drain_timeout_s));
  const bool answered = door.Shutdown(deadline);
  const bool flushed = runtime.Stop(deadline);
  log.Info("stopped", {{"requests_finished", answered}, {"queue_flushed", flushed}});
  return 0;
}

}  // namespace flashsale::app
