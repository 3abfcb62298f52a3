#include "redis_cluster.hpp"

#include <set>
#include <sstream>
#include <stdexcept>

#include "flashsale/redis/keys.hpp"
#include "redis_server.hpp"

namespace flashsale::testing {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

}  // namespace

RedisCluster::RedisCluster(int masters, int replicas) : replicas_(masters * replicas) {
  const int total = masters * (1 + replicas);
  std::set<int> taken;
  for (int i = 0; i < total; ++i) {
    auto node = std::make_unique<Node>();
    do {
      node->port = FreePort();
      node->bus = FreePort();
    } while (node->port == node->bus || taken.count(node->port) || taken.count(node->bus));
    taken.insert(node->port);
    taken.insert(node->bus);
    node->dir = std::make_unique<TempDir>("flashsale-cluster");
    Launch(*node);
    nodes_.push_back(std::move(node));
  }
  std::string create = "redis-cli --cluster create";
  for (const auto& node : nodes_) create += " 127.0.0.1:" + std::to_string(node->port);
  create += " --cluster-replicas " + std::to_string(replicas) + " --cluster-yes >/dev/null 2>&1";
  CaptureOutput(create);
  if (!WaitHealthy(std::chrono::seconds(30))) {
    throw std::runtime_error("the redis cluster did not become healthy: " + Cli(0, "CLUSTER INFO") +
                             "\n" + Cli(0, "CLUSTER NODES"));
  }
}

RedisCluster::~RedisCluster() {
  for (auto& node : nodes_) node->process.Kill();
}

void RedisCluster::Launch(Node& node) {
  std::vector<std::string> argv = RedisServerArgv(node.port, node.dir->path(), "everysec");
  argv.insert(argv.end(), {"--cluster-enabled", "yes", "--cluster-port", std::to_string(node.bus),
                           "--cluster-config-file", (node.dir->path() / "nodes.conf").string(),
                           "--cluster-node-timeout", "2000", "--cluster-replica-validity-factor",
                           "0", "--repl-diskless-sync-delay", "0"});
  node.process.Start(argv, node.dir->path() / "redis.log");
  const int port = node.port;
  bool ready = WaitFor(
      [&] {
        return CaptureOutput("redis-cli -h 127.0.0.1 -p " + std::to_string(port) +
                             " PING 2>/dev/null") == "PONG";
      },
      std::chrono::seconds(10));
  if (!ready)
    throw std::runtime_error("redis-server did not start on port " + std::to_string(port));
}

redis::RedisOptions RedisCluster::Options() const {
  redis::RedisOptions options;
  options.host = "127.0.0.1";
  options.port = nodes_.front()->port;
  for (std::size_t i = 1; i < nodes_.size(); ++i) {
    options.more_seeds.push_back(redis::RedisNode{"127.0.0.1", nodes_[i]->port});
  }
  return options;
}

int RedisCluster::port(int node) const { return nodes_.at(static_cast<std::size_t>(node))->port; }

std::string RedisCluster::Cli(int node, const std::string& args) const {
  return CaptureOutput("redis-cli -h 127.0.0.1 -p " + std::to_string(port(node)) + " " + args +
                       " 2>/dev/null");
}

void RedisCluster::FlushAll() const {
  for (int node : Masters()) Cli(node, "FLUSHALL");
}

void RedisCluster::Kill(int node) { nodes_.at(static_cast<std::size_t>(node))->process.Kill(); }

void RedisCluster::Start(int node) { Launch(*nodes_.at(static_cast<std::size_t>(node))); }

bool RedisCluster::running(int node) const {
  return nodes_.at(static_cast<std::size_t>(node))->process.running();
}

int RedisCluster::NodeAt(int port) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->port == port) return static_cast<int>(i);
  }
  return -1;
}

int RedisCluster::MasterOf(int slot) const {
  return SlotOwners().at(static_cast<std::size_t>(slot));
}

std::vector<int> RedisCluster::SlotOwners() const {
  std::vector<int> owners(16384, -1);
  for (int n = 0; n < size(); ++n) {
    if (!running(n)) continue;
    for (const auto& line : Lines(Cli(n, "CLUSTER NODES"))) {
      // <id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot> <slot>...
      std::istringstream in(line);
      std::string id, address, flags, master, ping, pong, epoch, link;
      in >> id >> address >> flags >> master >> ping >> pong >> epoch >> link;
      if (flags.find("master") == std::string::npos || flags.find("fail") != std::string::npos) {
        continue;
      }
      const auto colon = address.find(':');
      const auto at = address.find('@');
      const int node = NodeAt(std::stoi(address.substr(colon + 1, at - colon - 1)));
      for (std::string range; in >> range;) {
        if (range.front() == '[') continue;  // a slot being migrated
        const auto dash = range.find('-');
        const int first = std::stoi(range.substr(0, dash));
        const int last = dash == std::string::npos ? first : std::stoi(range.substr(dash + 1));
        for (int s = first; s <= last; ++s) owners[static_cast<std::size_t>(s)] = node;
      }
    }
    break;  // one running node's view
  }
  return owners;
}

std::vector<int> RedisCluster::Masters() const {
  std::vector<int> out;
  for (int n = 0; n < size(); ++n) {
    if (running(n) && Cli(n, "ROLE").rfind("master", 0) == 0) out.push_back(n);
  }
  return out;
}

bool RedisCluster::WaitHealthy(std::chrono::milliseconds timeout) const {
  // Every replica must be one already, and synced: right after `--cluster create` a node
  // meant to be a replica can still be an empty master, and one killed master's replica
  // that never synced would take over with nothing (offset 0).
  bool all_running = true;
  for (int n = 0; n < size(); ++n) all_running = all_running && running(n);
  return WaitFor(
             [&] {
               int synced = 0;
               for (int n = 0; n < size(); ++n) {
                 if (!running(n)) continue;
                 if (Cli(n, "CLUSTER INFO").find("cluster_state:ok") == std::string::npos)
                   return false;
                 const std::string replication = Cli(n, "INFO replication");
                 if (replication.find("role:slave") == std::string::npos) continue;
                 if (replication.find("master_link_status:up") == std::string::npos ||
                     replication.find("master_sync_in_progress:0") == std::string::npos) {
                   return false;
                 }
                 ++synced;
               }
               return !all_running || synced == replicas_;
             },
             timeout) &&
         (!all_running || replicas_ == 0 || WaitFor([&] { return ReplicationFlows(); }, timeout));
}

bool RedisCluster::ReplicationFlows() const {
  // After a diskless full sync a master streams nothing to its replica until the replica's
  // first REPLCONF ACK (up to a second later): writes made before that die with the master.
  // A write and a WAIT for every replica, on each master, proves the stream flows.
  const std::vector<int> owners = SlotOwners();
  const std::vector<int> masters = Masters();
  const int per_master = replicas_ / static_cast<int>(masters.size());
  for (int master : masters) {
    std::string key;
    for (int n = 0; key.empty(); ++n) {
      const std::string candidate = "flows-" + std::to_string(n);
      if (owners[static_cast<std::size_t>(redis::Keys::Slot(candidate))] == master) {
        key = candidate;
      }
    }
    if (!WritesReachReplicas(port(master), key, per_master)) return false;
  }
  return true;
}

}  // namespace flashsale::testing
