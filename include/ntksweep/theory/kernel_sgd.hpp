// The infinite-width reference: SGD in the RKHS of the NTK (kernel SGD), on the same samples,
// step sizes and regularizer as the network (DESIGN §1):
//
//   f_{t+1} = (1 − η_t λ) f_t − η_t (f_t(x_t) − y_t) k(x_t, ·),   f_1 = 0,   t = 1..T,
//
// run in the eigenbasis of the kernel truncated at the spectrum's degree K (its last degree with
// μ_K > 0: degrees above it never move),
//   k(x, x') = Σ_{k≤K} μ_k Σ_m Y_km(x) Y_km(x'),
// so that f_t = Σ F_km Y_km and one step is F_km ← (1 − η_t λ) F_km − η_t r_t μ_k Y_km(x_t).
//
//   d = 2: Y = 1, √2 cos kφ, √2 sin kφ; cos kφ, sin kφ from x = (cos φ, sin φ) by rotation.
//          2K + 1 coefficients, O(K) per step.
//   d = 3: real spherical harmonics with polar axis e₁ (z = x₀, azimuth atan2(x₂, x₁)),
//          normalised in L²(ρ): Y_k0 = √(2k+1) P_k(z), Y_km = √2 Q_k^m(z) (cos mψ | sin mψ) with
//          Q_k^m the fully normalised associated Legendre functions (stable three-term
//          recurrence in k). (K + 1)² coefficients, O(K²) per step.
//   d ≥ 4: the Gelfand–Tsetlin basis (Gegenbauer functions of x₀ times the basis of S^(d−2),
//          recursively); Σ_{k≤K} N(d,k) = N(d+1,K) coefficients (d = 4: ≈ K³/3), O(that) per step.
// Measured (one core): T = 2^16: d = 2, K = 512: 0.3 s; d = 3, K = 64: 1 s (K = 512 would take
// about a minute: pass a spectrum truncated at a smaller K if that matters); T = 2^14, K = 24:
// d = 4: 0.4 s, d = 5: 1.5 s. Swish spectra are exactly 0 from k ≈ 11 s on, which bounds K.
//
// The excess risk is exact from the coefficients: ‖f − g_ρ‖² = Σ_{k≤K} Σ_m (F_km − G_km)² plus
// the target's energy above K. What truncating the kernel at K leaves out is the kernel mass
// k(1) − Σ_{k≤K} N(d,k) μ_k (mercer_sum); choose K at least the target's kmax.
// Divergence follows the network's rule: a residual that is non-finite or above
// config.divergence_threshold stops the run at that step, which is returned (never thrown).
// The averaged iterate (config.iterate = average | both) is f̄_t = (1/t) Σ_{s=2..t+1} f_s.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ntksweep/model/data.hpp"
#include "ntksweep/model/sgd.hpp"
#include "ntksweep/model/target.hpp"
#include "ntksweep/theory/spectrum.hpp"

namespace ntksweep::theory {

/// Result of a kernel-SGD run: checkpoints carry error (last iterate) and error_average
/// (averaged iterate) as the config asks; weight_change and pattern_change are NaN.
struct KernelRun {
  model::RunStatus status = model::RunStatus::Done;
  std::int64_t diverged_step = -1;             ///< the step whose residual diverged, −1 if none
  std::vector<model::Checkpoint> checkpoints;  ///< those reached, in order
};

/// Kernel SGD with the spectrum's kernel on `data` (whose target must be `target`),
/// reporting at the sorted `checkpoint_steps` (the state after that many steps). InputError if
/// the eigenbasis would exceed 2^24 coefficients (e.g. d = 4 with kmax ≳ 360 and ReLU).
KernelRun kernel_sgd(const Spectrum& spectrum, const model::Target& target, const model::SgdConfig& config,
                     const model::DataStream& data, std::span<const std::int64_t> checkpoint_steps);

/// The target's coefficients G_km in the eigenbasis used by kernel_sgd, truncated or zero-padded
/// to degree K. Degree k occupies [Σ_{k'<k} N(d,k'), Σ_{k'≤k} N(d,k')); d = 2: [g_0, cos 1,
/// sin 1, cos 2, ...]; d = 3: [m = 0, cos 1, sin 1, ..., cos k, sin k] at [k², (k+1)²); d ≥ 4:
/// blocks l = 0..k of the Gelfand–Tsetlin basis. The first entry of a degree is √N(d,k) P_{k,d}(x₀).
std::vector<double> eigenbasis_coefficients(const model::Target& target, int K);

/// Number of eigenbasis coefficients for degrees 0..K: Σ_{k≤K} N(d,k) (for validating a config
/// before work starts: kernel_sgd refuses more than kernel_sgd_max_coefficients()).
std::size_t kernel_sgd_coefficients(int dim, int K);
std::size_t kernel_sgd_max_coefficients() noexcept;

/// The eigenbasis functions Y_km(x) in the same layout, degrees 0..K.
void eigenbasis_values(int dim, int K, const double* x, double* out);

}  // namespace ntksweep::theory
