// The configuration of a study: plain aggregates with documented defaults and units, one per
// INI section of DESIGN §7. Axes that may be lists are vectors. The CLI fills this from the
// INI file and the command line (cli/config_file.cpp); validate() checks every value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ntksweep/model/activation.hpp"
#include "ntksweep/model/data.hpp"
#include "ntksweep/model/network.hpp"
#include "ntksweep/model/sgd.hpp"

namespace ntksweep::sweep {

/// What each task trains: the network, the infinite-width NTK reference, or both.
enum class ModelKind { Network, Kernel, Both };
const char* to_string(ModelKind kind) noexcept;

struct ProblemConfig {
  int dim = 2;                          ///< d ≥ 2: inputs uniform on S^(d−1)
  std::vector<double> source = {0.5};   ///< r > 0: source exponent of the target (axis)
  int kmax = 512;                       ///< highest harmonic degree of the target (≥ 1)
  model::NoiseKind noise = model::NoiseKind::Uniform;
  double noise_level = 0.2;             ///< σ_ξ ≥ 0: half-width (uniform) or std. dev. (gaussian)
};

struct NetworkConfig {
  std::vector<model::ActivationKind> activation = {model::ActivationKind::Swish};  ///< axis
  double swish_s = 10.0;       ///< s of swish (> 0)
  double output_scale = 1.0;   ///< R > 0
  double bias_scale = 1.0;     ///< γ ≥ 0; 0 = no bias
  model::TrainedLayers train = model::TrainedLayers::All;
  ModelKind model = ModelKind::Network;
  model::InitDistribution init = model::InitDistribution::Sphere;
};

struct SgdAxes {
  std::vector<double> eta = {0.5};                   ///< η₁ > 0 (axis)
  std::vector<std::optional<double>> theta = {0.5};  ///< θ ∈ [0,1); nullopt = auto = 2r/(2r+1) (axis)
  std::vector<double> lambda = {0.0};                ///< c ≥ 0 in λ = c T^(−p) (axis)
  std::optional<double> lambda_power = 0.0;          ///< p ≥ 0; nullopt = auto = 1/(2r+1)
  model::IterateKind iterate = model::IterateKind::Last;
  double divergence_threshold = 1e6;                 ///< |g − y| above this = diverged
};

struct GridConfig {
  std::vector<long long> width = {256, 1024, 4096};  ///< M, even, ≥ 2 (axis)
  std::vector<long long> samples = {1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16};  ///< T ≥ 1 (axis)
  int replicates = 8;                 ///< independent repetitions of every grid point (≥ 1)
  std::uint64_t seed = 1;             ///< master seed of every random stream
  long long max_tasks = 1'000'000;    ///< refuse grids with more tasks than this
};

struct EvalConfig {
  int checkpoints = 8;     ///< error evaluations per decade of t (≥ 1)
  int quadrature = 0;      ///< points of the error quadrature / shared test set (≥ 16); 0 = auto
};

struct OutputConfig {
  std::string file = "sweep.h5";
};

struct StudyConfig;

/// The quadrature size used for tasks of `activation`: eval.quadrature when set, else (auto)
/// swish on the circle max(2 kmax + 2, 40 s) rounded up to a multiple of 64 — the network is
/// analytic there, so the equispaced rule is exact to rounding once it resolves the target's
/// square (degree 2 kmax) and the logistic's strip of analyticity (width ~π/(s|b|)) — and 4096
/// otherwise (ReLU's kinks converge only algebraically; d ≥ 3 keeps DESIGN's default). Under
/// auto the swish error on the circle is moreover the exact integral (model::ErrorIntegral::Exact,
/// see make_problem), so there these points serve the activation-pattern diagnostic only.
int quadrature_points(const StudyConfig& config, model::ActivationKind activation) noexcept;

struct StudyConfig {
  ProblemConfig problem;
  NetworkConfig network;
  SgdAxes sgd;
  GridConfig grid;
  EvalConfig eval;
  OutputConfig output;
  /// The configuration as run, as INI text with every key (written into the result file).
  std::string text;
};

/// Checks every value against what is allowed; throws InputError naming the option.
void validate(const StudyConfig& config);

}  // namespace ntksweep::sweep
