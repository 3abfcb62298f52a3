#pragma once

#include <string>
#include <utility>
#include <vector>

#include "process.hpp"

namespace flashsale::testing {

/// One of the real apps (flashsale-rest / flashsale-grpc) started on port 0; the port is read
/// from its "listening" log line. Stopped (SIGTERM, then SIGKILL) on destruction.
class AppProcess {
 public:
  AppProcess(const std::string& binary, const std::vector<std::string>& args);
  ~AppProcess();

  int port() const { return port_; }
  /// SIGTERM and wait; returns the exit code (-1 if killed by a signal or timed out).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// Sends SIGTERM without waiting (to observe the draining phase).
  void SendTerm();
  /// kill -9: a crash, nothing flushed.
  void Kill();
  /// The log written so far (JSON lines).
  std::string Log() const;

 private:
  TempDir dir_{"flashsale-app"};
  ChildProcess process_;
  int port_ = 0;
};

/// Runs stress_test (`binary`) with `args` plus --verify, the store URLs and --json, for at
/// most 240 s; returns whether it exited 0, and its output.
std::pair<bool, std::string> RunStressTest(const std::string& binary, std::vector<std::string> args,
                                           const std::string& redis_url,
                                           const std::string& mysql_url);

}  // namespace flashsale::testing
