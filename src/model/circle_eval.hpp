// Private to the model (excess_risk.cpp, tests): exact O(M + n) checkpoint evaluation on the
// circle's equispaced grid φ_i = 2πi/n (Quadrature::circle).
//
// On the circle unit j's pre-activation z_j(φ) = b_0j cos φ + b_1j sin φ + γc_j = ρ_j cos(φ − α_j)
// + γc_j is positive on one arc, so its active set on the grid is a run of consecutive points
// (mod n) — an Arc. For ReLU, on the units active at φ_i,
//
//   Σ_j a_j σ(z_j(φ_i)) = A_i cos φ_i + B_i sin φ_i + C_i,   (A, B, C)_i = Σ_{j active at i} a_j (b_0j, b_1j, γc_j),
//
// and A, B, C change only at the 2M arc ends: scattered into difference arrays and prefix-summed
// (compensated), they give the network on every grid point in O(M + n) instead of O(M n).
//
// Exactness: each arc end comes from an angle (a polynomial atan2, no libm) and is then checked by
// evaluating z at the neighbouring grid points with the SGD pass's own arithmetic,
// fma(γ, c, fma(b_1, x_1, b_0·x_0)) > 0 — the one sign rule of the error and the pattern change —
// so "active at i" is exactly the direct test wherever the direct active set is one run of
// points. That holds because two grid points whose rounded z could both lie within the rounding
// error (~1e-14 ρ) of zero are neighbours straddling the tangent point, while any other pair
// differs in z by at least ~ρ(2π/n)²/2 ≫ 1e-14 ρ. A unit whose ends do not check out (an arc
// shorter than a grid step, a hole narrower than one, ρ = 0) is scanned over all n points, O(n),
// and may then have any active set: such units are summed run by run.
//
// A checkpoint computes the network's arcs once (circle_arcs_of) and takes both the ReLU error and
// the pattern change from them (the initial network's arcs are computed once per trajectory).
#pragma once

#include <cstdint>
#include <vector>

#include "ntksweep/model/network.hpp"
#include "ntksweep/model/quadrature.hpp"

namespace ntksweep::model::detail {

/// A unit's active set on the n-point grid: points start, start + 1, …, start + length − 1 (mod n).
/// length = 0: nowhere, length = n: everywhere (start = 0 in both); length = kIrregular: not one
/// run of points (never seen in practice; the callers then test every point).
struct Arc {
  static constexpr std::int32_t kIrregular = -1;
  std::int32_t start = 0;
  std::int32_t length = 0;
  friend bool operator==(const Arc&, const Arc&) = default;
};

/// The grid in the order the summation pass reads it. Point i = b·K + k (K = n/8, lane b) sits
/// at slot k·8 + b, so that one 8-wide vector step advances the running sums of 8 blocks of
/// points at once; n not a multiple of 8 with K a power of two: one lane, slot = i. Built once
/// per evaluator.
struct CircleGrid {
  CircleGrid(const Quadrature& q, const std::vector<double>& target_values);
  int n = 0, lanes = 1, shift = 0;  ///< K = n / lanes = 2^shift when lanes = 8
  std::vector<double> x0, x1, weight, target;  ///< by slot
  /// By point, interleaved, from point n − 1 (as point −1): x_0,n−1, x_1,n−1, x_00, x_10, x_01, …
  /// (the arc checks' random reads: points i − 1 and i are the 4 doubles from xy[2i]).
  std::vector<double> xy;
  int slot(int i) const noexcept { return lanes == 1 ? i : ((i & ((1 << shift) - 1)) << 3) + (i >> shift); }
};

/// The S² product rule (Quadrature::sphere2) as rings: point i = r·n_phi + k has height
/// x_0 = z_r and azimuth ψ_k = 2πk/n_phi, (x_1, x_2) = ρ_r (cos ψ_k, sin ψ_k), ρ_r = √(1 − z_r²).
/// Built once per evaluator.
struct RingGrid {
  RingGrid(const Quadrature& q, const std::vector<double>& target_values);
  /// Whether q has the ring structure above (n_phi = 2 n_z ≥ 4, x_0 constant on each ring).
  static bool applies(const Quadrature& q) noexcept;
  int n_rings = 0, n_phi = 0;
  std::vector<double> height, radius;  ///< by ring: z_r, ρ_r
  std::vector<double> x1, x2, weight, target;  ///< by point (the rule's order)
};

/// The points of ErrorEvaluator::excess_risk_spectral: φ_i = 2πi/n, and the target's modes
/// k < n/2 on them; `tail` = Σ_{k ≥ n/2} g_k², the modes the points cannot carry. Built for the
/// n a network needs and kept while that n and the evaluator (owner) stay.
struct SpectralGrid {
  int n = 0;
  const void* owner = nullptr;
  std::vector<double> x0, x1, target;  ///< cos φ_i, sin φ_i, (P g_ρ)(φ_i)
  double tail = 0.0;
};

/// One trajectory's evaluation state: the initial network's arcs and scratch. Speeds evaluation
/// up; never changes a result. On S² (ring_*), arcs hold n_rings·M ring arcs, ring-major
/// (arcs[r·M + j]: unit j on ring r, a run of the ring's n_phi azimuths).
///
/// The buffers (arcs, init_arcs, delta) outlive the scratch on its thread: a new scratch takes
/// over the storage the last one left (contents discarded), so that the next trajectory's first
/// checkpoint does not fault its pages in again (37 pages at M = 1024, 97 at M = 16384, n = 4096;
/// at ~14 µs a page fault on a virtual machine the first checkpoint cost 7–12 later ones). A thread
/// keeps at most the largest buffers it has used.
struct CircleScratch {
  CircleScratch();
  ~CircleScratch();
  CircleScratch(const CircleScratch&) = delete;
  CircleScratch& operator=(const CircleScratch&) = delete;
  std::vector<Arc> arcs;        ///< the last evaluated network's arcs (circle_arcs_of)
  std::vector<Arc> init_arcs;   ///< the initial network's
  const TwoLayerNet* init = nullptr;  ///< whose init_arcs those are
  const TwoLayerNet* circle_init = nullptr;  ///< an initial network known to pass circle_fast_path
  std::vector<double> delta;    ///< 4 (n + 64) difference entries by slot (A, B, C, unused); ≥ n: trash
  bool delta_clean = false;     ///< delta's first n slots are zero (as the circle's summation leaves them)
  SpectralGrid spectral;        ///< the swish error's points (ErrorIntegral::Exact)
};

/// Whether the fast path applies: the equispaced circle rule and finite parameters (a diverged
/// network goes to the direct method, which propagates its NaN).
bool circle_fast_path(const Quadrature& q, const TwoLayerNet& net) noexcept;

/// Every unit's active set (z > 0 with the SGD pass's rounding) into arcs[0..M), trying
/// guesses[j] (if not null) first. Returns the number of units that had to be scanned over all
/// points (the O(n) fallback).
int circle_arcs(const Quadrature& q, const TwoLayerNet& net, Arc* arcs, const Arc* guesses = nullptr);

/// net's arcs into scratch.arcs, for the *_from_arcs functions; requires circle_fast_path.
void circle_arcs_of(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net, CircleScratch& scratch);

/// circle_fast_path and, where it holds, circle_arcs_of, in one pass over the parameters (the
/// finiteness test done chunk by chunk with the arcs); with init (which must pass
/// circle_fast_path), also *pattern_changes = circle_pattern_changes_from_arcs, counted in the same
/// pass. False: the fast path does not apply, scratch.arcs holds nothing of use and
/// *pattern_changes is not set.
bool circle_arcs_of_checked(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                            CircleScratch& scratch, const TwoLayerNet* init = nullptr,
                            long long* pattern_changes = nullptr);

/// Σ_i w_i (g_Θ(x_i) − t_i)² for a ReLU network whose arcs are in scratch.arcs.
double circle_relu_excess_risk_from_arcs(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                                         CircleScratch& scratch);

/// Number of units whose active set differs between net (its arcs in scratch.arcs) and init (arcs
/// computed on first use and kept while `init` is the same object); requires circle_fast_path for
/// init.
long long circle_pattern_changes_from_arcs(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                                           const TwoLayerNet& init, CircleScratch& scratch);

/// circle_arcs_of, then circle_relu_excess_risk_from_arcs.
double circle_relu_excess_risk(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                               CircleScratch& scratch);

/// circle_arcs_of, then circle_pattern_changes_from_arcs.
long long circle_pattern_changes(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                                 const TwoLayerNet& init, CircleScratch& scratch);

// S²: the same on each ring of Quadrature::sphere2. On ring r unit j's pre-activation is
// z_j(ψ) = (b_0j z_r + γc_j) + ρ_r (b_1j cos ψ + b_2j sin ψ), a constant plus a cosine in the
// azimuth, so its active set on the ring is one run of azimuths, found and checked as on the
// circle (with the SGD rounding fma(γ, c, fma(b_2, x_2, fma(b_1, x_1, b_0·x_0))) > 0), scanned over
// the ring's n_phi points where that fails. The ReLU network on ring r is
// Σ_{j active} a_j (b_1j x_1 + b_2j x_2 + (b_0j z_r + γc_j)): three prefix sums per ring.
// O(n_rings M + n) in place of O(n M).

/// Whether the S² fast path applies: the ring rule and finite parameters.
bool ring_fast_path(const Quadrature& q, const TwoLayerNet& net) noexcept;

/// Every unit's active set on every ring into arcs[r·M + j]. Returns the number of (unit, ring)
/// pairs scanned over the ring's points.
int ring_arcs(const RingGrid& grid, const TwoLayerNet& net, Arc* arcs);

/// net's ring arcs into scratch.arcs; requires ring_fast_path.
void ring_arcs_of(const RingGrid& grid, const TwoLayerNet& net, CircleScratch& scratch);

/// Σ_i w_i (g_Θ(x_i) − t_i)² for a ReLU network whose ring arcs are in scratch.arcs.
double ring_relu_excess_risk_from_arcs(const RingGrid& grid, const TwoLayerNet& net, CircleScratch& scratch);

/// Number of units whose active set differs between net (ring arcs in scratch.arcs) and init on
/// some ring (init's arcs computed on first use, kept while `init` is the same object).
long long ring_pattern_changes_from_arcs(const RingGrid& grid, const TwoLayerNet& net, const TwoLayerNet& init,
                                         CircleScratch& scratch);

}  // namespace ntksweep::model::detail
