#include "exchange.hpp"

#include <string>
#include <thread>

#include "problem.hpp"

namespace flashsale::rest {
namespace {

using namespace Pistache;
using Clock = std::chrono::steady_clock;

/// Pistache 0.0.5 does not serialise raw headers (Collection::addRaw) in responses, so the
/// headers needed beyond its typed ones are small typed headers of our own.
class RetryAfter final : public Http::Header::Header {
 public:
  NAME("Retry-After")
  explicit RetryAfter(int seconds = 1) : seconds_(seconds) {}
  void write(std::ostream& os) const override { os << seconds_; }

 private:
  int seconds_;
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
}

std::shared_ptr<Exchange> Begin(const Http::Request& request, Http::ResponseWriter writer,
                                ports::RouteMetrics& route, InFlight& in_flight) {
  in_flight.Enter();
  return std::make_shared<Exchange>(request, std::move(writer), route, in_flight);
}

void Exchange::Send(int code, std::string_view body, std::string_view content_type,
                    const Http::Method* allow) {
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
  if (code == 429 || code == 503) headers.add(std::make_shared<RetryAfter>(1));
  if (allow != nullptr) headers.add(std::make_shared<Http::Header::Allow>(*allow));
  route_.Served(code, Clock::now() - start_);
  // The request stays in flight until the reactor has written the answer: shutdown waits
  // for that, so an accepted purchase is never cut from its 200.
  InFlight* in_flight = &in_flight_;
  writer_.send(static_cast<Http::Code>(code), body.data(), body.size())
      .then([in_flight](ssize_t) { in_flight->Leave(); },
            [in_flight](std::exception_ptr) { in_flight->Leave(); });
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
