#include "exchange.hpp"

#include <sys/socket.h>

#include <string>
#include <thread>

#include "problem.hpp"

namespace flashsale::rest {
namespace {

using namespace Pistache;
using Clock = std::chrono::steady_clock;

/// Pistache 0.0.5 does not serialise raw headers (Collection::addRaw) in responses, so the
/// headers needed beyond its typed ones go out as this typed header with a name of its own.
class TextHeader final : public Http::Header::Header {
 public:
  TextHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  uint64_t hash() const override { return Http::Header::detail::hash(name_.c_str()); }
  void write(std::ostream& os) const override { os << value_; }

 private:
  std::string name_;
  std::string value_;
};

}  // namespace

bool InFlight::WaitIdle(Clock::time_point deadline) const {
  while (count_.load(std::memory_order_acquire) > 0) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

Exchange::Exchange(const Http::Request& request, Http::ResponseWriter writer,
                   ports::RouteMetrics& route, InFlight& in_flight)
    : writer_(std::move(writer)), start_(Clock::now()), route_(route), in_flight_(in_flight) {
  if (auto connection = request.headers().tryGet<Http::Header::Connection>()) {
    keep_alive_ = connection->control() != Http::ConnectionControl::Close;
  }
  if (auto peer = writer_.getPeer()) {
    peer_ = peer;
    connection_ = ConnectionState::Of(peer);
    if (connection_) {
      seq_ = connection_->Register();
      if (connection_->closing()) keep_alive_ = false;
    }
  }
}

void ConnectionState::Written(std::uint64_t seq, bool close,
                              const std::shared_ptr<Tcp::Peer>& peer) {
  std::function<void()> next;
  bool shut = false;
  {
    std::lock_guard lock(mutex_);
    written_ = seq;
    closing_ = closing_ || close;
    if (auto it = waiting_.find(seq + 1); it != waiting_.end()) {
      next = std::move(it->second);
      waiting_.erase(it);
    } else {
      shut = closing_ && registered_ == seq;
    }
  }
  if (shut && peer) ::shutdown(peer->fd(), SHUT_WR);
  if (next) next();
}

std::shared_ptr<Exchange> Begin(const Http::Request& request, Http::ResponseWriter writer,
                                ports::RouteMetrics& route, InFlight& in_flight) {
  in_flight.Enter();
  return std::make_shared<Exchange>(request, std::move(writer), route, in_flight);
}

void Exchange::Send(int code, std::string_view body, std::string_view content_type,
                    const std::vector<Http::Method>* allow) {
  if (in_flight_.stopped()) {
    in_flight_.Leave();
    return;
  }
  auto& headers = writer_.headers();
  headers.add<Http::Header::ContentType>(
      Http::Mime::MediaType::fromString(std::string(content_type)));
  // Pistache 0.0.5 answers "Connection: close" to HTTP/1.1 clients that send no Connection
  // header; say keep-alive explicitly (remove, then add: add does not replace). While the
  // server shuts down every answer says close, so clients reconnect elsewhere.
  const bool keep_alive = keep_alive_ && !in_flight_.closing();
  headers.remove<Http::Header::Connection>();
  headers.add<Http::Header::Connection>(keep_alive ? Http::ConnectionControl::KeepAlive
                                                   : Http::ConnectionControl::Close);
  if (code == 429 || code == 503) {
    headers.add(std::make_shared<TextHeader>("Retry-After", std::to_string(retry_after_s_)));
  }
  for (auto& [name, value] : headers_) {
    headers.add(std::make_shared<TextHeader>(std::move(name), std::move(value)));
  }
  if (allow != nullptr) headers.add(std::make_shared<Http::Header::Allow>(*allow));
  route_.Served(code, Clock::now() - start_);
  // The request stays in flight until the reactor has written the answer: shutdown waits
  // for that, so an accepted purchase is never cut from its 200.
  InFlight* in_flight = &in_flight_;
  auto send = [this, code, body = std::string(body), in_flight, keep_alive] {
    writer_.send(static_cast<Http::Code>(code), body.data(), body.size())
        .then(
            [in_flight, connection = connection_, peer = peer_, seq = seq_, keep_alive](ssize_t) {
              if (connection) connection->Written(seq, !keep_alive, peer.lock());
              in_flight->Leave();
            },
            [in_flight, connection = connection_, peer = peer_, seq = seq_](std::exception_ptr) {
              if (connection) connection->Written(seq, true, peer.lock());
              in_flight->Leave();
            });
  };
  if (!connection_) {
    send();
    return;
  }
  // Answers leave in request order; `send` may run later on another thread, so the exchange
  // stays alive until then (the routes hold it in a shared_ptr; so does this closure).
  connection_->Submit(seq_, [self = shared_from_this(), send = std::move(send)] { send(); });
}

bool Admitted(Exchange& exchange, const core::Admission& admission) {
  if (!admission.limited) return true;
  auto seconds = [](std::chrono::microseconds d) {
    return std::max<std::int64_t>(0, (d.count() + 999'999) / 1'000'000);
  };
  // draft-ietf-httpapi-ratelimit-headers (-08 and later): quota q per window w seconds;
  // r units left, t seconds until the quota is whole again.
  exchange.AddHeader("RateLimit-Policy",
                     "\"" + std::string(admission.policy) +
                         "\";q=" + std::to_string(admission.rate.burst) +
                         ";w=" + std::to_string(admission.rate.WindowSeconds()));
  exchange.AddHeader("RateLimit", "\"" + std::string(admission.policy) +
                                      "\";r=" + std::to_string(admission.remaining) +
                                      ";t=" + std::to_string(seconds(admission.reset)));
  if (admission.allowed) return true;
  exchange.SetRetryAfter(std::max<std::int64_t>(1, seconds(admission.retry_after)));
  exchange.SendProblem(domain::Outcome::kRateLimited,
                       std::string("too many requests for this ") +
                           (admission.policy == "user" ? "user" : "client address") +
                           "; retry after the Retry-After seconds");
  return false;
}

void Exchange::AddHeader(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
}

void Exchange::SendProblem(domain::Outcome outcome, std::string_view detail,
                           std::string_view message_override, std::string_view extra) {
  const HttpOutcome http = ToHttp(outcome);
  const std::string_view message = message_override.empty() ? http.message : message_override;
  // An internal failure's detail is for operators (it may quote a backend's error text).
  if (outcome == domain::Outcome::kInternal) detail = domain::DefaultDetail(outcome);
  Send(http.code, ProblemJson(http.code, http.slug, http.title, message, detail, extra),
       "application/problem+json");
}

}  // namespace flashsale::rest
