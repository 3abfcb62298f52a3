#include "exchange.hpp"

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

/// One answer owed: leaves the in-flight count and releases the answer's place in its
/// connection's order exactly once: when the answer is written or fails, or else when the
/// last holder lets go. If the answer was never handed to Pistache (the exchange ended
/// without one, the peer left with answers still waiting) the connection then closes after
/// the answers before it, since a client can no longer tell which answer is whose.
class AnswerTicket {
 public:
  AnswerTicket(InFlight& in_flight, std::shared_ptr<ConnectionState> connection, std::uint64_t seq)
      : in_flight_(in_flight), connection_(std::move(connection)), seq_(seq) {}
  /// Nothing more will say how the answer went: when it was handed to Pistache, it may well
  /// be on the wire (a continuation can be lost: Pistache 0.0.5's promise chaining is not
  /// thread-safe against a write completing on the reactor while `then` is attached), so the
  /// connection stays open; a write Pistache really dropped means the peer is gone anyway.
  /// When it was never handed over, the client waits for an answer that will not come: close.
  ~AnswerTicket() { Done(!sent_.load()); }
  AnswerTicket(const AnswerTicket&) = delete;
  AnswerTicket& operator=(const AnswerTicket&) = delete;
  /// The answer is handed to Pistache's writer.
  void Sent() noexcept { sent_.store(true); }
  void Done(bool close) {
    if (done_.exchange(true)) return;
    if (connection_) connection_->Written(seq_, close);
    in_flight_.Leave();
  }

 private:
  InFlight& in_flight_;
  std::shared_ptr<ConnectionState> connection_;
  std::uint64_t seq_;
  std::atomic<bool> done_{false};
  std::atomic<bool> sent_{false};
};

Exchange::Exchange(const Http::Request& request, Http::ResponseWriter writer,
                   ports::RouteMetrics& route, InFlight& in_flight)
    : writer_(std::move(writer)), start_(Clock::now()), route_(route), in_flight_(in_flight) {
  if (auto connection = request.headers().tryGet<Http::Header::Connection>()) {
    keep_alive_ = connection->control() != Http::ConnectionControl::Close;
  } else if (request.version() == Http::Version::Http10) {
    keep_alive_ = false;  // HTTP/1.0 closes unless the client asked for keep-alive
  }
  if (auto peer = writer_.getPeer()) {
    connection_ = ConnectionState::Of(peer);
    if (connection_) {
      bool closing = false;
      seq_ = connection_->Register(closing);
      if (closing) keep_alive_ = false;
    }
  }
  ticket_ = std::make_shared<AnswerTicket>(in_flight, connection_, seq_);
}

std::shared_ptr<Exchange> Begin(const Http::Request& request, Http::ResponseWriter writer,
                                ports::RouteMetrics& route, InFlight& in_flight) {
  in_flight.Enter();
  return std::make_shared<Exchange>(request, std::move(writer), route, in_flight);
}

void Exchange::Send(int code, std::string_view body, std::string_view content_type,
                    const std::vector<Http::Method>* allow) {
  if (in_flight_.stopped()) return;  // the endpoint is gone; the ticket lets go with us
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
  // The request stays in flight until the reactor has written the answer (the ticket):
  // shutdown waits for that, so an accepted purchase is never cut from its 200.
  auto send = [this, code, body = std::string(body), keep_alive, ticket = ticket_] {
    ticket->Sent();
    writer_.send(static_cast<Http::Code>(code), body.data(), body.size())
        .then([ticket, keep_alive](ssize_t) { ticket->Done(!keep_alive); },
              [ticket](std::exception_ptr) { ticket->Done(true); });
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
  // While at least half the quota is left, an admitted request carries no RateLimit fields:
  // the draft lets a server send them only when the quota nears exhaustion, and building
  // them on every 200 was a measurable part of what the limits cost.
  if (admission.allowed && admission.remaining * 2 >= admission.rate.burst) return true;
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
