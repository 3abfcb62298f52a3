#pragma once

// stress_test's event-driven REST engine: one thread, non-blocking keep-alive connections.

#include "run.hpp"

namespace flashsale::stress {

/// Drives REST one-step purchases (or GET /health with --call health) over
/// `run.options.concurrency` non-blocking HTTP/1.1 keep-alive connections from the calling
/// thread, on epoll. Closed loop: a connection sends its next request as soon as its answer
/// is in. Open loop (--rate R): request n is due at start + n / R; it leaves on the first
/// idle connection once due, and its latency counts from the due time however long it
/// waited for one (no coordinated omission). Stops issuing at `end` or after
/// --requests, then waits up to 10 s for the answers still owed (those never answered are
/// transport errors). Answers are recorded with Record, as the threaded callers' are.
void DriveRestEvents(Run& run, Clock::time_point start, Clock::time_point end);

}  // namespace flashsale::stress
