// Targets of prescribed source smoothness r built from the NTK's own spectrum (DESIGN §1):
//
//   L²-coefficient of degree k:  g_k = s · μ_k^r h_k,   h_k = k^(−1/2) / log(k + 1)  (k ≥ 1),  h_0 = 0,
//
// for k = 1..kmax, so that ‖L^(−r) g‖² = s² Σ h_k² (over modes with μ_k > 0) converges, but
// only barely: Σ 1/(k log²(k+1)) converges while any larger r makes ‖L^(−r') g‖ diverge as
// kmax → ∞. h_0 = 0: the target has mean zero (a constant is in every source space and would
// only add a trivially learnt mode). Modes with μ_k = 0 get no energy.
//
//   circle (d = 2):  g(φ) = Σ_k g_k √2 cos(kφ + ψ_k),  ψ_k = 2π U_k      (model::Target::circle)
//   d ≥ 3 (zonal):   g(x) = Σ_k c_k P_{k,d}(x₀),  c_k = ε_k √N(d,k) g_k   (model::Target::zonal)
//
// with U_k the first uniform of counter index k of the stream make_key(Domain::Target, {seed})
// and ε_k = +1 if U_k ≥ 1/2, else −1 (the zonal analogue of a random phase). Since
// ‖P_{k,d}‖² = 1/N(d,k), the L² norm of degree k is g_k in both cases. The scale s makes
// model::Target::sup_bound() + noise_bound = 1 (so |g_ρ| + |ξ| ≤ 1).
#pragma once

#include <cstdint>
#include <vector>

#include "ntksweep/model/target.hpp"
#include "ntksweep/theory/spectrum.hpp"

namespace ntksweep::theory {

/// h_k = k^(−1/2) / log(k + 1) for k ≥ 1; h_0 = 0.
double source_weight(int k) noexcept;

/// The target of source exponent r > 0 with degrees 1..kmax (kmax ≤ spectrum.kmax()), phases or
/// signs from `seed`, scaled so that sup_bound() + noise_bound = 1 (noise_bound ∈ [0, 1)).
model::Target source_target(const Spectrum& spectrum, double r, int kmax, double noise_bound, std::uint64_t seed);

/// ‖P_k g‖², the squared L² norm of the degree-k part of a target, k = 0..max_degree:
/// g_k² (circle; g_0² for k = 0) or c_k² / N(d,k) (zonal).
std::vector<double> degree_energy(const model::Target& target);

/// ‖L^(−r) g‖ = (Σ_k ‖P_k g‖² / μ_k^(2r))^(1/2) over the degrees of the target (which must not
/// exceed spectrum.kmax()); +∞ if g has energy on a degree with μ_k = 0.
double source_norm(const Spectrum& spectrum, const model::Target& target, double r);

}  // namespace ntksweep::theory
