#pragma once

// Internal to the REST adapter: the Pistache handler that frames requests itself
// (framing.hpp) and hands the router one whole, well-formed request at a time per connection.

#include <pistache/http.h>
#include <pistache/router.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connection_state.hpp"
#include "exchange.hpp"
#include "framing.hpp"

namespace flashsale::rest {

/// Pistache 0.0.5's Http::Handler::onInput loses pipelined requests, answers bad framing with
/// exception texts and waits for its header timeout on heads that are already malformed. This
/// handler replaces it: it scans the bytes (ScanRequest), refuses bad ones at once with a
/// problem+json answer and Connection: close, and routes pipelined requests as they come,
/// their answers written in request order (ConnectionState).
class FramingHandler final : public Pistache::Rest::Private::RouterHandler {
 public:
  HTTP_PROTOTYPE(FramingHandler)

  FramingHandler(const Pistache::Rest::Router& routes, FramingLimits limits, InFlight& in_flight,
                 ports::RouteMetrics& refused);

  /// A new connection: its first request is timed from now (a client that connects and sends
  /// nothing gets 408 like one that sends half a request).
  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void onInput(const char* buffer, size_t length,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  /// Answers still waiting for their turn are dropped (they release their places).
  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

 private:
  /// Parses the request `frame` found at the start of the pending bytes with Pistache's
  /// parser and routes it.
  void Dispatch(const std::shared_ptr<Pistache::Tcp::Peer>& peer, ConnectionState& state,
                const Frame& frame);
  /// Answers `code` (problem+json, Connection: close) and closes once it is written.
  void Refuse(const std::shared_ptr<Pistache::Tcp::Peer>& peer, ConnectionState& state, int code,
              std::string_view message);
  std::shared_ptr<ConnectionState> StateOf(const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  /// Arms the next sweep on this reactor's timer (a one-shot timerfd each time).
  void ArmSweep();
  /// Answers 408 (problem+json, after the answers owed before it, then closes) on every
  /// connection of this reactor whose request did not arrive whole within the request timeout.
  void Sweep();

  FramingLimits limits_;
  InFlight* in_flight_;
  ports::RouteMetrics* refused_;
  // Per reactor (each Pistache transport has its own clone of this handler), touched only on
  // its thread: the connections it serves and whether a sweep is armed.
  std::vector<std::weak_ptr<Pistache::Tcp::Peer>> connections_;
  bool sweeping_ = false;
};

}  // namespace flashsale::rest
