#include "framing_handler.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>

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

/// How often each reactor looks for requests past their timeout: a 408 goes out between the
/// timeout and this much later.
constexpr std::chrono::milliseconds kSweepEvery{250};

Refusal RefusalFor(int code) {
  switch (code) {
    case 408:
      return {"request-timeout", "Request timeout", "request timeout"};
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

void FramingHandler::onConnection(const std::shared_ptr<Tcp::Peer>& peer) {
  // What Http::Handler::onConnection does (it is private there): the peer's parser.
  peer->putData(ParserData, std::make_shared<Http::RequestParser>(getMaxRequestSize()));
  StateOf(peer)->request_since = std::chrono::steady_clock::now();
  connections_.push_back(peer);
  if (!sweeping_) ArmSweep();
}

void FramingHandler::onInput(const char* buffer, size_t length,
                             const std::shared_ptr<Tcp::Peer>& peer) {
  auto state = StateOf(peer);
  if (!state->reading) return;  // after a last request or a refusal the rest is not read
  const auto now = std::chrono::steady_clock::now();
  if (state->pending.empty() && !state->request_since) state->request_since = now;
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
    // The bytes after a whole request begin the next one now.
    state->request_since = now;
  }
  if (state->pending.empty()) state->request_since.reset();
  // Pistache's own idle sweep stays as a backstop (its header timeout is set longer than
  // ours): it answers a bodiless 408 and closes a peer that is not idle once its parser's time
  // is older than its header timeout, and closes an idle one silently after the keep-alive
  // timeout. So a request's first bytes reset the parser's time and mark the peer busy, but
  // not while an earlier answer is owed: Pistache's 408 would go out in its place.
  if (!state->pending.empty() && state->reading && state->Owed() == 0 && peer->isIdle()) {
    getParser(peer)->reset();
    peer->setIdle(false);
  }
}

void FramingHandler::ArmSweep() {
  const int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) return;  // out of descriptors: Pistache's own sweep still bounds every request
  sweeping_ = true;
  Async::Promise<uint64_t> fired([&](Async::Deferred<uint64_t> deferred) {
    transport()->armTimer(fd, kSweepEvery, std::move(deferred));
  });
  // Both run on this reactor's thread, inside Pistache's handling of the timer: the next
  // timerfd is made before this one is closed, so it never reuses the number Pistache is
  // about to forget.
  fired.then(
      [this, fd](uint64_t) {
        sweeping_ = false;
        Sweep();
        ::close(fd);
      },
      [this, fd](std::exception_ptr) {
        sweeping_ = false;
        ::close(fd);
      });
}

void FramingHandler::Sweep() {
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(connections_, [&](const std::weak_ptr<Tcp::Peer>& weak) {
    const auto peer = weak.lock();
    if (!peer) return true;
    const auto state = ConnectionState::Of(peer);
    if (!state || !state->reading) return !state;  // refused or last request: nothing to time
    if (state->request_since && now - *state->request_since >= limits_.request_timeout) {
      // Behind the answers still owed on this connection (if any), then the connection
      // closes: a request that was received whole is never answered 408.
      Refuse(peer, *state, 408, "the request did not arrive whole in time");
    }
    return false;
  });
  if (!connections_.empty()) ArmSweep();
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
