#include "flashsale/redis/connection.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cstdlib>
#include <string>

namespace flashsale::redis {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

domain::Error Unavailable(std::string detail) {
  return domain::Error{domain::Outcome::kUnavailable, std::move(detail)};
}

}  // namespace

void ReplyDeleter::operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }

bool IsError(const redisReply* r) noexcept { return r != nullptr && r->type == REDIS_REPLY_ERROR; }
bool IsNil(const redisReply* r) noexcept { return r == nullptr || r->type == REDIS_REPLY_NIL; }
std::string_view Str(const redisReply* r) noexcept {
  if (r == nullptr || r->str == nullptr) return {};
  if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS &&
      r->type != REDIS_REPLY_ERROR) {
    return {};
  }
  return std::string_view(r->str, r->len);
}
long long Int(const redisReply* r) noexcept {
  if (r == nullptr) return 0;
  if (r->type == REDIS_REPLY_INTEGER) return r->integer;
  if (r->type == REDIS_REPLY_STRING && r->str != nullptr) return std::strtoll(r->str, nullptr, 10);
  return 0;
}
std::size_t Size(const redisReply* r) noexcept {
  return r != nullptr && r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
}
const redisReply* At(const redisReply* r, std::size_t i) noexcept {
  return i < Size(r) ? r->element[i] : nullptr;
}

std::string FormatCommand(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lens.push_back(arg.size());
  }
  char* out = nullptr;
  int len = redisFormatCommandArgv(&out, static_cast<int>(args.size()), argv.data(), lens.data());
  std::string command(out, static_cast<std::size_t>(len < 0 ? 0 : len));
  redisFreeCommand(out);
  return command;
}

domain::Result<std::unique_ptr<Connection>> Connection::Open(const RedisOptions& options) {
  redisContext* context = redisConnectWithTimeout(options.host.c_str(), options.port,
                                                  ToTimeval(options.command_timeout));
  if (context == nullptr) return Unavailable("redis: out of memory creating a context");
  if (context->err != 0) {
    std::string why = context->errstr;
    redisFree(context);
    return Unavailable("redis " + options.host + ":" + std::to_string(options.port) + ": " + why);
  }
  std::unique_ptr<Connection> connection(new Connection(context));
  connection->SetTimeout(options.command_timeout);
  if (!options.password.empty()) {
    auto auth = connection->Command({"AUTH", options.password});
    if (!auth) return auth.error();
    if (IsError(auth->get())) {
      return Unavailable("redis AUTH failed: " + std::string(Str(auth->get())));
    }
  }
  if (options.db != 0) {
    auto select = connection->Command({"SELECT", std::to_string(options.db)});
    if (!select) return select.error();
    if (IsError(select->get())) return Unavailable("redis SELECT failed");
  }
  return connection;
}

domain::Result<std::unique_ptr<Connection>> Connection::OpenAny(
    const RedisOptions& options, const std::vector<RedisNode>& nodes) {
  domain::Error last = Unavailable("redis: no node to connect to");
  for (const auto& node : nodes) {
    auto opened = Open(AtNode(options, node));
    if (opened) return opened;
    last = opened.error();
  }
  return last;
}

Connection::~Connection() { redisFree(context_); }

domain::Error Connection::IoError(std::string_view what) {
  dead_ = true;
  std::string detail = "redis " + std::string(what) + ": ";
  detail += context_->errstr[0] != '\0' ? context_->errstr : "connection lost";
  return Unavailable(std::move(detail));
}

domain::Result<Reply> Connection::Command(const std::vector<std::string>& args) {
  Append(FormatCommand(args));
  if (auto flushed = Flush(); !flushed) return flushed.error();
  return ReadReply();
}

void Connection::Append(const std::string& formatted) {
  redisAppendFormattedCommand(context_, formatted.data(), formatted.size());
}

domain::Result<void> Connection::Flush() {
  if (dead_) return Unavailable("redis connection is dead");
  int done = 0;
  do {
    if (redisBufferWrite(context_, &done) == REDIS_ERR) return IoError("write");
  } while (done == 0);
  return domain::Ok();
}

domain::Result<Reply> Connection::ReadReply() {
  if (dead_) return Unavailable("redis connection is dead");
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) == REDIS_ERR || raw == nullptr) return IoError("read");
  return Reply(static_cast<redisReply*>(raw));
}

domain::Result<Reply> Connection::TryReadBuffered() {
  void* raw = nullptr;
  if (redisGetReplyFromReader(context_, &raw) == REDIS_ERR) return IoError("protocol");
  return Reply(static_cast<redisReply*>(raw));
}

domain::Result<void> Connection::ReadIntoBuffer() {
  if (redisBufferRead(context_) == REDIS_ERR) return IoError("read");
  return domain::Ok();
}

void Connection::SetTimeout(std::chrono::milliseconds timeout) {
  redisSetTimeout(context_, ToTimeval(timeout));
}

int Connection::fd() const noexcept { return context_->fd; }

}  // namespace flashsale::redis
