// Progress lines; see progress.hpp.
#include "progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace ntksweep::cli {
namespace {

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace

Progress::Progress(std::int64_t n_tasks, double total_cost, bool enabled)
    : n_tasks_(n_tasks),
      total_cost_(total_cost),
      enabled_(enabled),
      live_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void Progress::task_done(double cost, bool diverged) {
  ++n_done_;
  n_diverged_ += diverged;
  done_cost_ += cost;
}

std::string Progress::line() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total_cost_ > 0 ? done_cost_ / total_cost_ : 1.0;
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : NAN;
  char buf[200];
  std::snprintf(buf, sizeof buf, "ntksweep: %lld/%lld tasks (%.0f%% of the work)%s, elapsed %s, ETA %s",
                static_cast<long long>(n_done_), static_cast<long long>(n_tasks_), 100 * fraction,
                n_diverged_ ? (", " + std::to_string(n_diverged_) + " diverged").c_str() : "",
                clock_text(elapsed).c_str(), n_done_ == n_tasks_ ? "0:00" : clock_text(eta).c_str());
  return buf;
}

void Progress::tick() {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  const int tenth = total_cost_ > 0 ? static_cast<int>(10 * done_cost_ / total_cost_) : 10;
  if (live_) {
    if (since < 0.2) return;
    std::fprintf(stderr, "\r%s\033[K", line().c_str());
  } else {
    if (since < 30 && tenth == last_tenth_) return;
    std::fprintf(stderr, "%s\n", line().c_str());
  }
  std::fflush(stderr);
  last_print_ = now;
  last_tenth_ = tenth;
}

void Progress::finish(const std::string& how) {
  if (!enabled_) {  // the outcome (and how to resume) is printed even without progress lines
    std::fprintf(stderr, "%s\n", how.c_str());
    return;
  }
  std::fprintf(stderr, live_ ? "\r%s\033[K\n%s\n" : "%s\n%s\n", line().c_str(), how.c_str());
  std::fflush(stderr);
}

}  // namespace ntksweep::cli
