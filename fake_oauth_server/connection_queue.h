// The HTTP front's worker pool: cpp-httplib hands every accepted connection to a TaskQueue; this
// one runs them on a fixed number of workers with a bounded queue, and stamps each connection with
// the authority's commit sequence at the moment it was accepted.
//
// Why the stamp (TokenRequest::seen_commit_seq: when a request was sent, in commits): a connection
// waits in the queue until a worker is free, and its first request is read only then. Sampled at
// that point, 56 of 64 racing refreshes would look sent *after* the winner's rotation and count as
// sequential reuse. So the connection is stamped as it is queued, and its first request takes that
// stamp (TakeConnectionStamp); later requests on a keep-alive connection are read by a worker
// already waiting on it, so they are stamped when read. A stamp errs early rather than late: the
// connection may idle before its first request (its wait in the queue plus the keep-alive timeout),
// and a commit meanwhile makes a sequential reuse look like a race loser; late only by the time the
// kernel holds a connection before accept().
//
// When the queue is full, the accept loop blocks (back-pressure into the kernel's listen backlog)
// instead of the queue growing without limit.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace credsim::oauth {

class StampedConnectionQueue : public httplib::TaskQueue {
 public:
  StampedConnectionQueue(size_t workers, size_t max_queued,
                         const std::atomic<uint64_t>* commit_seq);
  ~StampedConnectionQueue() override;

  // Called by the accept loop with the job that serves one accepted connection.
  void enqueue(std::function<void()> fn) override;
  // Stops taking connections, serves those already queued, joins the workers.
  void shutdown() override;

 private:
  void Work();

  const size_t max_queued_;
  const std::atomic<uint64_t>* commit_seq_;
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  bool shutdown_ = false;
};

// On a worker thread: the stamp of the connection it serves, once (the first request takes it);
// nullopt afterwards, or off a worker.
std::optional<uint64_t> TakeConnectionStamp();

}  // namespace credsim::oauth
