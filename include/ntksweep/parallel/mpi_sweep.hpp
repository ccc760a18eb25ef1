// The master/worker exchange of a sweep: the only module that talks MPI (mpi.h stays inside
// src/parallel). Every rank runs one compute thread; the main thread of every rank only moves
// messages, and on rank 0 it is also the master: it hands out task ids in the given order to
// whichever rank is free (rank 0's own compute thread included) and passes each finished result
// to `on_result` at once. Waiting never spins a core: idle loops sleep with an exponential
// back-off (20 µs … 2 ms) and wake at once for results of the local compute thread.
//
// Stopping: `stop_new_work()` true → no new tasks are handed out, running ones finish (drain);
// `cancel_now()` true → running tasks are abandoned (they return cancelled results, which are
// not passed to on_result) and every rank leaves the loop within about a millisecond plus the
// time to the task's next cancellation check.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ntksweep/sweep/task.hpp"

namespace ntksweep::parallel {

/// MPI_Init_thread / MPI_Finalize as RAII (FUNNELED: only main threads call MPI).
class Environment {
 public:
  Environment(int* argc, char*** argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  /// Host names of all ranks, "host0,host1,..." in rank order (collective; every rank gets it).
  std::string hosts() const;
  /// Rank 0's `value` on every rank (collective). Used to agree on checks only rank 0 can make.
  std::string broadcast(const std::string& value) const;
  /// Logical OR of `flag` over all ranks (collective).
  bool any(bool flag) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

struct SweepHooks {
  /// Runs task `id` on this rank; polls `cancel` and returns a result with status Pending if
  /// it gave up. Called on the compute thread of every rank.
  std::function<sweep::TaskResult(std::int64_t id, const std::atomic<bool>& cancel)> run;
  /// Rank 0, main thread: a finished result (Done, Diverged or Failed), in arrival order.
  std::function<void(const sweep::TaskResult&)> on_result;
  /// Rank 0, main thread: called about once a second and after every result.
  std::function<void()> on_tick;
  /// Polled on every rank's main thread.
  std::function<bool()> stop_new_work;
  std::function<bool()> cancel_now;
};

enum class SweepEnd { Completed, Stopped };

/// Runs `order` (task ids, meaningful on rank 0; ignored elsewhere) over all ranks.
/// Collective. Returns Completed on every rank when every task finished, Stopped otherwise.
SweepEnd run_sweep(const Environment& env, const std::vector<std::int64_t>& order, const SweepHooks& hooks);

}  // namespace ntksweep::parallel
