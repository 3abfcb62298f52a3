#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flashsale/domain/result.hpp"
#include "flashsale/redis/redis_options.hpp"

struct redisContext;
struct redisReply;

namespace flashsale::redis {

struct ReplyDeleter {
  void operator()(redisReply* reply) const noexcept;
};
/// An owned hiredis reply.
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

/// Read helpers over a hiredis reply (they never throw; wrong types read as empty/0).
bool IsError(const redisReply* r) noexcept;
bool IsNil(const redisReply* r) noexcept;
std::string_view Str(const redisReply* r) noexcept;
long long Int(const redisReply* r) noexcept;
std::size_t Size(const redisReply* r) noexcept;
const redisReply* At(const redisReply* r, std::size_t i) noexcept;

/// A command as its arguments, formatted once (RESP) for sending.
std::string FormatCommand(const std::vector<std::string>& args);

/// One synchronous hiredis connection with timeouts. Not thread-safe: one thread at a time
/// (use a Pipeline to share). After any I/O error the connection is dead: reconnect.
class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Connects, authenticates and selects the database within options.command_timeout.
  /// Unavailable with the reason when it can't.
  static domain::Result<std::unique_ptr<Connection>> Open(const RedisOptions& options);

  /// Open on the first of `nodes` that answers (with `options`' password and timeouts).
  static domain::Result<std::unique_ptr<Connection>> OpenAny(const RedisOptions& options,
                                                             const std::vector<RedisNode>& nodes);

  /// Sends one command and reads its reply (which may be a Redis error reply: check IsError).
  /// Unavailable on I/O error or timeout (the connection is then dead).
  domain::Result<Reply> Command(const std::vector<std::string>& args);

  /// Pipelining: queue formatted commands, flush them, then read replies in order.
  void Append(const std::string& formatted);
  domain::Result<void> Flush();
  domain::Result<Reply> ReadReply();
  /// A reply already buffered, without blocking (nullptr when none is complete).
  domain::Result<Reply> TryReadBuffered();
  /// Reads what the socket has into the buffer; blocks at most the socket timeout.
  domain::Result<void> ReadIntoBuffer();

  /// Changes the socket timeout (e.g. longer for a BLOCKing read).
  void SetTimeout(std::chrono::milliseconds timeout);

  int fd() const noexcept;
  bool dead() const noexcept { return dead_; }

 private:
  explicit Connection(redisContext* context) : context_(context) {}
  domain::Error IoError(std::string_view what);

  redisContext* context_;
  bool dead_ = false;
};

}  // namespace flashsale::redis
