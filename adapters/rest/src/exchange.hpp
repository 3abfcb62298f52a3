#pragma once

// Internal to the REST adapter: one request being answered, possibly from another thread
// after the Pistache request object is gone.

#include <pistache/http.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connection_state.hpp"
#include "flashsale/core/limit_requests.hpp"
#include "flashsale/domain/outcome.hpp"
#include "flashsale/ports/request_metrics.hpp"

namespace flashsale::rest {

/// Counts requests from the moment a handler starts until their answer is on the wire
/// (Pistache writes asynchronously: send() only queues the bytes for the reactor).
/// Thread-safe.
class InFlight {
 public:
  void Enter() noexcept { count_.fetch_add(1, std::memory_order_relaxed); }
  void Leave() noexcept { count_.fetch_sub(1, std::memory_order_acq_rel); }
  /// Waits until nothing is in flight, or `deadline`. True when idle.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline) const;
  /// From now on answers say Connection: close (the server is shutting down).
  void BeginClosing() noexcept { closing_.store(true); }
  bool closing() const noexcept { return closing_.load(std::memory_order_relaxed); }
  /// The endpoint is gone: an answer still arriving (a request that outlived the drain
  /// deadline) is dropped instead of written to a transport that no longer exists.
  void Stop() noexcept { stopped_.store(true); }
  bool stopped() const noexcept { return stopped_.load(); }

 private:
  std::atomic<std::int64_t> count_{0};
  std::atomic<bool> closing_{false};
  std::atomic<bool> stopped_{false};
};

class AnswerTicket;

/// One request being answered. Created by a route handler, shared with the completion that
/// answers it; exactly one Send per exchange.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter writer,
           ports::RouteMetrics& route, InFlight& in_flight);

  /// Adds a response header (any name; Pistache 0.0.5 only writes typed headers, so this
  /// wraps it in one). Call before Send.
  void AddHeader(std::string name, std::string value);
  /// The Retry-After of a 429/503 answer, in seconds (default 1).
  void SetRetryAfter(std::int64_t seconds) noexcept { retry_after_s_ = seconds; }

  /// Writes the answer. 429 and 503 always carry Retry-After (1 s unless set), the clients'
  /// cue that retrying is right; `allow` adds an Allow header (405).
  void Send(int code, std::string_view body, std::string_view content_type,
            const std::vector<Pistache::Http::Method>* allow = nullptr);

  /// An application/problem+json answer for `outcome` (status and message from ToHttp).
  /// `extra`: already-encoded ,"key":value pairs added to the problem object.
  void SendProblem(domain::Outcome outcome, std::string_view detail,
                   std::string_view message_override = {}, std::string_view extra = {});

 private:
  Pistache::Http::ResponseWriter writer_;
  /// The connection's state (nullptr outside the framing handler): the answer is written
  /// after the answers of earlier requests on the connection, and the connection is closed
  /// after it when it says Connection: close.
  std::shared_ptr<ConnectionState> connection_;
  std::uint64_t seq_ = 0;  ///< the answer's number on its connection
  /// Leaves the in-flight count and releases the number once, written or not.
  std::shared_ptr<AnswerTicket> ticket_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::int64_t retry_after_s_ = 1;
  bool keep_alive_ = true;
  std::chrono::steady_clock::time_point start_;
  ports::RouteMetrics& route_;
  InFlight& in_flight_;
};

/// Adds the RateLimit-Policy / RateLimit headers of `admission` when a limit applied and the
/// request was refused or left its bucket less than half full; when refused, answers 429
/// "rate limited" with Retry-After and returns false.
bool Admitted(Exchange& exchange, const core::Admission& admission);

/// Starts an exchange (counted in `in_flight` until its answer is written).
std::shared_ptr<Exchange> Begin(const Pistache::Http::Request& request,
                                Pistache::Http::ResponseWriter writer, ports::RouteMetrics& route,
                                InFlight& in_flight);

}  // namespace flashsale::rest
