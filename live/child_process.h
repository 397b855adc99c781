// A consumer process of a live run: started with /bin/sh -c in its own process group, stdout and
// stderr captured to files, waited for with a deadline, killed as a group (SIGKILL) when the
// deadline passes or a nemesis says so. Bounded: every wait has a limit; the destructor kills
// and reaps whatever is still running, so nothing outlives the run.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>

namespace credsim::live {

struct ChildResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that ended it, or 0
  bool timed_out = false;
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `/bin/sh -c command` with `env` added to this process's environment, stdin from
  // /dev/null, stdout and stderr to the given files (created 0600). False + why on failure.
  bool Start(const std::string& command, const std::map<std::string, std::string>& env,
             const std::string& stdout_path, const std::string& stderr_path, std::string* why);
  // Waits until it exits or `limit` passes (then kills the group and reaps it).
  ChildResult Wait(std::chrono::milliseconds limit);
  // SIGKILL to the whole group (the shell and what it started). Safe from another thread while
  // Wait() runs; a no-op once reaped.
  void Kill();
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !reaped_; }

 private:
  pid_t pid_ = -1;
  std::atomic<bool> reaped_{false};
};

}  // namespace credsim::live
