#include "live/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "base/assert.h"

extern char** environ;

namespace credsim::live {

ChildProcess::~ChildProcess() {
  if (running()) {
    Kill();
    Wait(std::chrono::milliseconds(5000));
  }
}

bool ChildProcess::Start(const std::string& command, const std::map<std::string, std::string>& env,
                         const std::string& stdout_path, const std::string& stderr_path,
                         std::string* why) {
  CREDSIM_ASSERT(pid_ < 0, "a ChildProcess starts once");
  std::vector<std::string> entries;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (env.count(name) == 0) entries.push_back(entry);
  }
  for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a kill reaches whatever the shell started; default signal
  // dispositions and an empty mask, whatever this process blocks.
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string shell = "/bin/sh", dash_c = "-c", cmd = command;
  char* argv[] = {shell.data(), dash_c.data(), cmd.data(), nullptr};
  const int rc = posix_spawn(&pid_, "/bin/sh", &actions, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    *why = std::string("cannot start /bin/sh: ") + std::strerror(rc);
    return false;
  }
  return true;
}

ChildResult ChildProcess::Wait(std::chrono::milliseconds limit) {
  CREDSIM_ASSERT(pid_ > 0);
  ChildResult result;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {  // bounded by the deadline, then by the kill below
    // Look without reaping: while the exited shell is a zombie its pid, and so its process group
    // id, cannot be reused, so the group kill below cannot reach a stranger.
    siginfo_t info{};
    const int r = waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && info.si_pid == pid_) break;
    if (r < 0 && errno != EINTR) {
      reaped_ = true;
      return result;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      kill(-pid_, SIGKILL);
      siginfo_t ignored{};
      waitid(P_PID, static_cast<id_t>(pid_), &ignored, WEXITED | WNOWAIT);  // SIGKILL ends it
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(-pid_, SIGKILL);  // whatever the shell left in its group goes with it
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

void ChildProcess::Kill() {
  if (pid_ > 0 && !reaped_) kill(-pid_, SIGKILL);
}

}  // namespace credsim::live
