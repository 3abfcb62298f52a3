#include "app_process.hpp"

#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace flashsale::testing {

AppProcess::AppProcess(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<std::string> argv{binary, "--bind", "127.0.0.1", "--port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  process_.Start(argv, dir_.path() / "app.log");
  static const std::regex kListening(R"re("msg":"listening"[^\n]*"port":(\d+))re");
  bool up = WaitFor(
      [&] {
        std::smatch match;
        std::string log = Log();
        if (std::regex_search(log, match, kListening)) {
          port_ = std::stoi(match[1]);
          return true;
        }
        int status = 0;
        if (process_.WaitExit(std::chrono::milliseconds(0), status)) {
          throw std::runtime_error(binary + " exited at start:\n" + Log());
        }
        return false;
      },
      std::chrono::seconds(30));
  if (!up) throw std::runtime_error(binary + " did not start listening:\n" + Log());
}

AppProcess::~AppProcess() {
  if (process_.running()) process_.Stop(std::chrono::seconds(10));
}

int AppProcess::Terminate(std::chrono::milliseconds timeout) {
  if (!process_.running()) return -1;
  ::kill(process_.pid(), SIGTERM);
  int status = 0;
  if (!process_.WaitExit(timeout, status)) {
    process_.Kill();
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void AppProcess::Kill() { process_.Kill(); }

void AppProcess::SendTerm() {
  if (process_.running()) ::kill(process_.pid(), SIGTERM);
}

std::string AppProcess::Log() const {
  std::ifstream in(dir_.path() / "app.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::pair<bool, std::string> RunStressTest(const std::string& binary, std::vector<std::string> args,
                                           const std::string& redis_url,
                                           const std::string& mysql_url) {
  args.insert(args.begin(), binary);
  for (const std::string& extra : {std::string("--verify"), std::string("--redis-url"), redis_url,
                                   std::string("--mysql-url"), mysql_url, std::string("--json")}) {
    args.push_back(extra);
  }
  TempDir dir("flashsale-stress");
  ChildProcess stress;
  stress.Start(args, dir.path() / "stress.log");
  int status = 0;
  const bool exited = stress.WaitExit(std::chrono::seconds(240), status);
  std::ifstream in(dir.path() / "stress.log");
  std::stringstream text;
  text << in.rdbuf();
  return {exited && WIFEXITED(status) && WEXITSTATUS(status) == 0, text.str()};
}

}  // namespace flashsale::testing
