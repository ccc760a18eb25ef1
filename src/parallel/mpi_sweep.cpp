// Master/worker exchange over MPI; see mpi_sweep.hpp. Protocol (all messages to or from rank 0):
//   worker → master   Ready (no payload), Result (encoded TaskResult), Cancelled (task id)
//   master → worker   Assign (task id) or Stop, exactly one in reply to each worker message;
//                     Cancel (no payload) at any time, advisory: abandon the running task.
// A worker leaves once it got Stop; the master once every worker got Stop and its own compute
// thread is idle.
#include "ntksweep/parallel/mpi_sweep.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "ntksweep/sweep/task_codec.hpp"

namespace ntksweep::parallel {
namespace {

enum Tag : int { kReady = 1, kResult = 2, kCancelled = 3, kAssign = 4, kStop = 5, kCancel = 6 };

using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI call failed: ") + what);
}

// One compute thread with a one-task mailbox.
class ComputeThread {
 public:
  ComputeThread(const SweepHooks& hooks, int rank) : hooks_(hooks), rank_(rank), thread_([this] { loop(); }) {}
  ~ComputeThread() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    cv_work_.notify_one();
    thread_.join();
  }

  bool idle() {
    std::lock_guard lock(mutex_);
    return !job_ && !done_;
  }
  bool busy() {
    std::lock_guard lock(mutex_);
    return job_.has_value();
  }
  void submit(std::int64_t id) {
    {
      std::lock_guard lock(mutex_);
      cancel_ = false;
      job_ = id;
    }
    cv_work_.notify_one();
  }
  void cancel() { cancel_ = true; }
  std::optional<sweep::TaskResult> take() {
    std::lock_guard lock(mutex_);
    std::optional<sweep::TaskResult> r = std::move(done_);
    done_.reset();
    return r;
  }
  /// Sleeps up to `timeout`, waking early when a result is ready.
  void wait(microseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_done_.wait_for(lock, timeout, [this] { return done_.has_value(); });
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (true) {
      cv_work_.wait(lock, [this] { return quit_ || (job_ && !running_); });
      if (quit_) return;
      const std::int64_t id = *job_;
      running_ = true;
      lock.unlock();
      sweep::TaskResult r;
      const auto start = Clock::now();
      try {
        r = hooks_.run(id, cancel_);
      } catch (const std::exception&) {
        r = sweep::TaskResult{};
        r.id = id;
        r.status = sweep::TaskStatus::Failed;
      }
      r.id = id;
      r.rank = rank_;
      r.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
      lock.lock();
      running_ = false;
      job_.reset();
      done_ = std::move(r);
      cv_done_.notify_all();
    }
  }

  const SweepHooks& hooks_;
  int rank_;
  std::mutex mutex_;
  std::condition_variable cv_work_, cv_done_;
  std::optional<std::int64_t> job_;
  std::optional<sweep::TaskResult> done_;
  bool running_ = false;
  bool quit_ = false;
  std::atomic<bool> cancel_{false};
  std::thread thread_;  // last: starts after every other member exists
};

// Exponential back-off for idle polling: 20 µs doubling to 2 ms, reset on activity.
class Backoff {
 public:
  microseconds next() {
    const microseconds d = delay_;
    delay_ = std::min(delay_ * 2, microseconds(2000));
    return d;
  }
  void reset() { delay_ = microseconds(20); }

 private:
  microseconds delay_{20};
};

void send_id(int tag, std::int64_t id, int dest) {
  check(MPI_Send(&id, 1, MPI_INT64_T, dest, tag, MPI_COMM_WORLD), "MPI_Send");
}

bool stopped_or(const std::function<bool()>& f) { return f && f(); }

SweepEnd run_master(const Environment& env, const std::vector<std::int64_t>& order, const SweepHooks& hooks) {
  const int n_ranks = env.size();
  ComputeThread local(hooks, 0);
  std::size_t next = 0;
  std::size_t finished = 0;
  int workers_stopped = 0;
  bool stopping = false, cancel_sent = false;
  std::vector<char> busy(n_ranks, 0);
  Backoff backoff;
  auto last_tick = Clock::now();

  const auto handing_out = [&] { return !stopping && next < order.size(); };
  const auto accept = [&](sweep::TaskResult&& r) {
    if (r.status == sweep::TaskStatus::Pending) return;  // cancelled: computed again on resume
    ++finished;
    if (hooks.on_result) hooks.on_result(r);
    if (hooks.on_tick) hooks.on_tick();
    last_tick = Clock::now();
  };

  // A finished task's rank gets its next task before the result is written (journal fdatasync,
  // HDF5), so that no rank waits for the disk: the write overlaps the next task's compute.
  while (true) {
    bool active = false;
    std::optional<sweep::TaskResult> local_result = local.take();
    if (local_result) {
      active = true;
      if (handing_out()) local.submit(order[next++]);
    }
    std::optional<sweep::TaskResult> remote_result;
    int flag = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (flag) {
      active = true;
      const int src = status.MPI_SOURCE;
      int count = 0;
      check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
      std::vector<std::byte> buffer(static_cast<std::size_t>(count));
      check(MPI_Recv(buffer.data(), count, MPI_BYTE, src, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
            "MPI_Recv");
      if (status.MPI_TAG == kResult) remote_result = sweep::decode(buffer);
      busy[src] = 0;
      if (handing_out()) {
        send_id(kAssign, order[next++], src);
        busy[src] = 1;
      } else {
        send_id(kStop, -1, src);
        ++workers_stopped;
      }
    }
    if (local_result) accept(std::move(*local_result));
    if (remote_result) accept(std::move(*remote_result));
    if (!stopping && (stopped_or(hooks.stop_new_work) || stopped_or(hooks.cancel_now))) stopping = true;
    if (stopping && !cancel_sent && stopped_or(hooks.cancel_now)) {
      cancel_sent = true;
      local.cancel();
      for (int r = 1; r < n_ranks; ++r)
        if (busy[r]) send_id(kCancel, -1, r);
    }
    if (handing_out() && local.idle()) {
      local.submit(order[next++]);
      active = true;
    }
    if (workers_stopped == n_ranks - 1 && local.idle() && !handing_out()) break;
    if (hooks.on_tick && Clock::now() - last_tick > std::chrono::seconds(1)) {
      hooks.on_tick();
      last_tick = Clock::now();
    }
    if (active) {
      backoff.reset();
    } else {
      local.wait(backoff.next());
    }
  }
  return finished == order.size() ? SweepEnd::Completed : SweepEnd::Stopped;
}

void run_worker(const Environment& env, const SweepHooks& hooks) {
  ComputeThread local(hooks, env.rank());
  Backoff backoff;
  check(MPI_Send(nullptr, 0, MPI_BYTE, 0, kReady, MPI_COMM_WORLD), "MPI_Send");
  while (true) {
    bool active = false;
    if (auto r = local.take()) {
      active = true;
      if (r->status == sweep::TaskStatus::Pending) {
        check(MPI_Send(&r->id, sizeof r->id, MPI_BYTE, 0, kCancelled, MPI_COMM_WORLD), "MPI_Send");
      } else {
        const std::vector<std::byte> bytes = sweep::encode(*r);
        check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kResult, MPI_COMM_WORLD),
              "MPI_Send");
      }
    }
    int flag = 0;
    MPI_Status status;
    check(MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (flag) {
      active = true;
      std::int64_t id = -1;
      check(MPI_Recv(&id, 1, MPI_INT64_T, 0, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
      if (status.MPI_TAG == kAssign) local.submit(id);
      if (status.MPI_TAG == kCancel) local.cancel();
      if (status.MPI_TAG == kStop) break;  // only ever sent while this rank computes nothing
    }
    if (stopped_or(hooks.cancel_now)) local.cancel();
    if (active) {
      backoff.reset();
    } else {
      local.wait(backoff.next());
    }
  }
}

}  // namespace

Environment::Environment(int* argc, char*** argv) {
  int provided = 0;
  check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Environment::~Environment() { MPI_Finalize(); }

std::string Environment::hosts() const {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  MPI_Get_processor_name(name, &len);
  std::vector<char> all(std::size_t(size_) * MPI_MAX_PROCESSOR_NAME);
  check(MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(), MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                      MPI_COMM_WORLD),
        "MPI_Allgather");
  std::string out;
  for (int r = 0; r < size_; ++r) {
    if (r) out += ",";
    out += std::string(all.data() + std::size_t(r) * MPI_MAX_PROCESSOR_NAME);
  }
  return out;
}

std::string Environment::broadcast(const std::string& value) const {
  long long n = static_cast<long long>(value.size());
  check(MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
  std::string out = rank_ == 0 ? value : std::string(static_cast<std::size_t>(n), '\0');
  if (n > 0) check(MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return out;
}

bool Environment::any(bool flag) const {
  int in = flag ? 1 : 0, out = 0;
  check(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD), "MPI_Allreduce");
  return out != 0;
}

SweepEnd run_sweep(const Environment& env, const std::vector<std::int64_t>& order, const SweepHooks& hooks) {
  int completed = 0;
  if (env.rank() == 0) {
    completed = run_master(env, order, hooks) == SweepEnd::Completed ? 1 : 0;
  } else {
    run_worker(env, hooks);
  }
  check(MPI_Bcast(&completed, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return completed ? SweepEnd::Completed : SweepEnd::Stopped;
}

}  // namespace ntksweep::parallel
