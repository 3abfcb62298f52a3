#include "redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace flashsale::testing {
namespace {

/// A plain loopback socket that sends PING and says whether PONG came back in time: the one
/// way to see from outside that Redis is inside a script or DEBUG SLEEP (it reads no socket
/// until that ends).
class Prober {
 public:
  explicit Prober(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Prober() {
    if (fd_ >= 0) ::close(fd_);
  }
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  bool connected() const { return connected_; }

  /// True when a PING got no answer within `wait`.
  bool Stalls(std::chrono::milliseconds wait) {
    static constexpr char kPing[] = "PING\r\n";
    if (::write(fd_, kPing, sizeof kPing - 1) != static_cast<ssize_t>(sizeof kPing - 1)) {
      return false;
    }
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(wait.count())) == 0) return true;
    char pong[16];
    return ::read(fd_, pong, sizeof pong) <= 0;
  }

 private:
  int fd_;
  bool connected_ = false;
};

}  // namespace

std::vector<std::string> RedisServerArgv(int port, const std::filesystem::path& dir,
                                         const std::string& appendfsync) {
  return {"redis-server",
          "--port",
          std::to_string(port),
          "--bind",
          "127.0.0.1",
          "--dir",
          dir.string(),
          "--save",
          "",
          "--appendonly",
          "yes",
          "--appendfsync",
          appendfsync,
          "--daemonize",
          "no",
          "--protected-mode",
          "yes",
          "--loglevel",
          "warning",
          "--enable-debug-command",
          "local"};
}

RedisServer::RedisServer(std::string appendfsync)
    : appendfsync_(std::move(appendfsync)), port_(FreePort()) {
  Start();
}

RedisServer::~RedisServer() { process_.Kill(); }

void RedisServer::Start() {
  process_.Start(RedisServerArgv(port_, dir_.path(), appendfsync_), dir_.path() / "redis.log");
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

bool RedisServer::StartBusy(const std::string& args, std::thread& busy) const {
  Prober prober(port_);
  if (!prober.connected()) return false;
  busy = std::thread([this, args] { Cli(args); });
  return WaitFor([&] { return prober.Stalls(std::chrono::milliseconds(100)); },
                 std::chrono::seconds(10));
}

bool WritesReachReplicas(int port, const std::string& key, int replicas) {
  const std::string out = CaptureOutput(
      "printf 'SET " + key + " 1\nWAIT " + std::to_string(replicas) + " 1000\nDEL " + key +
      "\n' | redis-cli -h 127.0.0.1 -p " + std::to_string(port) + " 2>/dev/null");
  // Replies: OK, the replicas that acknowledged, 1.
  return out.find("OK\n" + std::to_string(replicas) + "\n") != std::string::npos;
}

}  // namespace flashsale::testing
