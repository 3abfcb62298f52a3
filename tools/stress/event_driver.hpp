#pragma once

// stress_test's event-driven engines: REST on one thread with non-blocking keep-alive
// connections; gRPC purchases on the callback API.

#include <memory>

#include "run.hpp"

namespace grpc {
class Channel;
}

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

/// Drives gRPC one-step purchases on `channel` with the callback API: at most
/// `run.options.concurrency` calls in flight, started by the calling thread (closed loop:
/// as soon as a call completes; open loop: at each request's due time, latency counted from
/// it), completed on gRPC's own threads. Every call has a 10 s deadline; returns once all
/// have completed.
void DriveGrpcEvents(Run& run, std::shared_ptr<grpc::Channel> channel, Clock::time_point start,
                     Clock::time_point end);

}  // namespace flashsale::stress
