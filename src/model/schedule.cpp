// Checkpoint times; see schedule.hpp.
#include "ntksweep/model/schedule.hpp"

#include <algorithm>
#include <cmath>

namespace ntksweep::model {

std::vector<std::int64_t> checkpoint_steps(std::int64_t horizon, int per_decade,
                                           std::span<const std::int64_t> extra) {
  std::vector<std::int64_t> steps;
  if (horizon < 1) return steps;
  for (int i = 0;; ++i) {
    const double t = std::floor(std::pow(10.0, static_cast<double>(i) / per_decade) + 0.5);
    if (t > static_cast<double>(horizon)) break;
    steps.push_back(static_cast<std::int64_t>(t));
  }
  steps.push_back(horizon);
  for (std::int64_t t : extra)
    if (t >= 1 && t <= horizon) steps.push_back(t);
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

}  // namespace ntksweep::model
