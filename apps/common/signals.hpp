#pragma once

#include <pthread.h>

#include <csignal>

namespace flashsale::app {

/// Blocks SIGINT/SIGTERM in this thread and every thread started after it (call first in
/// main), and ignores SIGPIPE (peers that vanish mid-write are normal for servers).
inline sigset_t BlockShutdownSignals() {
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

/// Waits for SIGINT or SIGTERM and returns which.
inline int WaitForShutdownSignal(const sigset_t& set) {
  int signal = 0;
  sigwait(&set, &signal);
  return signal;
}

}  // namespace flashsale::app
