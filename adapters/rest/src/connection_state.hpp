#pragma once

// Internal to the REST adapter: what the framing handler and the exchanges share about one
// connection: the bytes not yet routed, and the order in which answers go out.

#include <pistache/peer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace flashsale::rest {

/// The peer's socket, duplicated, kept in the peer's data (so closed when Pistache drops the
/// peer): the write side is shut down through this copy, so a shutdown from any thread reaches
/// this connection even after Pistache closed its own descriptor and the number went to
/// another connection, and a connection Pistache removed without telling the handler (its idle
/// sweep) is not kept open by answers still owed on it.
class SocketHandle {
 public:
  static constexpr const char* kKey = "flashsale.socket";
  explicit SocketHandle(int fd) : fd_(::dup(fd)) {}
  ~SocketHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  SocketHandle(const SocketHandle&) = delete;
  SocketHandle& operator=(const SocketHandle&) = delete;
  int fd() const noexcept { return fd_; }

 private:
  const int fd_;
};

/// One connection's state, kept in its Pistache peer. Requests are routed in arrival order on
/// the connection's reactor thread; their answers may be ready in any order on any thread
/// (a purchase completes on a Redis thread), so each takes a number when its exchange starts
/// and is written only after every earlier one (HTTP/1.1 pipelining, RFC 9112 section 9.3.2).
class ConnectionState {
 public:
  static constexpr const char* kKey = "flashsale.connection";
  /// Answers owed at once on one connection; a client that pipelines more without reading
  /// gets 503 and the connection is closed.
  static constexpr std::uint64_t kMaxOwed = 64;

  /// `socket`: the peer's SocketHandle (the peer owns it; gone with the peer).
  explicit ConnectionState(std::weak_ptr<SocketHandle> socket) : socket_(std::move(socket)) {}
  ConnectionState(const ConnectionState&) = delete;
  ConnectionState& operator=(const ConnectionState&) = delete;

  /// The state of `peer`, or nullptr (a peer the framing handler has not seen).
  static std::shared_ptr<ConnectionState> Of(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
    if (!peer) return nullptr;
    return std::static_pointer_cast<ConnectionState>(peer->tryGetData(kKey));
  }

  /// Reactor thread only: bytes received but not yet routed, and whether reading stopped
  /// (after a request that closes the connection, or a refusal).
  std::string pending;
  bool reading = true;
  /// Reactor thread only: when the request now arriving began (its first byte; for a
  /// connection's first request, the accept), unset while no request is under way. A request
  /// that is not whole within the request timeout of this gets 408 (FramingHandler's sweep).
  std::optional<std::chrono::steady_clock::time_point> request_since;

  /// The request being routed will be the connection's last: its answer says Connection:
  /// close. Takes effect when its exchange registers (so that an earlier answer completing
  /// meanwhile does not close the connection before this one is written).
  void CloseAfterNext() {
    std::lock_guard lock(mutex_);
    close_after_next_ = true;
  }
  /// Numbers the next answer owed (an exchange, on the reactor thread while its request is
  /// routed: so in request order). `closing`: set when this answer must close the connection.
  std::uint64_t Register(bool& closing) {
    std::lock_guard lock(mutex_);
    if (close_after_next_) closing_ = true;
    closing = closing_;
    return ++registered_;
  }
  /// Answers registered and not yet written.
  std::uint64_t Owed() const {
    std::lock_guard lock(mutex_);
    return registered_ - written_;
  }
  /// Runs `send` (which writes answer `seq`) now if every earlier answer is written, otherwise
  /// right after the last of them.
  void Submit(std::uint64_t seq, std::function<void()> send) {
    {
      std::lock_guard lock(mutex_);
      if (seq != written_ + 1) {
        waiting_.emplace(seq, std::move(send));
        return;
      }
    }
    send();
  }
  /// Answer `seq` is written, failed or abandoned. `close`: it said Connection: close (or it
  /// failed). Writes the next waiting answer; shuts the write side down (FIN after the last
  /// answer owed, so the client reads every answer whole) when the connection is closing and
  /// nothing more is owed. A number abandoned before its turn (its exchange ended without an
  /// answer) is skipped when its turn comes.
  void Written(std::uint64_t seq, bool close) {
    std::function<void()> next;
    bool shut = false;
    {
      std::lock_guard lock(mutex_);
      closing_ = closing_ || close;
      if (seq != written_ + 1) {
        released_.insert(seq);
        return;
      }
      written_ = seq;
      while (released_.erase(written_ + 1) > 0) ++written_;
      if (auto it = waiting_.find(written_ + 1); it != waiting_.end()) {
        next = std::move(it->second);
        waiting_.erase(it);
      } else {
        shut = closing_ && registered_ == written_;
      }
    }
    if (shut) {
      if (auto socket = socket_.lock(); socket && socket->fd() >= 0) {
        ::shutdown(socket->fd(), SHUT_WR);
      }
    }
    if (next) next();
  }
  /// The peer is gone: answers still waiting are dropped (their exchanges release their
  /// places and leave the in-flight count as they are destroyed).
  void Abandon() {
    std::map<std::uint64_t, std::function<void()>> dropped;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      dropped.swap(waiting_);
    }
    dropped.clear();  // outside the lock: destroying an exchange calls Written
  }

 private:
  const std::weak_ptr<SocketHandle> socket_;
  mutable std::mutex mutex_;
  std::uint64_t registered_ = 0;
  std::uint64_t written_ = 0;
  bool closing_ = false;
  bool close_after_next_ = false;
  std::map<std::uint64_t, std::function<void()>> waiting_;
  std::set<std::uint64_t> released_;
};

}  // namespace flashsale::rest
