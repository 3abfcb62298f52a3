#include "flashsale/redis/pipeline.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <future>
#include <utility>

namespace flashsale::redis {
namespace {

core::Error Unavailable(std::string detail) {
  return core::Error{core::Outcome::kUnavailable, std::move(detail)};
}

std::vector<std::string> EvalArgs(std::string_view verb, std::string_view body,
                                  const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(3 + keys.size() + args.size());
  out.emplace_back(verb);
  out.emplace_back(body);
  out.push_back(std::to_string(keys.size()));
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

core::Result<Reply> Wait(std::future<core::Result<Reply>> future,
                         std::chrono::milliseconds timeout) {
  // The I/O thread always completes a command (reply or Unavailable), at the latest after a
  // read timeout plus a reconnect attempt; this bound only guards against bugs.
  if (future.wait_for(timeout * 10 + std::chrono::seconds(1)) != std::future_status::ready) {
    return Unavailable("redis: no reply in time");
  }
  return future.get();
}

}  // namespace

core::Result<Reply> CheckReply(core::Result<Reply> reply) {
  if (!reply) return reply;
  if (!IsError(reply->get())) return reply;
  std::string_view text = Str(reply->get());
  static constexpr std::array<std::string_view, 7> kTransient{
      "LOADING", "BUSY", "OOM", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"};
  for (std::string_view prefix : kTransient) {
    if (text.substr(0, prefix.size()) == prefix) {
      return Unavailable("redis: " + std::string(text));
    }
  }
  return core::Error{core::Outcome::kInternal, "redis: " + std::string(text)};
}

Pipeline::Pipeline(RedisOptions options, std::vector<const Script*> scripts)
    : options_(std::move(options)), scripts_(std::move(scripts)), shas_(scripts_.size()) {
  Connect();  // first attempt inline, so a reachable Redis is usable right away
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

Pipeline::~Pipeline() {
  thread_.request_stop();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<Pending> rest;
  {
    std::lock_guard lock(mu_);
    rest.swap(queue_);
  }
  FailAll(rest, Unavailable("redis client shutting down"));
}

void Pipeline::Enqueue(std::string command, Callback done) {
  if (!connected_.load()) {
    // Fail fast while disconnected; the I/O thread keeps trying to reconnect.
    done(Unavailable("redis is unreachable"));
    return;
  }
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Pending{std::move(command), std::move(done)});
  }
  cv_.notify_one();
}

void Pipeline::Submit(const std::vector<std::string>& args, Callback done) {
  Enqueue(FormatCommand(args), std::move(done));
}

std::string Pipeline::ShaOf(const Script& script) {
  std::lock_guard lock(sha_mu_);
  for (std::size_t i = 0; i < scripts_.size(); ++i) {
    if (scripts_[i] == &script) return shas_[i];
  }
  return {};
}

void Pipeline::Eval(const Script& script, const std::vector<std::string>& keys,
                    const std::vector<std::string>& args, Callback done) {
  std::string sha = ShaOf(script);
  if (sha.empty()) {
    Submit(EvalArgs("EVAL", script.source, keys, args), std::move(done));
    return;
  }
  Submit(EvalArgs("EVALSHA", sha, keys, args),
         [this, &script, keys, args, done = std::move(done)](core::Result<Reply> reply) mutable {
           if (reply && IsError(reply->get()) && Str(reply->get()).starts_with("NOSCRIPT")) {
             // The server lost its script cache (restart, SCRIPT FLUSH): EVAL caches it again.
             Submit(EvalArgs("EVAL", script.source, keys, args), std::move(done));
             return;
           }
           done(std::move(reply));
         });
}

core::Result<Reply> Pipeline::Call(const std::vector<std::string>& args) {
  auto promise = std::make_shared<std::promise<core::Result<Reply>>>();
  auto future = promise->get_future();
  Submit(args, [promise](core::Result<Reply> reply) { promise->set_value(std::move(reply)); });
  return Wait(std::move(future), options_.command_timeout);
}

core::Result<Reply> Pipeline::CallEval(const Script& script, const std::vector<std::string>& keys,
                                       const std::vector<std::string>& args) {
  auto promise = std::make_shared<std::promise<core::Result<Reply>>>();
  auto future = promise->get_future();
  Eval(script, keys, args,
       [promise](core::Result<Reply> reply) { promise->set_value(std::move(reply)); });
  return Wait(std::move(future), options_.command_timeout);
}

void Pipeline::FailAll(std::vector<Pending>& batch, const core::Error& error) {
  for (auto& pending : batch) pending.done(error);
  batch.clear();
}

bool Pipeline::Connect() {
  auto opened = Connection::Open(options_);
  if (!opened) return false;
  std::vector<std::string> shas;
  for (const Script* script : scripts_) {
    auto loaded = (*opened)->Command({"SCRIPT", "LOAD", std::string(script->source)});
    if (!loaded || IsError(loaded->get())) return false;
    shas.emplace_back(Str(loaded->get()));
  }
  {
    std::lock_guard lock(sha_mu_);
    shas_ = std::move(shas);
  }
  connection_ = std::move(*opened);
  connected_ = true;
  return true;
}

void Pipeline::Run(std::stop_token stop) {
  auto backoff = options_.reconnect_initial;
  std::vector<Pending> batch;
  while (!stop.stop_requested()) {
    if (!connection_) {
      if (!Connect()) {
        std::vector<Pending> queued;
        {
          std::lock_guard lock(mu_);
          queued.swap(queue_);
        }
        FailAll(queued, Unavailable("redis is unreachable"));
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, stop, backoff, [] { return false; });
        backoff = std::min(backoff * 2, options_.reconnect_max);
        continue;
      }
      backoff = options_.reconnect_initial;
    }
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, stop, [this] { return !queue_.empty(); });
      if (stop.stop_requested()) break;
      batch.swap(queue_);
    }
    for (const auto& pending : batch) connection_->Append(pending.command);
    auto flushed = connection_->Flush();
    std::size_t answered = 0;
    if (flushed) {
      for (; answered < batch.size(); ++answered) {
        auto reply = connection_->ReadReply();
        if (!reply) break;
        batch[answered].done(std::move(reply));
      }
    }
    if (answered < batch.size()) {
      // The connection died mid-batch: the rest may or may not have run. Unavailable is the
      // honest answer; purchases are idempotent, so a client retry replays the stored result.
      connected_ = false;
      connection_.reset();
      for (std::size_t i = answered; i < batch.size(); ++i) {
        batch[i].done(Unavailable("redis connection lost"));
      }
      std::vector<Pending> queued;
      {
        std::lock_guard lock(mu_);
        queued.swap(queue_);
      }
      FailAll(queued, Unavailable("redis connection lost"));
    }
    batch.clear();
  }
  connected_ = false;
}

}  // namespace flashsale::redis
