#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace flashsale::testing {

/// A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
int FreePort();

/// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A child process we own: started with argv, stopped on destruction (even on test failure).
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Starts `argv[0]` (searched in PATH) with stdout/stderr sent to `log` (appended).
  void Start(const std::vector<std::string>& argv, const std::filesystem::path& log,
             const std::vector<std::string>& env = {});
  /// SIGTERM, then SIGKILL after `grace`; returns the exit status (as from waitpid).
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  /// SIGKILL, no grace: simulates a crash.
  void Kill();
  /// Waits up to `timeout` for the process to exit by itself; true and `status` when it did.
  bool WaitExit(std::chrono::milliseconds timeout, int& status);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

/// Runs `command` through /bin/sh and returns its stdout, trailing newlines trimmed.
std::string CaptureOutput(const std::string& command);

/// Polls `ready` every 20 ms for up to `timeout`.
template <class F>
bool WaitFor(F ready, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    struct timespec ts {
      0, 20'000'000
    };
    nanosleep(&ts, nullptr);
  }
  return ready();
}

}  // namespace flashsale::testing
