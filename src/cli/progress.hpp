// Progress of a sweep on stderr: tasks done / total, elapsed time and ETA (from the cost model,
// so long tasks count for more). On a terminal one live line is rewritten in place; in a batch
// log a plain line is printed every 30 seconds and at every tenth of the work.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ntksweep::cli {

class Progress {
 public:
  Progress(std::int64_t n_tasks, double total_cost, bool enabled);
  /// A task of cost `cost` finished (diverged ones count as done).
  void task_done(double cost, bool diverged);
  /// Prints if due (live line: at most 5 times a second; log: every 30 s or 10%).
  void tick();
  /// Final lines: the progress line and `how` (`how` alone when progress is disabled).
  void finish(const std::string& how);

 private:
  std::string line() const;
  std::int64_t n_tasks_;
  std::int64_t n_done_ = 0;
  std::int64_t n_diverged_ = 0;
  double total_cost_;
  double done_cost_ = 0.0;
  bool enabled_;
  bool live_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  int last_tenth_ = 0;
};

}  // namespace ntksweep::cli
