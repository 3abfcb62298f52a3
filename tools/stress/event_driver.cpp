#include "event_driver.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "callers.hpp"
#include "http_connection.hpp"

namespace flashsale::stress {
namespace {

constexpr auto kDrainTimeout = std::chrono::seconds(10);
/// A request unanswered this long is a transport error and its connection is replaced (the
/// threaded client's receive timeout).
constexpr auto kAnswerTimeout = std::chrono::seconds(10);

struct Connection {
  int fd = -1;
  bool busy = false;       ///< a request is out and its answer not in yet
  long n = -1;             ///< that request's number
  Clock::time_point due;   ///< and the time its latency counts from
  Clock::time_point sent;  ///< when it was handed to the socket
  bool want_out = false;   ///< EPOLLOUT is armed (request bytes wait for room)
  std::string out;         ///< request bytes not sent yet
  std::string in;          ///< response bytes not taken yet
};

class EventDriver {
 public:
  EventDriver(Run& run, Clock::time_point start, Clock::time_point end)
      : run_(run), o_(run.options), start_(start), end_(end) {
    const auto colon = o_.target.rfind(':');
    host_ = o_.target.substr(0, colon);
    port_ = std::stoi(o_.target.substr(colon + 1));
    if (o_.rate > 0) interval_ = std::chrono::duration<double>(1.0 / o_.rate);
    limit_ = o_.duration_s > 0 ? std::numeric_limits<long>::max() : o_.requests;
  }
  ~EventDriver() {
    for (auto& c : connections_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    if (epoll_ >= 0) ::close(epoll_);
  }
  EventDriver(const EventDriver&) = delete;
  EventDriver& operator=(const EventDriver&) = delete;

  void Drive() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    connections_.resize(static_cast<std::size_t>(o_.concurrency));
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      if (Connect(i)) idle_.push_back(i);
    }
    live_ = idle_.size();
    if (live_ == 0) {
      std::fprintf(stderr, "stress_test: cannot connect to %s\n", o_.target.c_str());
      return;
    }
    if (live_ < connections_.size()) {
      std::fprintf(stderr, "stress_test: only %zu of %zu connections opened\n", live_,
                   connections_.size());
    }
    Clock::time_point drain_deadline = Clock::time_point::max();
    Clock::time_point next_expiry_scan = Clock::now() + std::chrono::milliseconds(100);
    while (issuing_ || in_flight_ > 0) {
      Issue();
      if (!issuing_ && drain_deadline == Clock::time_point::max()) {
        drain_deadline = Clock::now() + kDrainTimeout;
      }
      if (!issuing_ && Clock::now() >= drain_deadline) break;
      Wait(!issuing_ ? drain_deadline : Clock::time_point::max());
      if (Clock::now() >= next_expiry_scan) {
        ExpireUnanswered();
        next_expiry_scan = Clock::now() + std::chrono::milliseconds(100);
      }
    }
    for (std::size_t i = 0; i < connections_.size(); ++i) Fail(i);  // never answered
  }

 private:
  /// Sends every request that is due while a connection is idle.
  void Issue() {
    if (!issuing_) return;
    const auto now = Clock::now();
    for (;;) {
      if (next_ >= limit_) {
        issuing_ = false;
        return;
      }
      Clock::time_point due = now;
      if (o_.rate > 0) {
        due = Due(next_);
        if (due >= end_) {
          issuing_ = false;
          return;
        }
        if (due > now) return;
      } else if (now >= end_) {
        issuing_ = false;
        return;
      }
      if (idle_.empty()) return;  // open loop: the due request waits, its latency running
      const std::size_t i = idle_.back();
      idle_.pop_back();
      Send(i, next_++, due);
    }
  }

  Clock::time_point Due(long n) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(interval_ * n);
  }

  /// Waits for socket events (until the next request is due, in open loop) and handles them.
  void Wait(Clock::time_point until) {
    if (issuing_ && o_.rate > 0 && !idle_.empty()) until = std::min(until, Due(next_));
    const auto left = until == Clock::time_point::max()
                          ? std::chrono::nanoseconds(std::chrono::milliseconds(100))
                          : std::max(std::chrono::nanoseconds(0), until - Clock::now());
    epoll_event events[256];
    int ready;
    if (have_pwait2_) {
      const timespec timeout{static_cast<time_t>(left.count() / 1'000'000'000),
                             static_cast<long>(left.count() % 1'000'000'000)};
      ready = ::epoll_pwait2(epoll_, events, 256, &timeout, nullptr);
      if (ready < 0 && errno == ENOSYS) {
        have_pwait2_ = false;
        return;
      }
    } else {
      ready =
          ::epoll_wait(epoll_, events, 256, static_cast<int>((left.count() + 999'999) / 1'000'000));
    }
    for (int e = 0; e < ready; ++e) {
      const std::size_t i = events[e].data.u32;
      if (events[e].events & EPOLLOUT) Flush(i);
      if (events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) Receive(i);
    }
  }

  bool Connect(std::size_t i) {
    Connection& c = connections_[i];
    c = Connection{};
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) return false;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    // A blocking connect (loopback: immediate), then non-blocking for the exchanges.
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK) != 0) {
      ::close(c.fd);
      c.fd = -1;
      return false;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event);
    return true;
  }

  /// Requests unanswered for kAnswerTimeout become transport errors, on new connections.
  void ExpireUnanswered() {
    const auto now = Clock::now();
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      if (connections_[i].busy && now - connections_[i].sent >= kAnswerTimeout) Reconnect(i);
    }
  }

  void Send(std::size_t i, long n, Clock::time_point due) {
    Connection& c = connections_[i];
    c.busy = true;
    c.n = n;
    c.due = due;
    c.sent = Clock::now();
    ++in_flight_;
    if (o_.call == "health") {
      c.out = testing::RequestText("GET", "/health");
    } else {
      std::string user, item, request;
      Describe(run_, n, user, item, request);
      c.out = testing::RequestText("POST", "/api/purchase",
                                   PurchaseBody(o_.sale_id, user, item, request, o_.quantity));
    }
    Flush(i);
  }

  /// Writes what is left of the request; waits for EPOLLOUT while the socket is full.
  void Flush(std::size_t i) {
    Connection& c = connections_[i];
    if (c.fd < 0) return;
    while (!c.out.empty()) {
      const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n > 0) {
        c.out.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      Reconnect(i);  // the request is lost with the connection
      return;
    }
    if (c.want_out == !c.out.empty()) return;  // armed as needed already: no syscall
    c.want_out = !c.out.empty();
    epoll_event event{};
    event.events = c.want_out ? EPOLLIN | EPOLLOUT : EPOLLIN;
    event.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event);
  }

  void Receive(std::size_t i) {
    Connection& c = connections_[i];
    if (c.fd < 0) return;
    char chunk[16384];
    const ssize_t n = ::recv(c.fd, chunk, sizeof(chunk), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {  // closed by the server, or a socket error
      Reconnect(i);
      return;
    }
    c.in.append(chunk, static_cast<std::size_t>(n));
    while (auto response = testing::TakeResponse(c.in)) {
      if (!c.busy) {  // an answer nobody asked for: the exchange is out of step
        Reconnect(i);
        return;
      }
      Answer answer;
      if (o_.call == "health") {
        answer.kind = response->status == 200 ? kAccepted : kTransport;
      } else {
        answer = AnswerOfPurchase(*response);
      }
      c.busy = false;
      --in_flight_;
      Record(run_, c.n, answer, c.due);
      if (response->status == 0 || ClosesConnection(*response)) {
        Reconnect(i);
        return;
      }
      idle_.push_back(i);
    }
  }

  /// A request still out on connection i gets a transport error.
  void Fail(std::size_t i) {
    Connection& c = connections_[i];
    if (!c.busy) return;
    c.busy = false;
    --in_flight_;
    Record(run_, c.n, Answer{}, c.due);
  }

  /// Drops connection i (failing its request) and opens a new one in its place.
  void Reconnect(std::size_t i) {
    Fail(i);
    Connection& c = connections_[i];
    if (c.fd >= 0) {
      ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
      c.fd = -1;
      --live_;
    }
    std::erase(idle_, i);
    if (Connect(i)) {
      ++live_;
      idle_.push_back(i);
    } else if (live_ == 0) {
      std::fprintf(stderr, "stress_test: every connection to %s is gone\n", o_.target.c_str());
      issuing_ = false;
    }
  }

  Run& run_;
  const Options& o_;
  Clock::time_point start_;
  Clock::time_point end_;
  std::string host_;
  int port_ = 0;
  std::chrono::duration<double> interval_{0};
  long limit_ = 0;
  int epoll_ = -1;
  std::vector<Connection> connections_;
  std::vector<std::size_t> idle_;
  long next_ = 0;
  long in_flight_ = 0;
  std::size_t live_ = 0;  ///< connections with an open socket
  bool issuing_ = true;
  bool have_pwait2_ = true;
};

}  // namespace

void DriveRestEvents(Run& run, Clock::time_point start, Clock::time_point end) {
  EventDriver(run, start, end).Drive();
}

}  // namespace flashsale::stress
