#include "flashsale/redis/pipeline.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <utility>

namespace flashsale::redis {
namespace {

domain::Error Unavailable(std::string detail) {
  return domain::Error{domain::Outcome::kUnavailable, std::move(detail)};
}

/// Redis's answer to an FCALL of a function that is not loaded (after FUNCTION FLUSH).
bool IsMissingFunction(const redisReply* reply) {
  return IsError(reply) && Str(reply).starts_with("ERR Function not found");
}

}  // namespace

domain::Result<Reply> CheckReply(domain::Result<Reply> reply) {
  if (!reply) return reply;
  if (!IsError(reply->get())) return reply;
  std::string_view text = Str(reply->get());
  static constexpr std::array<std::string_view, 8> kTransient{
      "LOADING",    "BUSY",     "OOM",         "READONLY",
      "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "ERR Function not found"};
  for (std::string_view prefix : kTransient) {
    if (text.substr(0, prefix.size()) == prefix) {
      return Unavailable("redis: " + std::string(text));
    }
  }
  return domain::Error{domain::Outcome::kInternal, "redis: " + std::string(text)};
}

Pipeline::Pipeline(RedisOptions options, std::string_view library)
    : options_(std::move(options)), library_(library) {
  Connect();  // first attempt inline, so a reachable Redis is usable right away
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Stop() {
  thread_.request_stop();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  connected_ = false;  // from now on every call is answered Unavailable inline
  std::vector<Pending> rest;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    rest.swap(queue_);
  }
  FailAll(rest, Unavailable("redis client shutting down"));
}

void Pipeline::Send(std::string command, Callback done, bool asking, bool replicated) {
  if (!connected_.load()) {
    // Fail fast while disconnected; the I/O thread keeps trying to reconnect.
    done(Unavailable("redis is unreachable"));
    return;
  }
  {
    std::unique_lock lock(mu_);
    if (stopped_) {
      lock.unlock();
      done(Unavailable("redis client shutting down"));
      return;
    }
    queue_.push_back(Pending{std::move(command), std::move(done), asking,
                             replicated && options_.wait_replicas > 0});
  }
  cv_.notify_one();
}

void Pipeline::FailAll(std::vector<Pending>& batch, const domain::Error& error) {
  for (auto& pending : batch) pending.done(error);
  batch.clear();
}

bool Pipeline::LoadLibrary(Connection& connection) {
  if (library_.empty()) return true;
  auto loaded = connection.Command({"FUNCTION", "LOAD", "REPLACE", std::string(library_)});
  return loaded && !IsError(loaded->get());
}

bool Pipeline::Connect() {
  auto opened = Connection::Open(options_);
  if (!opened || !LoadLibrary(**opened)) return false;
  connection_ = std::move(*opened);
  reload_library_ = false;
  connected_ = true;
  return true;
}

bool Pipeline::Exchange(std::vector<Pending>& batch) {
  static const std::string kAsking = FormatCommand({"ASKING"});
  bool wait = false;
  for (const auto& pending : batch) {
    if (pending.asking) connection_->Append(kAsking);
    connection_->Append(pending.command);
    wait = wait || pending.replicated;
  }
  if (wait) {
    // One WAIT covers every write of the batch (it waits for this connection's offset).
    // Half the command timeout; never 0, which would make WAIT wait forever.
    const auto timeout = std::max<long long>(1, options_.command_timeout.count() / 2);
    connection_->Append(
        FormatCommand({"WAIT", std::to_string(options_.wait_replicas), std::to_string(timeout)}));
  }
  std::size_t answered = 0;
  std::vector<std::pair<std::size_t, Reply>> held;  // replies waiting for the WAIT
  bool intact = static_cast<bool>(connection_->Flush());
  for (; intact && answered < batch.size(); ++answered) {
    if (batch[answered].asking && !connection_->ReadReply()) break;  // +OK of ASKING
    auto reply = connection_->ReadReply();
    if (!reply) break;
    if (IsMissingFunction(reply->get())) reload_library_ = true;
    if (batch[answered].replicated && !IsError(reply->get())) {
      // An error reply (a redirection, a script error) wrote nothing: it goes on at once.
      held.emplace_back(answered, std::move(*reply));
    } else {
      batch[answered].done(std::move(reply));
    }
  }
  intact = intact && answered == batch.size();
  if (intact && wait) {
    // Redis checks a WAIT's timeout on its event-loop tick (10 per second by default), so
    // the answer can come up to 100 ms after it: the read gets that much more time.
    connection_->SetTimeout(options_.command_timeout + std::chrono::milliseconds(150));
    auto acked = connection_->ReadReply();
    connection_->SetTimeout(options_.command_timeout);
    intact = acked.ok();
    if (intact) {
      const bool replicated = !IsError(acked->get()) && Int(acked->get()) >= options_.wait_replicas;
      for (auto& [index, reply] : held) {
        if (replicated) {
          batch[index].done(std::move(reply));
        } else {
          batch[index].done(Unavailable(std::string(kNotReplicatedDetail)));
        }
      }
      held.clear();
    }
  }
  if (intact) return true;
  // The connection died mid-batch: the rest may or may not have run. Unavailable with an
  // unknown outcome is the honest answer; purchases are idempotent, so a client retry with
  // the same request id replays the stored result.
  for (auto& [index, reply] : held) {
    batch[index].done(Unavailable(std::string(domain::kOutcomeUnknownDetail)));
  }
  for (std::size_t i = answered; i < batch.size(); ++i) {
    batch[i].done(Unavailable(std::string(domain::kOutcomeUnknownDetail)));
  }
  return false;
}

void Pipeline::Run(std::stop_token stop) {
  auto backoff = options_.reconnect_initial;
  std::vector<Pending> batch;
  while (!stop.stop_requested()) {
    if (connection_ && reload_library_ && LoadLibrary(*connection_)) reload_library_ = false;
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
    if (!Exchange(batch)) {
      connected_ = false;
      connection_.reset();
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
