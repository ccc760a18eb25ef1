// The two-layer network in NTK parameterization with symmetric initialization:
//
//   g_Θ(x) = M^(−1/2) Σ_{j=1..M} a_j σ(b_jᵀx + γ c_j),   Θ = (a, B, c)
//
// For j ≤ M/2: b_j uniform on S^(d−1) (or Gaussian N(0, I/d)), a_j = +R; for j > M/2:
// b_j = b_{j−M/2}, a_j = −R; all c_j = 0. Hence g_{Θ₀} ≡ 0 exactly (the two halves cancel
// term by term, in any summation order, because they are summed pairwise).
//
// Parameters live in one contiguous vector laid out for the SGD pass over units:
//   [ a_1..a_M | B_{1,1}..B_{1,M} | ... | B_{d,1}..B_{d,M} | c_1..c_M ]
// i.e. the input weights are stored by coordinate (row k of B holds coordinate k of every b_j).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ntksweep/model/activation.hpp"

namespace ntksweep::model {

/// Which layers SGD trains.
enum class TrainedLayers { All, Output, Input };
/// How the input weights b_j are drawn.
enum class InitDistribution { Sphere, Gaussian };

const char* to_string(TrainedLayers layers) noexcept;
const char* to_string(InitDistribution init) noexcept;

/// Everything that fixes the architecture. Validated by the caller (sweep config).
struct NetworkSpec {
  int dim = 2;                 ///< d ≥ 2: inputs live on S^(d−1) ⊂ R^d
  int width = 1024;            ///< M, even, ≥ 2
  double output_scale = 1.0;   ///< R: |a_j| at initialization
  double bias_scale = 1.0;     ///< γ: bias enters as γ c_j; 0 = no bias
  Activation activation{};     ///< σ
  TrainedLayers train = TrainedLayers::All;
  InitDistribution init = InitDistribution::Sphere;
};

class TwoLayerNet {
 public:
  /// Symmetric initialization from the init stream `init_key` (DESIGN §1): unit j < M/2 draws
  /// b_j from counter index j of the stream, unit j + M/2 copies it.
  static TwoLayerNet symmetric_init(const NetworkSpec& spec, std::uint64_t init_key);

  const NetworkSpec& spec() const noexcept { return spec_; }
  int width() const noexcept { return spec_.width; }
  int dim() const noexcept { return spec_.dim; }
  std::size_t n_params() const noexcept { return theta_.size(); }

  /// g_Θ(x), x of length d. Units are summed in pairs (j, j + M/2) so g_{Θ₀}(x) is exactly 0.
  double operator()(const double* x) const noexcept;

  /// ∇_Θ g_Θ(x) in the parameter layout above; writes n_params() values.
  ///   ∂g/∂a_j = M^(−1/2) σ(z_j),  ∂g/∂b_j = M^(−1/2) a_j σ'(z_j) x,  ∂g/∂c_j = M^(−1/2) a_j σ'(z_j) γ
  /// (entries of layers that are not trained are still the true partial derivatives).
  void gradient(const double* x, double* out) const noexcept;

  std::span<double> params() noexcept { return theta_; }
  std::span<const double> params() const noexcept { return theta_; }
  double* a() noexcept { return theta_.data(); }
  const double* a() const noexcept { return theta_.data(); }
  double* b_row(int k) noexcept { return theta_.data() + std::size_t(1 + k) * width(); }
  const double* b_row(int k) const noexcept { return theta_.data() + std::size_t(1 + k) * width(); }
  double* c() noexcept { return theta_.data() + std::size_t(1 + dim()) * width(); }
  const double* c() const noexcept { return theta_.data() + std::size_t(1 + dim()) * width(); }

 private:
  TwoLayerNet(const NetworkSpec& spec) : spec_(spec), theta_(std::size_t(spec.dim + 2) * spec.width) {}
  NetworkSpec spec_;
  std::vector<double> theta_;
};

}  // namespace ntksweep::model
