// Validation of a study configuration: every value against what is allowed, before any work.
#include "ntksweep/sweep/study_config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "ntksweep/core/error.hpp"

namespace ntksweep::sweep {
namespace {

// The shortest text that reads back as v: a value written as -0.1 is echoed as -0.1.
std::string text(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

void require(bool ok, const char* option, const std::string& value, const char* allowed) {
  if (!ok) throw InputError::bad_value(option, value, allowed);
}

}  // namespace

const char* to_string(ModelKind kind) noexcept {
  switch (kind) {
    case ModelKind::Network: return "network";
    case ModelKind::Kernel: return "kernel";
    case ModelKind::Both: return "both";
  }
  return "?";
}

void validate(const StudyConfig& c) {
  require(c.problem.dim >= 2 && c.problem.dim <= 1000, "problem.dim", std::to_string(c.problem.dim),
          "allowed: an integer d with 2 <= d <= 1000");
  for (double r : c.problem.source)
    require(r > 0 && r <= 10, "problem.source", text(r), "allowed: 0 < r <= 10");
  require(c.problem.kmax >= 1 && c.problem.kmax <= 100000, "problem.kmax", std::to_string(c.problem.kmax),
          "allowed: an integer with 1 <= kmax <= 100000");
  require(c.problem.noise_level >= 0 && c.problem.noise_level < 1, "problem.noise-level",
          text(c.problem.noise_level), "allowed: 0 <= noise-level < 1 (labels must stay within [-1, 1])");
  require(c.network.swish_s > 0 && c.network.swish_s <= 1e6, "network.swish-s", text(c.network.swish_s),
          "allowed: 0 < s <= 1e6");
  require(c.network.output_scale > 0 && c.network.output_scale <= 1e6, "network.output-scale",
          text(c.network.output_scale), "allowed: 0 < R <= 1e6");
  require(c.network.bias_scale >= 0 && c.network.bias_scale <= 1e6, "network.bias-scale",
          text(c.network.bias_scale), "allowed: 0 <= gamma <= 1e6");
  for (double eta : c.sgd.eta) require(eta > 0, "sgd.eta", text(eta), "allowed: eta > 0");
  for (const auto& theta : c.sgd.theta)
    if (theta) require(*theta >= 0 && *theta < 1, "sgd.theta", text(*theta), "allowed: 0 <= theta < 1, or auto");
  for (double lambda : c.sgd.lambda) require(lambda >= 0, "sgd.lambda", text(lambda), "allowed: lambda >= 0");
  if (c.sgd.lambda_power)
    require(*c.sgd.lambda_power >= 0 && *c.sgd.lambda_power <= 10, "sgd.lambda-power",
            text(*c.sgd.lambda_power), "allowed: 0 <= p <= 10, or auto");
  require(c.sgd.divergence_threshold > 0, "sgd.divergence-threshold", text(c.sgd.divergence_threshold),
          "allowed: a threshold > 0");
  for (long long m : c.grid.width)
    require(m >= 2 && m % 2 == 0 && m <= (1LL << 28), "grid.width", std::to_string(m),
            "allowed: even widths M with 2 <= M <= 2^28");
  for (long long t : c.grid.samples)
    require(t >= 1 && t <= (1LL << 40), "grid.samples", std::to_string(t), "allowed: 1 <= T <= 2^40");
  require(c.grid.replicates >= 1 && c.grid.replicates <= 1000000, "grid.replicates",
          std::to_string(c.grid.replicates), "allowed: 1 <= replicates <= 1000000");
  require(c.grid.max_tasks >= 1, "grid.max-tasks", std::to_string(c.grid.max_tasks), "allowed: >= 1");
  require(c.eval.checkpoints >= 1 && c.eval.checkpoints <= 1000, "eval.checkpoints",
          std::to_string(c.eval.checkpoints), "allowed: 1 <= checkpoints per decade <= 1000");
  require(c.eval.quadrature == 0 || (c.eval.quadrature >= 16 && c.eval.quadrature <= 10'000'000),
          "eval.quadrature", std::to_string(c.eval.quadrature), "allowed: auto, or 16 <= points <= 10000000");
  require(!c.output.file.empty(), "output.file", c.output.file, "allowed: a file name");
}

int quadrature_points(const StudyConfig& config, model::ActivationKind activation) noexcept {
  if (config.eval.quadrature > 0) return config.eval.quadrature;
  constexpr int kDefault = 4096;
  if (config.problem.dim != 2 || activation != model::ActivationKind::Swish) return kDefault;
  // On the circle the swish network is analytic in a strip |Im φ| < δ with δ ≈ π/(s|b_j|) for
  // large s (the logistic's poles at s·z = ±iπ), so the trapezoid rule's error falls like
  // e^(−δN); 40 s points give e^(−40π/|b|) < 1e-20 for |b| ≤ 6. The target's square has degree
  // 2 kmax, which N > 2 kmax integrates exactly (tests/sweep/quadrature_auto_test.cpp).
  const double needed = std::max(2.0 * config.problem.kmax + 2.0, std::ceil(40.0 * config.network.swish_s));
  const double rounded = std::ceil(needed / 64.0) * 64.0;
  return static_cast<int>(std::min(rounded, 10'000'000.0));
}

}  // namespace ntksweep::sweep
