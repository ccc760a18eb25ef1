// Async-signal-safe stop flags; see signals.hpp.
#include "signals.hpp"

#include <atomic>
#include <csignal>

namespace ntksweep::cli {
namespace {

std::atomic<int> g_drain{0};
std::atomic<int> g_now{0};
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) {
  g_signal.store(sig);
  if (sig == SIGUSR1 && g_drain.load() == 0) {
    g_drain.store(1);
  } else {
    g_drain.store(1);
    g_now.store(1);
  }
}

}  // namespace

void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGUSR1, SIGTERM, SIGINT}) sigaction(sig, &sa, nullptr);
}

bool drain_requested() noexcept { return g_drain.load() != 0; }
bool stop_now_requested() noexcept { return g_now.load() != 0; }
int stop_signal() noexcept { return g_signal.load(); }

}  // namespace ntksweep::cli
