// Step sizes, regularization and checkpoint times of SGD (DESIGN §1):
//   η_t = η₁ t^(−θ),  t = 1..T;   λ(T) = c · T^(−p);
//   checkpoints: t_i = round(10^(i / per_decade)) for i = 0, 1, ... while t_i ≤ T, plus T.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace ntksweep::model {

/// η_t = η₁ t^(−θ).
struct StepSchedule {
  double eta1 = 0.5;   ///< η₁ (> 0)
  double theta = 0.5;  ///< θ ∈ [0, 1)
  double eta(std::int64_t t) const noexcept {
    return theta == 0.0 ? eta1 : eta1 * std::pow(static_cast<double>(t), -theta);
  }
};

/// λ(T) = c · T^(−p); p = 0 makes λ independent of the horizon.
inline double regularization(double c, double p, std::int64_t horizon) noexcept {
  return p == 0.0 ? c : c * std::pow(static_cast<double>(horizon), -p);
}

/// Sorted distinct checkpoint steps in [1, horizon]: log-spaced with `per_decade` per decade,
/// the horizon itself, and every value of `extra` that lies in [1, horizon].
std::vector<std::int64_t> checkpoint_steps(std::int64_t horizon, int per_decade,
                                           std::span<const std::int64_t> extra = {});

}  // namespace ntksweep::model
