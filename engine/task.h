// Task<T>: the one coroutine type of credsim.
//
// Why coroutines: the engine's multi-step logic (lock, re-read, refresh, write back, unlock) is
// written once and runs unchanged on two kinds of I/O. With real I/O every awaited call completes
// before it returns, so a Task runs straight through (RunToCompletion). In the simulator an awaited
// call suspends, and the scheduler resumes it at a virtual time of its choosing, interleaving other
// actors at every I/O point. The simulator therefore runs the code that ships, not a model of it.
//
// Semantics: lazy (nothing runs until awaited or started), single-owner, move-only; `co_await task`
// starts it and resumes the awaiter when it finishes (symmetric transfer, so chains of any depth
// use constant stack). credsim does not use exceptions: an exception escaping a Task terminates.
#pragma once

#include <coroutine>
#include <cstdlib>
#include <exception>
#include <new>
#include <optional>
#include <utility>

#include "base/assert.h"

namespace credsim {

template <class T>
class Task;

namespace task_detail {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kRecycleFrames = false;  // let ASan see every frame's use after free
#else
inline constexpr bool kRecycleFrames = true;
#endif

// Coroutine frames are allocated and freed at every awaited call: a demand in the simulator makes
// about six. Freed frames are kept per thread in size classes of 64 bytes (up to 2 KiB, at most 64
// frames a class, so at most ~2 MiB a thread) and handed out again, which takes the allocator off
// the hottest path of a simulated world. Larger frames and overflow go to the global heap.
class FrameRecycler {
 public:
  static constexpr size_t kClassBytes = 64;
  static constexpr size_t kClasses = 32;
  static constexpr size_t kMaxPerClass = 64;

  static void* Allocate(size_t bytes) {
    const size_t c = ClassOf(bytes);
    if (kRecycleFrames && c < kClasses) {
      FrameRecycler& r = Local();
      if (r.count_[c] > 0) {
        Node* n = r.free_[c];
        r.free_[c] = n->next;
        --r.count_[c];
        return n;
      }
      return ::operator new((c + 1) * kClassBytes);
    }
    return ::operator new(bytes);
  }
  static void Free(void* p, size_t bytes) noexcept {
    const size_t c = ClassOf(bytes);
    if (kRecycleFrames && c < kClasses) {
      FrameRecycler& r = Local();
      if (r.count_[c] < kMaxPerClass) {
        r.free_[c] = new (p) Node{r.free_[c]};
        ++r.count_[c];
        return;
      }
      ::operator delete(p, (c + 1) * kClassBytes);
      return;
    }
    ::operator delete(p, bytes);
  }

  ~FrameRecycler() {
    for (size_t c = 0; c < kClasses; ++c) {
      while (Node* n = free_[c]) {
        free_[c] = n->next;
        ::operator delete(n, (c + 1) * kClassBytes);
      }
    }
  }

 private:
  struct Node {
    Node* next;
  };
  static size_t ClassOf(size_t bytes) { return bytes == 0 ? 0 : (bytes - 1) / kClassBytes; }
  static FrameRecycler& Local() {
    thread_local FrameRecycler recycler;
    return recycler;
  }
  Node* free_[kClasses] = {};
  size_t count_[kClasses] = {};
};

struct PromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();

  static void* operator new(size_t bytes) { return FrameRecycler::Allocate(bytes); }
  static void operator delete(void* p, size_t bytes) noexcept { FrameRecycler::Free(p, bytes); }

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      return h.promise().continuation;
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { std::terminate(); }
};

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T Take() {
    CREDSIM_ASSERT(value.has_value());
    return std::move(*value);
  }
};

template <>
struct Promise<void> : PromiseBase {
  bool returned = false;
  Task<void> get_return_object() noexcept;
  void return_void() noexcept { returned = true; }
  void Take() { CREDSIM_ASSERT(returned); }
};

}  // namespace task_detail

template <class T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = task_detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) noexcept : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      Destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { Destroy(); }

  bool valid() const { return static_cast<bool>(handle_); }
  bool done() const { return handle_ && handle_.done(); }

  // Awaiting a task starts it; the awaiter resumes when it finishes.
  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle h;
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
        h.promise().continuation = awaiter;
        return h;
      }
      T await_resume() { return h.promise().Take(); }
    };
    CREDSIM_ASSERT(handle_ && !handle_.done());
    return Awaiter{handle_};
  }

  // For drivers (the simulator's scheduler, RunToCompletion): start without an awaiter.
  void Start() {
    CREDSIM_ASSERT(handle_ && !handle_.done());
    handle_.resume();
  }
  // The result of a finished task. Precondition: done().
  T TakeResult() {
    CREDSIM_ASSERT(done());
    return handle_.promise().Take();
  }

 private:
  void Destroy() {
    if (handle_) handle_.destroy();
    handle_ = {};
  }
  Handle handle_;
};

namespace task_detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace task_detail

// Runs a task whose every await completes synchronously (real I/O). A task that suspends on
// something that never resumes it would be a programming error here, so it aborts loudly.
template <class T>
T RunToCompletion(Task<T> task) {
  task.Start();
  if (!task.done()) {
    CREDSIM_ASSERT(false, "RunToCompletion: task suspended; real I/O must complete synchronously");
    std::abort();
  }
  return task.TakeResult();
}

}  // namespace credsim
