#include "framing_handler.hpp"

#include "problem.hpp"

namespace flashsale::rest {
namespace {

using namespace Pistache;

/// The problem `type` slug, title and seed-API message of a framing refusal.
struct Refusal {
  std::string_view slug;
  std::string_view title;
  std::string_view message;
};

Refusal RefusalFor(int code) {
  switch (code) {
    case 413:
      return {"payload-too-large", "Payload too large", "request too large"};
    case 415:
      return {"unsupported-media-type", "Unsupported media type", "unsupported media type"};
    case 431:
      return {"header-fields-too-large", "Request header fields too large", "request too large"};
    case 501:
      return {"not-implemented", "Not implemented", "not implemented"};
    case 505:
      return {"http-version-not-supported", "HTTP version not supported", "not implemented"};
    case 503:
      return {"unavailable", "Service unavailable", "service unavailable"};
    default:
      return {"malformed-request", "Malformed request", "malformed request"};
  }
}

}  // namespace

FramingHandler::FramingHandler(const Rest::Router& routes, FramingLimits limits,
                               InFlight& in_flight, ports::RouteMetrics& refused)
    : RouterHandler(routes), limits_(limits), in_flight_(&in_flight), refused_(&refused) {}

std::shared_ptr<ConnectionState> FramingHandler::StateOf(const std::shared_ptr<Tcp::Peer>& peer) {
  if (auto state = ConnectionState::Of(peer)) return state;
  auto socket = std::make_shared<SocketHandle>(peer->fd());
  peer->putData(SocketHandle::kKey, socket);
  auto state = std::make_shared<ConnectionState>(socket);
  peer->putData(ConnectionState::kKey, state);
  return state;
}

void FramingHandler::onInput(const char* buffer, size_t length,
                             const std::shared_ptr<Tcp::Peer>& peer) {
  auto state = StateOf(peer);
  if (!state->reading) return;  // after a last request or a refusal the rest is not read
  state->pending.append(buffer, length);
  // Route every whole request the bytes hold, in order (pipelining): their answers are
  // written in the same order by the exchanges (ConnectionState::Submit).
  while (!state->pending.empty() && state->reading) {
    const Frame frame = ScanRequest(state->pending, limits_);
    if (frame.kind == Frame::Kind::kIncomplete) break;
    if (frame.kind == Frame::Kind::kRefused) {
      Refuse(peer, *state, frame.code, frame.message);
      return;
    }
    if (state->Owed() >= ConnectionState::kMaxOwed) {
      Refuse(peer, *state, 503, "too many pipelined requests waiting for their answers");
      return;
    }
    Dispatch(peer, *state, frame);
  }
  // Pistache's idle sweep (every 500 ms) answers 408 and closes a peer that is not idle once
  // its parser's time is older than the header timeout, and closes an idle one silently after
  // the keep-alive timeout. A request's head is timed from its first bytes: the parser (which
  // holds nothing between whole requests) is reset then and the peer is marked busy. Not
  // while an earlier answer is owed: the sweep's 408 would go out in its place (a request that
  // may have run); such a head is bounded by the keep-alive timeout instead.
  if (!state->pending.empty() && state->reading && state->Owed() == 0 && peer->isIdle()) {
    getParser(peer)->reset();
    peer->setIdle(false);
  }
}

void FramingHandler::onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) {
  if (auto state = ConnectionState::Of(peer)) state->Abandon();
  RouterHandler::onDisconnection(peer);
}

void FramingHandler::Dispatch(const std::shared_ptr<Tcp::Peer>& peer, ConnectionState& state,
                              const Frame& frame) {
  auto parser = getParser(peer);
  parser->reset();
  try {
    // From the request line on: empty lines before it are not Pistache's to see.
    if (!parser->feed(state.pending.data() + frame.start, frame.length - frame.start) ||
        parser->parse() != Http::Private::State::Done) {
      Refuse(peer, state, 400, "malformed request");
      return;
    }
  } catch (const Http::HttpError& error) {
    // What Pistache's parser still refuses after the scan (e.g. a Content-Type it cannot
    // parse: 415): its status, never its text.
    Refuse(peer, state, error.code() >= 400 && error.code() < 500 ? error.code() : 400,
           "request refused by the HTTP parser");
    return;
  } catch (const std::exception&) {
    Refuse(peer, state, 400, "malformed request");
    return;
  }
  state.pending.erase(0, frame.length);
  auto& request = parser->request;
  const auto connection = request.headers().tryGet<Http::Header::Connection>();
  const bool last = connection ? connection->control() == Http::ConnectionControl::Close
                               : request.version() == Http::Version::Http10;
  if (last) {  // the client's last request: its answer closes, later bytes are not read
    state.reading = false;
    state.CloseAfterNext();
  }
  request.copyAddress(peer->address());
  Http::ResponseWriter response(request.version(), transport(), this, peer);
  peer->setIdle(false);
  try {
    onRequest(request, std::move(response));
  } catch (const std::exception&) {
    // A route that throws has no answer to give: its exchange (if it started one) releases
    // its place and the connection closes after the answers before it.
    state.reading = false;
    state.CloseAfterNext();
  }
  parser->reset();
  // The request is whole and dispatched: its answer may be owed for a while (a store call),
  // and the sweep must not answer 408 to a request that was received and may have run. An
  // owed answer is bounded by the keep-alive timeout instead (then the connection closes).
  peer->setIdle(true);
}

void FramingHandler::Refuse(const std::shared_ptr<Tcp::Peer>& peer, ConnectionState& state,
                            int code, std::string_view message) {
  state.reading = false;
  state.pending.clear();
  state.CloseAfterNext();  // the refusal is answered after the requests before it, then closes
  const Refusal refusal = RefusalFor(code);
  Http::ResponseWriter writer(Http::Version::Http11, transport(), this, peer);
  auto exchange = Begin(Http::Request(), std::move(writer), *refused_, *in_flight_);
  exchange->Send(code, ProblemJson(code, refusal.slug, refusal.title, refusal.message, message),
                 "application/problem+json");
}

}  // namespace flashsale::rest
