// Stop requests from signals. SIGUSR1 (a batch system's wall-time warning) drains: no new
// tasks, running ones finish. SIGTERM, SIGINT or a second SIGUSR1 stop now: running tasks are
// abandoned and computed again on resume. Either way the file stays consistent, exit code 3.
#pragma once

namespace ntksweep::cli {

void install_stop_handlers();
bool drain_requested() noexcept;
bool stop_now_requested() noexcept;
/// The signal that asked to stop, or 0.
int stop_signal() noexcept;

}  // namespace ntksweep::cli
