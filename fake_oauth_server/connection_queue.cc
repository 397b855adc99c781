#include "fake_oauth_server/connection_queue.h"

#include "base/assert.h"

namespace credsim::oauth {
namespace {

thread_local std::optional<uint64_t> t_connection_stamp;  // set while a worker runs a connection

}  // namespace

StampedConnectionQueue::StampedConnectionQueue(size_t workers, size_t max_queued,
                                               const std::atomic<uint64_t>* commit_seq)
    : max_queued_(max_queued), commit_seq_(commit_seq) {
  CREDSIM_ASSERT(workers > 0 && max_queued > 0 && commit_seq != nullptr);
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

StampedConnectionQueue::~StampedConnectionQueue() {
  CREDSIM_ASSERT(threads_.empty(), "shutdown() must run first");
}

void StampedConnectionQueue::enqueue(std::function<void()> fn) {
  const uint64_t stamp = commit_seq_->load();  // before any wait for room in the queue
  std::unique_lock<std::mutex> lock(mu_);
  not_full_.wait(lock, [&] { return jobs_.size() < max_queued_ || shutdown_; });
  jobs_.push_back([fn = std::move(fn), stamp] {
    t_connection_stamp = stamp;
    fn();
    t_connection_stamp.reset();
  });
  CREDSIM_ASSERT(jobs_.size() <= max_queued_ + 1, "the queue is bounded");
  not_empty_.notify_one();
}

void StampedConnectionQueue::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void StampedConnectionQueue::Work() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      not_empty_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
      if (jobs_.empty()) return;  // shut down and drained: queued connections still get served
      fn = std::move(jobs_.front());
      jobs_.pop_front();
      not_full_.notify_one();
    }
    fn();
  }
}

std::optional<uint64_t> TakeConnectionStamp() {
  const std::optional<uint64_t> stamp = t_connection_stamp;
  t_connection_stamp.reset();
  return stamp;
}

}  // namespace credsim::oauth
