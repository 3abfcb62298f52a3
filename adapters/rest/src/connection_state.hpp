#pragma once

// Internal to the REST adapter: what the framing handler and the exchanges share about one
// connection: the bytes not yet routed, and the order in which answers go out.

#include <pistache/peer.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace flashsale::rest {

/// One connection's state, kept in its Pistache peer. Requests are routed in arrival order on
/// the connection's reactor thread; their answers may be ready in any order on any thread
/// (a purchase completes on a Redis thread), so each carries its request's sequence number and
/// is written only after every earlier one (HTTP/1.1 pipelining, RFC 9112 section 9.3.2).
class ConnectionState {
 public:
  static constexpr const char* kKey = "flashsale.connection";

  /// The state of `peer`, or nullptr (a peer the framing handler has not seen).
  static std::shared_ptr<ConnectionState> Of(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
    if (!peer) return nullptr;
    return std::static_pointer_cast<ConnectionState>(peer->tryGetData(kKey));
  }

  /// Bytes received but not yet routed (reactor thread only).
  std::string pending;

  /// Numbers the next answer owed on this connection (an exchange, on the reactor thread
  /// while its request is routed: so in request order). Only requests that are answered
  /// through an exchange take a number, so none can hold the others up by never answering.
  std::uint64_t Register() {
    std::lock_guard lock(mutex_);
    return ++registered_;
  }
  /// From now on nothing more is read or routed; the connection is closed once the answers
  /// already owed are written.
  void Close() {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  bool closing() const {
    std::lock_guard lock(mutex_);
    return closing_;
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
  /// Answer `seq` is written (or failed). `close`: it said Connection: close. Writes the next
  /// waiting answer; shuts the write side down (FIN after the last answer owed, so the client
  /// reads every answer whole) when the connection is closing and nothing more is owed.
  void Written(std::uint64_t seq, bool close, const std::shared_ptr<Pistache::Tcp::Peer>& peer);

 private:
  mutable std::mutex mutex_;
  std::uint64_t registered_ = 0;
  std::uint64_t written_ = 0;
  bool closing_ = false;
  std::map<std::uint64_t, std::function<void()>> waiting_;
};

}  // namespace flashsale::rest
