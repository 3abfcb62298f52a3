#include "redis_server.hpp"

#include <cstdio>
#include <stdexcept>

namespace flashsale::testing {

RedisServer::RedisServer(std::string appendfsync)
    : appendfsync_(std::move(appendfsync)), port_(FreePort()) {
  Start();
}

RedisServer::~RedisServer() { process_.Kill(); }

void RedisServer::Start() {
  process_.Start({"redis-server",
                  "--port",
                  std::to_string(port_),
                  "--bind",
                  "127.0.0.1",
                  "--dir",
                  dir_.path().string(),
                  "--save",
                  "",
                  "--appendonly",
                  "yes",
                  "--appendfsync",
                  appendfsync_,
                  "--daemonize",
                  "no",
                  "--protected-mode",
                  "yes",
                  "--loglevel",
                  "warning",
                  "--enable-debug-command",
                  "local"},
                 dir_.path() / "redis.log");
  bool ready = WaitFor([&] { return Cli("PING") == "PONG"; }, std::chrono::seconds(10));
  if (!ready) {
    std::string log;
    if (FILE* f = std::fopen((dir_.path() / "redis.log").c_str(), "r")) {
      char buffer[4096];
      std::size_t n = std::fread(buffer, 1, sizeof(buffer), f);
      log.assign(buffer, n);
      std::fclose(f);
    }
    throw std::runtime_error("redis-server did not become ready on port " + std::to_string(port_) +
                             ":\n" + log);
  }
}

void RedisServer::Stop() { process_.Stop(); }
void RedisServer::Kill() { process_.Kill(); }

redis::RedisOptions RedisServer::Options() const {
  redis::RedisOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  return options;
}

std::string RedisServer::Cli(const std::string& args) const {
  return CaptureOutput("redis-cli -h 127.0.0.1 -p " + std::to_string(port_) + " " + args +
                       " 2>/dev/null");
}

}  // namespace flashsale::testing
