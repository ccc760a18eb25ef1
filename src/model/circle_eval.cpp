// Exact O(M + n) excess risk and pattern change on the circle's equispaced grid; see
// circle_eval.hpp.
#include "circle_eval.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <cmath>
#include <numbers>

#include "vector_math.hpp"

namespace ntksweep::model::detail {
namespace {

constexpr int kChunk = 256;  // units whose arc guesses are computed together (stack arrays)

// 2 atan(u) for 0 ≤ u ≤ tan(π/8) as 2 (u + u³ p(u²)), p of degree 4 fitted for the least maximum
// error (Lawson's iteration): 3.2e-10 rad in double precision with these rounded coefficients (an
// end lands on the wrong side of a grid point with probability ~1e-6 at n = 4096); in single
// precision (Real = float: vectors of twice the lanes) the rounding, ~1e-7 rad, dominates.
template <class Real>
[[gnu::always_inline]] inline Real twice_atan_small(Real u) noexcept {
  const Real z = u * u;
  Real p = Real(-0.059483523337399036);
  p = std::fma(p, z, Real(0.10536115404347451));
  p = std::fma(p, z, Real(-0.14234508432395807));
  p = std::fma(p, z, Real(0.19997895375311153));
  p = std::fma(p, z, Real(-0.33333302981017665));
  return Real(2) * std::fma(u * z, p, u);
}

// atan2(y, x) ∈ (−π, π] from ψ = atan(min(|x|, |y|) / max(|x|, |y|)) ∈ [0, π/4].
template <class Real>
[[gnu::always_inline]] inline Real undo_octant(Real y, Real x, Real psi) noexcept {
  constexpr Real kPi = std::numbers::pi_v<Real>;
  Real r = std::fabs(y) > std::fabs(x) ? kPi / 2 - psi : psi;
  r = x < Real(0) ? kPi - r : r;
  return y < Real(0) ? -r : r;
}

// atan2 of both arc ends at once, ~3e-10 absolute in double (~1e-7 in float), branch-free so that
// a loop over units vectorises: ψ = atan(min/max) ∈ [0, π/4] by its half angle, tan(ψ/2) = min /
// (max + r), r = √(x² + y²) — which for the arc ends is known, ρ² (see guess_arcs), so no square
// root — and one division for both ends: with D_s, D_e the two denominators, min_s/D_s =
// min_s D_e / (D_s D_e). No select between quotients (the compiler would split such a select into
// branches and stop vectorising). Only a guess is taken from it: every arc end is checked exactly.
// (D_s D_e ~ ρ⁴ over- or underflows for ρ beyond 1e±77 in double, 1e±9 in float: a NaN or wrong
// guess, see guess_arcs.)
template <class Real>
[[gnu::always_inline]] inline void atan2_ends_guess(Real ys, Real xs, Real ye, Real xe, Real r, Real& angle_s,
                                                    Real& angle_e) noexcept {
  const Real axs = std::fabs(xs), ays = std::fabs(ys), axe = std::fabs(xe), aye = std::fabs(ye);
  const Real mxs = axs > ays ? axs : ays, mns = axs > ays ? ays : axs;
  const Real mxe = axe > aye ? axe : aye, mne = axe > aye ? aye : axe;
  const Real ds = mxs + r, de = mxe + r;
  const Real inv = Real(1) / (ds * de);
  angle_s = undo_octant(ys, xs, twice_atan_small(mns * de * inv));
  angle_e = undo_octant(ye, xe, twice_atan_small(mne * ds * inv));
}

// The arc ends' angles in grid steps (ts, te ∈ [−n/2, n/2]) of the pre-activation
// b_0 cos φ + b_1 sin φ + γc, computed in precision Real (ρ² = b_0² + b_1²).
template <class Real>
[[gnu::always_inline]] inline void end_steps(double b0, double b1, double gc, double per_radian, double& ts,
                                             double& te) noexcept {
  // Active where cos(φ − α) > −γc/ρ, α = arg b: the arc (α − β, α + β) with cos β = −γc/ρ. Its
  // ends, scaled by ρ² (atan2 needs no normalisation): −γc b ∓ w b⊥, b⊥ = (−b_1, b_0),
  // w = ρ sin β = √(ρ² − γ²c²); both of length ρ².
  const Real rb0 = static_cast<Real>(b0), rb1 = static_cast<Real>(b1), rgc = static_cast<Real>(gc);
  const Real rho2 = rb0 * rb0 + rb1 * rb1;
  const Real w2 = std::fma(-rgc, rgc, rho2);
  const Real w = w2 > Real(0) ? std::sqrt(std::fabs(w2)) : Real(0);
  Real as, ae;
  atan2_ends_guess(std::fma(-rgc, rb1, -w * rb0), std::fma(-rgc, rb0, w * rb1), std::fma(-rgc, rb1, w * rb0),
                   std::fma(-rgc, rb0, -w * rb1), rho2, as, ae);
  ts = as * per_radian;
  te = ae * per_radian;
}

// ⌊x⌋ for |x| < 2^51 (std::floor does not vectorise here): round to nearest by adding and
// subtracting 1.5·2^52, then step down where that rounded up.
[[gnu::always_inline]] inline double floor_small(double x) noexcept {
  constexpr double kShift = 6755399441055744.0;
  const double r = (x + kShift) - kShift;
  return r > x ? r - 1.0 : r;
}

// z_j(x_i) > 0 with the SGD pass's rounding: b_0 x_0, then + b_1 x_1 and + γc by FMA (the
// direct quadrature and the direct pattern comparison round alike).
[[gnu::always_inline]] inline bool active(double b0, double b1, double gamma, double c, double x0,
                                          double x1) noexcept {
  return std::fma(gamma, c, std::fma(b1, x1, b0 * x0)) > 0.0;
}

// First guesses for the arcs of units [first, first + len): start in [0, n) and length in
// [1, n − 1], or length 0 with start = 0 (nowhere), length n (everywhere), both proven by the
// bound below, or start = −1 (scan). Vectorised over the units.
//
// Bound: the rounded z differs from b_0 cos φ + b_1 sin φ + γc by a few ulp of |b_0| + |b_1| + |γc|
// (grid coordinates, products, sums), so γc − ρ > 1e-12 (|b_0| + |b_1| + |γc|) means active
// everywhere and γc + ρ < −1e-12 (…) nowhere.
//
// single: the angles in single precision (the circle: faster, and its failed checks go through
// refine_arc), else in double (the rings).
NTKSWEEP_HOT_CLONES void guess_arcs(const double* __restrict B0, const double* __restrict B1,
                                    const double* __restrict C, double gamma, int n, int len,
                                    double* __restrict start, double* __restrict length, bool single) {
  const double per_radian = n / (2.0 * std::numbers::pi), dn = n;
  // Two loops, each simple enough for the vectoriser: the angles of the arc ends (in grid steps)
  // and the kind of unit (0 arc, 1 everywhere, 2 nowhere, 3 ρ = 0), then the grid indices.
  // Written without std::fmax/fmin (no vector form) and without a conditional square root (the
  // compiler will not speculate it).
  alignas(64) double ts[kChunk], te[kChunk], kind[kChunk];
#pragma GCC ivdep
  for (int l = 0; l < len; ++l) {
    const double b0 = B0[l], b1 = B1[l], gc = gamma * C[l];
    const double rho2 = b0 * b0 + b1 * b1;
    const double tol = 1e-12 * (std::fabs(b0) + std::fabs(b1) + std::fabs(gc)) + 1e-300;
    if (single) {
      end_steps<float>(b0, b1, gc, per_radian, ts[l], te[l]);
    } else {
      end_steps<double>(b0, b1, gc, per_radian, ts[l], te[l]);
    }
    // γc − ρ > tol (everywhere) and γc + ρ < −tol (nowhere) without √(ρ²): ±γc − tol > 0 and
    // (±γc − tol)² > ρ². Rounding moves the squares by a few ulp, ρ by less than 1e-15 ρ ≪ tol:
    // still proofs (a unit this misses by rounding goes the way of any other, guessed and checked).
    const double up = gc - tol, down = -gc - tol;
    const double all = up > 0.0 && up * up > rho2 ? 1.0 : 0.0, none = down > 0.0 && down * down > rho2 ? 2.0 : 0.0;
    kind[l] = all + none > 0.0 ? all + none : (rho2 > 0.0 ? 0.0 : 3.0);  // (selects on doubles: no branches)
  }
#pragma GCC ivdep
  for (int l = 0; l < len; ++l) {
    // First grid point after each end: φ_i > α − β starts the arc, φ_i > α + β is the first one
    // off. ts, te ∈ [−n/2, n/2]; index arithmetic in doubles (exact for these integers).
    double is = floor_small(ts[l]) + 1.0, ie = floor_small(te[l]) + 1.0;
    is = is < 0.0 ? is + dn : is;
    ie = ie < 0.0 ? ie + dn : ie;
    is = is >= dn ? is - dn : is;
    ie = ie >= dn ? ie - dn : ie;
    double L = ie - is;
    L = L < 0.0 ? L + dn : L;
    // L = 0: shorter than a grid step or a hole narrower than one — scanned, like ρ = 0 and like
    // a NaN guess (ρ = 0, or beyond the range of atan2_ends_guess), which `fine` also catches.
    const double k = kind[l];
    const bool fine = (L > 0.0) & (L < dn);  // (bitwise: a branch would stop the vectoriser)
    start[l] = k == 0.0 ? (fine ? is : -1.0) : (k == 3.0 ? -1.0 : 0.0);
    length[l] = k == 1.0 ? dn : (k == 0.0 && fine ? L : 0.0);
  }
}

// The guesses of units [first, first + len) checked: verified[l] = 1 where nowhere / everywhere
// (proven by the bound in guess_arcs) or an arc whose four end tests hold — s on, s − 1 off,
// the last point l on, l + 1 off, with the SGD pass's rounding — else 0 (start −1 included:
// scan). Eight units at a time in vectors; their coordinates come from CircleGrid::xy, points
// s − 1, s and l, l + 1 as two 32-byte loads a unit: sixteen loads transposed into the eight
// coordinate vectors, in place of eight 8-wide gathers (whether a unit is an arc, nowhere or
// everywhere is not predictable, hence no branches). Indices stay in [0, n) whatever the guess.
// xy: CircleGrid::xy (from point −1).
NTKSWEEP_HOT_CLONES void check_arcs(const double* __restrict xy, const double* __restrict B0,
                                    const double* __restrict B1, const double* __restrict C, double gamma, int n,
                                    int len, const double* __restrict start, const double* __restrict length,
                                    int* __restrict verified) {
  using V8 = double __attribute__((vector_size(64)));
  using I8 = std::int64_t __attribute__((vector_size(64)));
  using V8u = double __attribute__((vector_size(64), aligned(8)));
  using V4 = double __attribute__((vector_size(32)));
  using V4u = double __attribute__((vector_size(32), aligned(8)));
  const double dn = n;
  alignas(64) int entry_s[kChunk], entry_a[kChunk];
#pragma GCC ivdep
  for (int l = 0; l < len; ++l) {
    const double S = start[l], L = length[l];  // S ∈ [−1, n), L ∈ [0, n]
    const double s0 = S >= 0.0 ? S : 0.0;
    double after = s0 + L;  // (whole or nowhere: any entry does)
    after = after >= dn ? after - dn : after;
    entry_s[l] = static_cast<int>(s0);
    entry_a[l] = static_cast<int>(after);
  }
  // (Vectors by reference, never by value: portable builds compile this for baseline x86-64 too,
  // where a vector argument or result would change the ABI.)
  const auto load_pair = [xy](int i, V4& out) { out = *reinterpret_cast<const V4u*>(xy + 2 * std::size_t(i)); };
  // Entries e_0 … e_7 (4 doubles each) → four vectors of their k-th elements, k = 0 … 3.
  const auto transpose = [](const V4 (&e)[8], V8 (&out)[4]) {
    V8 z[4], t[4];
    for (int k = 0; k < 4; ++k) z[k] = __builtin_shufflevector(e[k], e[k + 4], 0, 1, 2, 3, 4, 5, 6, 7);
    t[0] = __builtin_shufflevector(z[0], z[1], 0, 8, 2, 10, 4, 12, 6, 14);
    t[1] = __builtin_shufflevector(z[0], z[1], 1, 9, 3, 11, 5, 13, 7, 15);
    t[2] = __builtin_shufflevector(z[2], z[3], 0, 8, 2, 10, 4, 12, 6, 14);
    t[3] = __builtin_shufflevector(z[2], z[3], 1, 9, 3, 11, 5, 13, 7, 15);
    out[0] = __builtin_shufflevector(t[0], t[2], 0, 1, 8, 9, 4, 5, 12, 13);
    out[1] = __builtin_shufflevector(t[1], t[3], 0, 1, 8, 9, 4, 5, 12, 13);
    out[2] = __builtin_shufflevector(t[0], t[2], 2, 3, 10, 11, 6, 7, 14, 15);
    out[3] = __builtin_shufflevector(t[1], t[3], 2, 3, 10, 11, 6, 7, 14, 15);
  };
  // All ones where z > 0 at the eight units' points (x_0, x_1), else 0.
  const auto on_at = [gamma](const V8& b0, const V8& b1, const V8& c, const V8& x0, const V8& x1, I8& on) {
    const V8 p = b0 * x0;
    V8 z;
    for (int b = 0; b < 8; ++b) z[b] = std::fma(gamma, c[b], std::fma(b1[b], x1[b], p[b]));
    on = z > 0.0;
  };
  int l = 0;
  for (; l + 8 <= len; l += 8) {
    V4 es[8], ea[8];
    for (int u = 0; u < 8; ++u) {
      load_pair(entry_s[l + u], es[u]);
      load_pair(entry_a[l + u], ea[u]);
    }
    V8 xs[4], xa[4];  // x_0, x_1 of points s − 1, s; of l, l + 1
    transpose(es, xs);
    transpose(ea, xa);
    const V8 b0 = *reinterpret_cast<const V8u*>(B0 + l), b1 = *reinterpret_cast<const V8u*>(B1 + l);
    const V8 c = *reinterpret_cast<const V8u*>(C + l);
    const V8 S = *reinterpret_cast<const V8u*>(start + l), L = *reinterpret_cast<const V8u*>(length + l);
    I8 on_before, on_start, on_last, on_after;
    on_at(b0, b1, c, xs[0], xs[1], on_before);
    on_at(b0, b1, c, xs[2], xs[3], on_start);
    on_at(b0, b1, c, xa[0], xa[1], on_last);
    on_at(b0, b1, c, xa[2], xa[3], on_after);
    const I8 ends = on_start & ~on_before & on_last & ~on_after;
    const I8 ok = (S >= 0.0) & ((L == 0.0) | (L == dn) | ends);
    for (int u = 0; u < 8; ++u) verified[l + u] = int(ok[u] != 0);
  }
  for (; l < len; ++l) {  // the last few units of the last chunk
    const double S = start[l], L = length[l];
    const auto on = [&](int i) {  // point i, at xy[2i + 2]
      return int(active(B0[l], B1[l], gamma, C[l], xy[2 * std::size_t(i) + 2], xy[2 * std::size_t(i) + 3]));
    };
    const int is = entry_s[l], ia = entry_a[l];
    const int ends = on(is) & (on(is == 0 ? n - 1 : is - 1) ^ 1) & on(ia == 0 ? n - 1 : ia - 1) & (on(ia) ^ 1);
    verified[l] = int(S >= 0.0) & (int(L == 0.0) | int(L == dn) | ends);
  }
}

// The active set of one unit from all n points of a closed ring of points (is_on(i): point i
// active): one run, nowhere, everywhere, or irregular.
template <class IsOn>
Arc scan_run(int n, IsOn is_on) noexcept {
  int count = 0, starts = 0, first_start = 0;
  bool prev = is_on(n - 1);
  for (int i = 0; i < n; ++i) {
    const bool on = is_on(i);
    count += on;
    if (on && !prev) {
      if (starts++ == 0) first_start = i;
    }
    prev = on;
  }
  if (count == 0) return {0, 0};
  if (count == n) return {0, n};
  if (starts == 1) return {first_start, count};
  return {0, Arc::kIrregular};
}

// scan_run on the circle's points.
Arc scan_arc(const double* x0, const double* x1, int n, double b0, double b1, double gamma, double c) noexcept {
  return scan_run(n, [&](int i) { return active(b0, b1, gamma, c, x0[i], x1[i]); });
}

// Whether arc = {s, L}, 1 ≤ L ≤ n − 1, is the unit's active set: s on and s − 1 off (a run starts
// at s), s + L − 1 on and s + L off (it ends there). With one run these four tests pin it down.
// The grid is read interleaved here, xy[2i] = x_0i, xy[2i + 1] = x_1i: one cache line per test.
[[gnu::always_inline]] inline bool arc_checks(const double* xy, int n, Arc arc, double b0, double b1, double gamma,
                                              double c) noexcept {
  const int s = arc.start, L = arc.length;
  if (L < 1 || L > n - 1) return false;
  const int before = s == 0 ? n - 1 : s - 1;
  int last = s + L - 1, after = s + L;
  last = last >= n ? last - n : last;
  after = after >= n ? after - n : after;
  const auto on = [&](int i) { return active(b0, b1, gamma, c, xy[2 * i], xy[2 * i + 1]); };
  return on(s) && !on(before) && on(last) && !on(after);
}

// A guessed arc {s, L} (1 ≤ L ≤ n − 1) whose checks failed, its ends moved to the nearest run
// boundaries within two grid steps by the exact test: an end one or two points off (a guess
// rounded across a grid point) is fixed without scanning all n points. Accepted only if then
// arc_checks holds, the same acceptance as for any guess (so the same arc).
bool refine_arc(const double* xy, int n, int s, int L, double b0, double b1, double gamma, double c,
                Arc& out) noexcept {
  const auto wrap = [n](int i) { return i < 0 ? i + n : (i >= n ? i - n : i); };
  const auto on = [&](int i) { return active(b0, b1, gamma, c, xy[2 * i], xy[2 * i + 1]); };
  int a = wrap(s + L);  // first point off
  for (int step = 0; step < 2; ++step) {
    if (!on(s)) {
      s = wrap(s + 1);
    } else if (on(wrap(s - 1))) {
      s = wrap(s - 1);
    }
    if (on(a)) {
      a = wrap(a + 1);
    } else if (!on(wrap(a - 1))) {
      a = wrap(a - 1);
    }
  }
  const int len = wrap(a - s);
  const Arc arc{s, len};
  if (!arc_checks(xy, n, arc, b0, b1, gamma, c)) return false;
  out = arc;
  return true;
}

// Whether x[0 .. len) are all finite: no exponent of all ones (an integer AND, vectorised).
[[gnu::always_inline]] inline bool all_finite(const double* x, int len) noexcept {
  constexpr std::uint64_t kExponent = 0x7ff0000000000000ull;
  std::uint64_t all_ones = kExponent;
  for (int l = 0; l < len; ++l) {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(x[l]) & kExponent;
    all_ones &= bits == kExponent ? 0 : kExponent;
  }
  return all_ones == kExponent;
}

// What a checkpoint's arcs pass (no guesses) also does while each chunk is in L1, in place of
// separate passes over all units: whether every unit's a, b and c are finite (at the first that
// is not, finite = false and the arcs are left incomplete), and, with `then`, how many arcs differ
// from then[j], compared as 64-bit words (irregular: some arc of either is irregular).
struct ArcsPass {
  bool finite = true;
  const Arc* then = nullptr;
  long long changed = 0;
  int irregular = 0;
};

// refine_arc on a guess from guess_arcs that is an arc (not nowhere, everywhere or a scan).
bool refine_guess(const double* xy, int n, double start, double length, double b0, double b1, double gamma,
                  double c, Arc& out) noexcept {
  return start >= 0.0 && length > 0.0 && length < n &&
         refine_arc(xy, n, static_cast<int>(start), static_cast<int>(length), b0, b1, gamma, c, out);
}

int arcs_impl(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net, Arc* arcs, const Arc* guesses,
              ArcsPass* pass = nullptr) {
  const double* xy = grid.xy.data() + 2;  // (from point 0)
  const int n = q.size(), M = net.width();
  const double gamma = net.spec().bias_scale;
  const double* x0 = q.coordinate(0);
  const double* x1 = q.coordinate(1);
  const double* B0 = net.b_row(0);
  const double* B1 = net.b_row(1);
  const double* C = net.c();
  alignas(64) double start[kChunk], length[kChunk];
  alignas(64) int verified[kChunk];
  bool done[kChunk];
  int scanned = 0;
  for (int first = 0; first < M; first += kChunk) {
    const int len = std::min(kChunk, M - first);
    if (!guesses) {
      if (pass && !(all_finite(net.a() + first, len) && all_finite(B0 + first, len) &&
                    all_finite(B1 + first, len) && all_finite(C + first, len))) {
        pass->finite = false;
        return scanned;
      }
      guess_arcs(B0 + first, B1 + first, C + first, gamma, n, len, start, length, true);
      check_arcs(grid.xy.data(), B0 + first, B1 + first, C + first, gamma, n, len, start, length, verified);
      for (int l = 0; l < len; ++l) {
        const int j = first + l;
        if (verified[l]) [[likely]] {
          arcs[j] = {static_cast<std::int32_t>(start[l]), static_cast<std::int32_t>(length[l])};  // in range
        } else if (Arc a; refine_guess(xy, n, start[l], length[l], B0[j], B1[j], gamma, C[j], a)) {
          arcs[j] = a;
        } else if (double s1, l1; guess_arcs(B0 + j, B1 + j, C + j, gamma, n, 1, &s1, &l1, false),
                   refine_guess(xy, n, s1, l1, B0[j], B1[j], gamma, C[j], a)) {
          arcs[j] = a;  // (the single-precision guess failed: ρ or |γc| beyond its range, or a tangent)
        } else {
          arcs[j] = scan_arc(x0, x1, n, B0[j], B1[j], gamma, C[j]);
          ++scanned;
        }
      }
      if (pass && pass->then) {
        static_assert(sizeof(Arc) == sizeof(std::uint64_t));
        long long changed = 0;
        int irregular = 0;
        for (int j = first; j < first + len; ++j) {
          std::uint64_t u, v;
          std::memcpy(&u, &arcs[j], sizeof u);
          std::memcpy(&v, &pass->then[j], sizeof v);
          changed += u != v;
          irregular |= int(arcs[j].length == Arc::kIrregular) | int(pass->then[j].length == Arc::kIrregular);
        }
        pass->changed += changed;
        pass->irregular |= irregular;
      }
      continue;
    }
    // Arcs move little between checkpoints: the last ones are usually still right.
    int pending = 0;
    for (int l = 0; l < len; ++l) {
      const int j = first + l;
      done[l] = arc_checks(xy, n, guesses[j], B0[j], B1[j], gamma, C[j]);
      if (done[l]) arcs[j] = guesses[j];
      pending += !done[l];
    }
    if (pending == 0) continue;
    guess_arcs(B0 + first, B1 + first, C + first, gamma, n, len, start, length, false);
    for (int l = 0; l < len; ++l) {
      if (done[l]) continue;
      const int j = first + l;
      const double b0 = B0[j], b1 = B1[j], c = C[j];
      const Arc guess{static_cast<std::int32_t>(start[l]), static_cast<std::int32_t>(length[l])};
      if (guess.start >= 0 && (guess.length == 0 || guess.length == n)) {
        arcs[j] = guess;  // proven by the bound in guess_arcs
      } else if (guess.start >= 0 && arc_checks(xy, n, guess, b0, b1, gamma, c)) {
        arcs[j] = guess;
      } else {
        arcs[j] = scan_arc(x0, x1, n, b0, b1, gamma, c);
        ++scanned;
      }
    }
  }
  return scanned;
}

// Difference arrays of (A, B, C) by grid slot, interleaved (one cache line per update; three
// separate arrays cost three): d[4·slot + v] holds what of component v starts (+) or stops (−)
// at the slot's point.
struct Delta {
  const CircleGrid& grid;
  double* d;
  void add(int i, double va, double vb, double vc) const noexcept {
    double* e = d + 4 * std::size_t(grid.slot(i));
    e[0] += va;
    e[1] += vb;
    e[2] += vc;
  }
  // (va, vb, vc) on points s, s + 1, …, s + L − 1 (mod n).
  void add_run(int s, int L, double va, double vb, double vc) const noexcept {
    const int n = grid.n;
    if (L == n) {
      add(0, va, vb, vc);
      return;
    }
    add(s, va, vb, vc);
    const int e = s + L;
    if (e < n) {
      add(e, -va, -vb, -vc);
    } else if (e > n) {  // wraps: on from 0 up to e − n
      add(0, va, vb, vc);
      add(e - n, -va, -vb, -vc);
    }
  }
};

// Unit j's terms a_j (b_0j, b_1j, γc_j) on its active set.
void add_unit(const Delta& delta, const Quadrature& q, const TwoLayerNet& net, int j, Arc arc) {
  if (arc.length == 0) return;
  const int n = q.size();
  const double gamma = net.spec().bias_scale;
  const double a = net.a()[j], b0 = net.b_row(0)[j], b1 = net.b_row(1)[j], c = net.c()[j], gc = gamma * c;
  const double va = a * b0, vb = a * b1, vc = a * gc;
  if (arc.length != Arc::kIrregular) {
    delta.add_run(arc.start, arc.length, va, vb, vc);
    return;
  }
  // Several runs: each one from its first point up to the next point that is off.
  const double* x0 = q.coordinate(0);
  const double* x1 = q.coordinate(1);
  const auto on = [&](int i) { return active(b0, b1, gamma, c, x0[i % n], x1[i % n]); };
  for (int i = 0; i < n; ++i)
    if (on(i) && !on(i + n - 1)) {
      int e = i + 1;
      while (e < i + n && on(e)) ++e;
      delta.add_run(i, e - i, va, vb, vc);
    }
}

// Σ_i w_i (g_i − t_i)², g_i = (A_i x_0i + B_i x_1i + C_i)/√M with (A, B, C)_i the running sums of the
// difference arrays. With 8 lanes, each of the 8 blocks of K points starts from its base (the
// compensated sum of the block totals before it) and runs through its K points, all 8 in one
// vector step (GCC vector types: the loop vectoriser kept the running sums in memory); the
// rounding of a running sum is then a few ulp of the values it passes through over K steps,
// whatever M.
using Vec8 = double __attribute__((vector_size(64)));
using Idx8 = std::int64_t __attribute__((vector_size(64)));

struct Deltas8 {
  Vec8 a, b, c;
};
// Slots 8k .. 8k + 7, stored (a, b, c, unused) each, as three vectors.
[[gnu::always_inline]] inline Deltas8 load_deltas(const double* e) noexcept {
  Vec8 v0, v1, v2, v3;
  std::memcpy(&v0, e, sizeof v0);
  std::memcpy(&v1, e + 8, sizeof v1);
  std::memcpy(&v2, e + 16, sizeof v2);
  std::memcpy(&v3, e + 24, sizeof v3);
  const Idx8 lo_ab{0, 4, 8, 12, 1, 5, 9, 13}, lo_c{2, 6, 10, 14, 3, 7, 11, 15};
  const Idx8 first{0, 1, 2, 3, 8, 9, 10, 11}, second{4, 5, 6, 7, 12, 13, 14, 15};
  const Vec8 ab01 = __builtin_shuffle(v0, v1, lo_ab), ab23 = __builtin_shuffle(v2, v3, lo_ab);
  const Vec8 c01 = __builtin_shuffle(v0, v1, lo_c), c23 = __builtin_shuffle(v2, v3, lo_c);
  return {__builtin_shuffle(ab01, ab23, first), __builtin_shuffle(ab01, ab23, second),
          __builtin_shuffle(c01, c23, first)};
}

// Both leave d's first n slots zero (each read for the last time in the second pass), so that the
// next checkpoint needs no separate clearing pass.
NTKSWEEP_HOT_CLONES double sum_squared_residuals8(const CircleGrid& grid, double* __restrict d, double inv_sqrt_m) {
  const int K = grid.n / 8;
  Vec8 ta = {}, tb = {}, tc = {};
  for (int k = 0; k < K; ++k) {
    const Deltas8 e = load_deltas(d + 32 * std::size_t(k));
    ta += e.a;
    tb += e.b;
    tc += e.c;
  }
  // The block totals' compensated exclusive prefix (Neumaier): each block's starting value.
  Vec8 base[3];
  const Vec8 totals[3] = {ta, tb, tc};
  for (int v = 0; v < 3; ++v) {
    double sum = 0.0, comp = 0.0;
    for (int b = 0; b < 8; ++b) {
      base[v][b] = sum + comp;
      const double x = totals[v][b], t = sum + x;
      comp += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
      sum = t;
    }
  }
  Vec8 A = base[0], B = base[1], C = base[2], acc = {};
  for (int k = 0; k < K; ++k) {
    const Deltas8 e = load_deltas(d + 32 * std::size_t(k));
    std::memset(d + 32 * std::size_t(k), 0, 32 * sizeof(double));
    A += e.a;
    B += e.b;
    C += e.c;
    Vec8 x0, x1, w, t;
    std::memcpy(&x0, grid.x0.data() + 8 * std::size_t(k), sizeof x0);
    std::memcpy(&x1, grid.x1.data() + 8 * std::size_t(k), sizeof x1);
    std::memcpy(&w, grid.weight.data() + 8 * std::size_t(k), sizeof w);
    std::memcpy(&t, grid.target.data() + 8 * std::size_t(k), sizeof t);
    // Element-wise, the same operations as the one-lane path below (no contraction: the build
    // forbids it, and vector + and * are separate instructions).
    Vec8 out;
    for (int b = 0; b < 8; ++b) out[b] = std::fma(A[b], x0[b], std::fma(B[b], x1[b], C[b]));
    const Vec8 r = out * inv_sqrt_m - t;
    for (int b = 0; b < 8; ++b) acc[b] = std::fma(w[b] * r[b], r[b], acc[b]);
  }
  double sum = 0.0;
  for (int b = 0; b < 8; ++b) sum += acc[b];
  return sum;
}

// The same with one lane (n not 8 times a power of two): a compensated running sum.
double sum_squared_residuals1(const CircleGrid& grid, double* d, double inv_sqrt_m) {
  double s[3] = {}, comp[3] = {}, sum = 0.0;
  for (int i = 0; i < grid.n; ++i) {
    double v[3];
    for (int c = 0; c < 3; ++c) {
      const double x = d[4 * std::size_t(i) + c], t = s[c] + x;
      comp[c] += std::fabs(s[c]) >= std::fabs(x) ? (s[c] - t) + x : (x - t) + s[c];
      s[c] = t;
      v[c] = s[c] + comp[c];
    }
    std::fill(d + 4 * std::size_t(i), d + 4 * std::size_t(i + 1), 0.0);
    const double out = std::fma(v[0], grid.x0[i], std::fma(v[1], grid.x1[i], v[2]));
    const double r = out * inv_sqrt_m - grid.target[i];
    sum = std::fma(grid.weight[i] * r, r, sum);
  }
  return sum;
}

// z_j > 0 on ring point (x_0, x_1, x_2) with the SGD pass's rounding, p = b_0·x_0 given.
[[gnu::always_inline]] inline bool active3(double p, double b1, double b2, double gamma, double c, double x1,
                                           double x2) noexcept {
  return std::fma(gamma, c, std::fma(b2, x2, std::fma(b1, x1, p))) > 0.0;
}

// One unit's active set on one ring's n points (coordinates x1, x2), p = b_0 z_r.
Arc scan_ring(const double* x1, const double* x2, int n, double p, double b1, double b2, double gamma,
              double c) noexcept {
  return scan_run(n, [&](int i) { return active3(p, b1, b2, gamma, c, x1[i], x2[i]); });
}

// The ring arcs of every unit: per ring, the circle's angle guesses for the cosine
// ρ_r (b_1, b_2)·(cos ψ, sin ψ) plus the constant fma(γ, c, b_0 z_r), then exact checks.
//
// Nowhere / everywhere are accepted only under a bound on the whole rounding of z (a few ulp of
// |b_0 z_r| + |γc| + ρ_r(|b_1| + |b_2|), not of the constant after cancellation). An arc is accepted
// only where the cosine is not flat against that rounding, ρ' h² > 1e-12 scale with h = 2π/n_phi:
// two points on one side of the cosine's extremum then differ in z by ≥ ρ' h²/2, far more than
// the rounding, so only neighbours of a crossing can have their sign flipped by rounding and the
// direct active set is one run, which the four checks pin down. Anything else is scanned.
int ring_arcs_impl(const RingGrid& g, const TwoLayerNet& net, Arc* arcs) {
  const int M = net.width(), n = g.n_phi;
  const double gamma = net.spec().bias_scale;
  const double h = 2.0 * std::numbers::pi / n, h2 = h * h;
  const double* B0 = net.b_row(0);
  const double* B1 = net.b_row(1);
  const double* B2 = net.b_row(2);
  const double* C = net.c();
  alignas(64) double u[kChunk], v[kChunk], k[kChunk], start[kChunk], length[kChunk];
  alignas(64) int verified[kChunk], idx[kChunk];
  alignas(64) double whole[kChunk], pb[kChunk], b1s[kChunk], b2s[kChunk], cs[kChunk];
  int scanned = 0;
  for (int r = 0; r < g.n_rings; ++r) {
    const double z = g.height[r], rho = g.radius[r];
    const double* x1 = g.x1.data() + std::size_t(r) * n;
    const double* x2 = g.x2.data() + std::size_t(r) * n;
    Arc* out = arcs + std::size_t(r) * M;
    for (int first = 0; first < M; first += kChunk) {
      const int len = std::min(kChunk, M - first);
      // Whole rings first (most of them: the unit's plane misses the ring), under the bound on
      // the rounding of z: 1 nowhere, 2 everywhere, 0 a run to find.
#pragma GCC ivdep
      for (int l = 0; l < len; ++l) {
        const int j = first + l;
        const double uj = rho * B1[j], vj = rho * B2[j], p = B0[j] * z, kj = std::fma(gamma, C[j], p);
        const double amp = std::sqrt(uj * uj + vj * vj);
        const double tol = 1e-12 * (std::fabs(p) + std::fabs(gamma * C[j]) + std::fabs(uj) + std::fabs(vj)) + 1e-300;
        const double none = kj + amp < -tol ? 1.0 : 0.0, all = kj - amp > tol ? 2.0 : 0.0;
        whole[l] = none + all;  // (selects on doubles: the loop stays branch-free)
      }
      int m = 0;
      for (int l = 0; l < len; ++l) {
        idx[m] = l;
        m += whole[l] == 0.0;
      }
      for (int q = 0; q < m; ++q) {
        const int j = first + idx[q];
        pb[q] = B0[j] * z;
        b1s[q] = B1[j];
        b2s[q] = B2[j];
        cs[q] = C[j];
        u[q] = rho * B1[j];
        v[q] = rho * B2[j];
        k[q] = std::fma(gamma, C[j], pb[q]);
      }
      guess_arcs(u, v, k, 1.0, n, m, start, length, false);
      // The guessed runs checked, branch-free so that it vectorises (the grid reads become
      // gathers); indices are kept in [0, n) whatever the guess.
#pragma GCC ivdep
      for (int q = 0; q < m; ++q) {
        const double p = pb[q], b1 = b1s[q], b2 = b2s[q], c = cs[q];
        const double amp = std::sqrt(u[q] * u[q] + v[q] * v[q]);
        const double scale = std::fabs(p) + std::fabs(gamma * c) + std::fabs(u[q]) + std::fabs(v[q]);
        const double tol = 1e-12 * scale + 1e-300;
        const double dn = n, S = start[q], L = length[q];  // S ∈ [−1, n), L ∈ [0, n]
        const double s0 = S < 0.0 ? 0.0 : S;
        const double before = s0 == 0.0 ? dn - 1.0 : s0 - 1.0;
        double last = s0 + L - 1.0, after = s0 + L;
        last = last >= dn ? last - dn : last;
        last = last < 0.0 ? 0.0 : last;
        after = after >= dn ? after - dn : after;
        const int is = static_cast<int>(s0), ib = static_cast<int>(before), il = static_cast<int>(last),
                  ia = static_cast<int>(after);
        // Bitwise & (no short-circuit branches). Nowhere / everywhere guesses are not taken here:
        // the bound above already refused them.
        const int on_s = active3(p, b1, b2, gamma, c, x1[is], x2[is]);
        const int off_b = !active3(p, b1, b2, gamma, c, x1[ib], x2[ib]);
        const int on_l = active3(p, b1, b2, gamma, c, x1[il], x2[il]);
        const int off_a = !active3(p, b1, b2, gamma, c, x1[ia], x2[ia]);
        verified[q] = int(amp * h2 > tol) & on_s & off_b & on_l & off_a & int(L != 0.0) & int(L != dn) &
                      int(S >= 0.0);
      }
      for (int l = 0; l < len; ++l)
        out[first + l] = {0, whole[l] == 2.0 ? n : 0};
      for (int q = 0; q < m; ++q) {
        const int j = first + idx[q];
        if (verified[q]) {
          out[j] = {static_cast<std::int32_t>(start[q]), static_cast<std::int32_t>(length[q])};  // both in range
        } else {
          out[j] = scan_ring(x1, x2, n, B0[j] * z, B1[j], B2[j], gamma, C[j]);
          ++scanned;
        }
      }
    }
  }
  return scanned;
}

}  // namespace

namespace {
bool finite_params(const TwoLayerNet& net) noexcept {
  const auto p = net.params();
  return all_finite(p.data(), static_cast<int>(p.size())) && std::isfinite(net.spec().bias_scale);
}

// The circle's fast path apart from the parameters' finiteness (what circle_fast_path adds).
bool circle_shape(const Quadrature& q, const TwoLayerNet& net) noexcept {
  return q.kind == Quadrature::Kind::Equispaced && q.dim == 2 && net.dim() == 2 && q.size() >= 3;
}
}  // namespace

namespace {
// The buffers the last CircleScratch on this thread left behind (see CircleScratch). `pool_gone`
// (trivially destructible, so readable at any time) marks the pool destroyed at thread exit: a
// scratch destroyed after that (a static one, at program exit) frees its buffers as usual.
struct SpareBuffers {
  std::vector<Arc> arcs, init_arcs;
  std::vector<double> delta;
  ~SpareBuffers();
};
thread_local bool pool_gone = false;
thread_local SpareBuffers spare;
SpareBuffers::~SpareBuffers() { pool_gone = true; }

// The larger of the two buffers into `keep`, emptied (no element survives into another scratch).
template <class T>
void keep_larger(std::vector<T>& keep, std::vector<T>& from) noexcept {
  if (from.capacity() > keep.capacity()) keep.swap(from);
  keep.clear();
}
}  // namespace

CircleScratch::CircleScratch() {
  if (pool_gone) return;
  arcs.swap(spare.arcs);
  init_arcs.swap(spare.init_arcs);
  delta.swap(spare.delta);
  delta_clean = false;  // whatever the last scratch left there
}

CircleScratch::~CircleScratch() {
  if (pool_gone) return;
  keep_larger(spare.arcs, arcs);
  keep_larger(spare.init_arcs, init_arcs);
  keep_larger(spare.delta, delta);
}

bool circle_fast_path(const Quadrature& q, const TwoLayerNet& net) noexcept {
  return circle_shape(q, net) && finite_params(net);
}

CircleGrid::CircleGrid(const Quadrature& q, const std::vector<double>& target_values) : n(q.size()) {
  const int K = n / 8;
  if (n % 8 == 0 && K > 0 && (K & (K - 1)) == 0) {
    lanes = 8;
    while ((1 << shift) < K) ++shift;
  }
  x0.resize(std::size_t(n));
  x1.resize(std::size_t(n));
  weight.resize(std::size_t(n));
  target.resize(std::size_t(n));
  xy.resize(2 * std::size_t(n + 1));
  xy[0] = q.coordinate(0)[n - 1];
  xy[1] = q.coordinate(1)[n - 1];
  for (int i = 0; i < n; ++i) {
    xy[2 * std::size_t(i) + 2] = q.coordinate(0)[i];
    xy[2 * std::size_t(i) + 3] = q.coordinate(1)[i];
    const int k = slot(i);
    x0[k] = q.coordinate(0)[i];
    x1[k] = q.coordinate(1)[i];
    weight[k] = q.weights[i];
    target[k] = target_values[i];
  }
}

int circle_arcs(const Quadrature& q, const TwoLayerNet& net, Arc* arcs, const Arc* guesses) {
  const CircleGrid grid(q, std::vector<double>(std::size_t(q.size()), 0.0));
  return arcs_impl(q, grid, net, arcs, guesses);
}

void circle_arcs_of(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net, CircleScratch& scratch) {
  // No guesses from the last checkpoint: measured, about 2/3 of the arc ends move by a grid step
  // or more between checkpoints (8 per decade, n = 4096), and a failed check costs more than the
  // vectorised angle guess it would save.
  scratch.arcs.resize(std::size_t(net.width()));
  arcs_impl(q, grid, net, scratch.arcs.data(), nullptr);
}

bool circle_arcs_of_checked(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                            CircleScratch& scratch, const TwoLayerNet* init, long long* pattern_changes) {
  if (!circle_shape(q, net) || !std::isfinite(net.spec().bias_scale)) return false;
  const std::size_t m = std::size_t(net.width());
  ArcsPass pass;
  if (init) {
    if (scratch.init != init || scratch.init_arcs.size() != m) {
      scratch.init_arcs.resize(m);
      arcs_impl(q, grid, *init, scratch.init_arcs.data(), nullptr);
      scratch.init = init;
    }
    pass.then = scratch.init_arcs.data();
  }
  scratch.arcs.resize(m);
  arcs_impl(q, grid, net, scratch.arcs.data(), nullptr, &pass);
  if (!pass.finite) return false;
  if (init)
    *pattern_changes = pass.irregular ? circle_pattern_changes_from_arcs(q, grid, net, *init, scratch) : pass.changed;
  return true;
}

double circle_relu_excess_risk(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                               CircleScratch& scratch) {
  circle_arcs_of(q, grid, net, scratch);
  return circle_relu_excess_risk_from_arcs(q, grid, net, scratch);
}

long long circle_pattern_changes(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                                 const TwoLayerNet& init, CircleScratch& scratch) {
  circle_arcs_of(q, grid, net, scratch);
  return circle_pattern_changes_from_arcs(q, grid, net, init, scratch);
}

double circle_relu_excess_risk_from_arcs(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                                         CircleScratch& scratch) {
  const int n = q.size(), M = net.width();
  const double gamma = net.spec().bias_scale;
  const double inv_sqrt_m = 1.0 / std::sqrt(static_cast<double>(M));
  const std::vector<Arc>& arcs = scratch.arcs;
  assert(arcs.size() == std::size_t(M));
  // Slots n, …, n + kTrash − 1: the trash of the branch-free scatter below, 8 per pair of units
  // and 8 pairs in rotation.
  constexpr int kTrash = 64;
  const std::size_t size = 4 * std::size_t(n + kTrash);
  if (!scratch.delta_clean || scratch.delta.size() != size) {
    scratch.delta.assign(size, 0.0);
  } else {
    std::fill(scratch.delta.begin() + 4 * std::ptrdiff_t(n), scratch.delta.end(), 0.0);  // the trash
  }
  scratch.delta_clean = false;
  const Delta delta{grid, scratch.delta.data()};
  double* d = scratch.delta.data();
  const double* A = net.a();
  const double* B0 = net.b_row(0);
  const double* B1 = net.b_row(1);
  const double* C = net.c();
  // (va, vb, vc) on the arc's points as difference entries: + at its start, − after its end, and
  // + at point 0 if it wraps; the entries an arc does not need go to a trash slot. Branch-free:
  // whether an arc is empty, whole or wraps is not predictable. Each real slot receives the same
  // additions in the same unit order as with add_run (so the same bits): per unit its (at most
  // three) slots are distinct, and ±0 added to a slot changes nothing (a slot never holds −0).
  // One slot's (A, B, C, unused) as one 4-wide vector: the same element-wise additions, one load
  // and one store per slot.
  using Vec4 = double __attribute__((vector_size(32)));
  const auto scatter = [&](Arc arc, Vec4 v, int trash) {
    const int st = arc.start, L = arc.length, e = st + L;
    const int sa = L == 0 ? trash : grid.slot(st);
    const int sb = L == 0 || e == n ? trash + 1 : grid.slot(e > n ? e - n : e);
    const int sc = e > n ? 0 : trash + 2;  // slot(0) = 0
    Vec4 x;
    std::memcpy(&x, d + 4 * std::size_t(sa), sizeof x);
    x += v;
    std::memcpy(d + 4 * std::size_t(sa), &x, sizeof x);
    std::memcpy(&x, d + 4 * std::size_t(sb), sizeof x);
    x -= v;
    std::memcpy(d + 4 * std::size_t(sb), &x, sizeof x);
    std::memcpy(&x, d + 4 * std::size_t(sc), sizeof x);
    x += v;
    std::memcpy(d + 4 * std::size_t(sc), &x, sizeof x);
  };
  // Units j and j + M/2 are added together when their arcs agree, like the network's own sum:
  // at the symmetric initialization their terms cancel exactly and g_{Θ₀} ≡ 0 here too.
  const int half = M / 2;
  constexpr int kAhead = 8;  // units: the updates are random accesses to 32 n bytes (L2), prefetched
  const auto prefetch = [&](Arc arc) {
    __builtin_prefetch(d + 4 * std::size_t(grid.slot(arc.start)), 1);
    const int e = arc.start + std::max(arc.length, 0);  // (irregular: length −1)
    __builtin_prefetch(d + 4 * std::size_t(grid.slot(e >= n ? e - n : e)), 1);
  };
  for (int j = 0; j < half; ++j) {
    const int k = j + half;
    if (j + kAhead < half) {
      prefetch(arcs[j + kAhead]);
      prefetch(arcs[k + kAhead]);
    }
    const Arc aj = arcs[j], ak = arcs[k];
    if ((aj.length | ak.length) < 0) [[unlikely]] {  // an irregular unit: as add_run / add_unit
      for (const int u : {j, k}) {
        const Arc a = arcs[u];
        if (a.length > 0) {
          delta.add_run(a.start, a.length, A[u] * B0[u], A[u] * B1[u], A[u] * (gamma * C[u]));
        } else if (a.length == Arc::kIrregular) {
          add_unit(delta, q, net, u, a);
        }
      }
      continue;
    }
    const bool same = aj == ak;
    const double kb0 = A[k] * B0[k], kb1 = A[k] * B1[k], kc = A[k] * (gamma * C[k]);
    // A trash slot for each add, in rotation: a shared slot would chain the adds through its
    // latency (load, add, store, forwarded to the next load).
    const int trash = n + 8 * (j & 7);
    scatter(aj,
            Vec4{A[j] * B0[j] + (same ? kb0 : 0.0), A[j] * B1[j] + (same ? kb1 : 0.0),
                 A[j] * (gamma * C[j]) + (same ? kc : 0.0), 0.0},
            trash);
    scatter(same ? Arc{0, 0} : ak, Vec4{kb0, kb1, kc, 0.0}, trash + 4);
  }
  const double sum = grid.lanes == 8 ? sum_squared_residuals8(grid, delta.d, inv_sqrt_m)
                                     : sum_squared_residuals1(grid, delta.d, inv_sqrt_m);
  scratch.delta_clean = true;
  return sum;
}

long long circle_pattern_changes_from_arcs(const Quadrature& q, const CircleGrid& grid, const TwoLayerNet& net,
                                           const TwoLayerNet& init, CircleScratch& scratch) {
  const int n = q.size(), M = net.width();
  const double gamma = net.spec().bias_scale;
  const std::size_t m = std::size_t(M);
  assert(scratch.arcs.size() == m);
  if (scratch.init != &init || scratch.init_arcs.size() != m) {
    scratch.init_arcs.resize(m);
    arcs_impl(q, grid, init, scratch.init_arcs.data(), nullptr);
    scratch.init = &init;
  }
  const std::vector<Arc>& now = scratch.arcs;
  const std::vector<Arc>& then = scratch.init_arcs;
  const double* x0 = q.coordinate(0);
  const double* x1 = q.coordinate(1);
  static_assert(sizeof(Arc) == sizeof(std::uint64_t));
  // Arcs compared as 64-bit words, branch-free (vectorised); only if some arc is irregular are
  // the units compared one by one.
  long long changed = 0;
  int irregular = 0;
  for (int j = 0; j < M; ++j) {
    std::uint64_t u, v;
    std::memcpy(&u, &now[j], sizeof u);
    std::memcpy(&v, &then[j], sizeof v);
    changed += u != v;
    irregular |= int(now[j].length == Arc::kIrregular) | int(then[j].length == Arc::kIrregular);
  }
  if (!irregular) return changed;
  changed = 0;
  for (int j = 0; j < M; ++j) {
    if (now[j].length != Arc::kIrregular && then[j].length != Arc::kIrregular) {
      changed += now[j] != then[j];
      continue;
    }
    const double b0 = net.b_row(0)[j], b1 = net.b_row(1)[j], c = net.c()[j];
    const double i0 = init.b_row(0)[j], i1 = init.b_row(1)[j], ic = init.c()[j];
    bool differs = false;
    for (int i = 0; i < n && !differs; ++i)
      differs = active(b0, b1, gamma, c, x0[i], x1[i]) != active(i0, i1, gamma, ic, x0[i], x1[i]);
    changed += differs;
  }
  return changed;
}

bool RingGrid::applies(const Quadrature& q) noexcept {
  if (q.kind != Quadrature::Kind::GaussProduct || q.dim != 3) return false;
  const int n = q.size();
  int nz = static_cast<int>(std::lround(std::sqrt(n / 2.0)));
  if (nz < 2 || 2 * nz * nz != n) return false;
  const int nphi = 2 * nz;
  // The layout Quadrature::sphere2 writes; the exactness argument needs equispaced azimuths.
  for (int r = 0; r < nz; ++r) {
    const double z = q.coordinate(0)[std::size_t(r) * nphi];
    const double rho = std::sqrt(std::max(0.0, 1.0 - z * z));
    for (int b = 0; b < nphi; ++b) {
      const std::size_t i = std::size_t(r) * nphi + b;
      const double psi = 2.0 * std::numbers::pi * b / nphi;
      if (q.coordinate(0)[i] != z || std::fabs(q.coordinate(1)[i] - rho * std::cos(psi)) > 1e-12 ||
          std::fabs(q.coordinate(2)[i] - rho * std::sin(psi)) > 1e-12)
        return false;
    }
  }
  return true;
}

RingGrid::RingGrid(const Quadrature& q, const std::vector<double>& target_values) {
  assert(applies(q));
  const int n = q.size();
  n_rings = static_cast<int>(std::lround(std::sqrt(n / 2.0)));
  n_phi = 2 * n_rings;
  height.resize(std::size_t(n_rings));
  radius.resize(std::size_t(n_rings));
  for (int r = 0; r < n_rings; ++r) {
    height[r] = q.coordinate(0)[std::size_t(r) * n_phi];
    radius[r] = std::sqrt(std::max(0.0, 1.0 - height[r] * height[r]));
  }
  x1.assign(q.coordinate(1), q.coordinate(1) + n);
  x2.assign(q.coordinate(2), q.coordinate(2) + n);
  weight = q.weights;
  target = target_values;
}

bool ring_fast_path(const Quadrature& q, const TwoLayerNet& net) noexcept {
  return q.kind == Quadrature::Kind::GaussProduct && q.dim == 3 && net.dim() == 3 && finite_params(net);
}

int ring_arcs(const RingGrid& grid, const TwoLayerNet& net, Arc* arcs) { return ring_arcs_impl(grid, net, arcs); }

void ring_arcs_of(const RingGrid& grid, const TwoLayerNet& net, CircleScratch& scratch) {
  scratch.arcs.resize(std::size_t(grid.n_rings) * std::size_t(net.width()));
  ring_arcs_impl(grid, net, scratch.arcs.data());
}

double ring_relu_excess_risk_from_arcs(const RingGrid& grid, const TwoLayerNet& net, CircleScratch& scratch) {
  const int n = grid.n_phi, M = net.width();
  const double gamma = net.spec().bias_scale;
  const double inv_sqrt_m = 1.0 / std::sqrt(static_cast<double>(M));
  assert(scratch.arcs.size() == std::size_t(grid.n_rings) * std::size_t(M));
  constexpr int kTrash = 16;  // slots n, …, n + kTrash − 1: the trash of the branch-free scatter
  scratch.delta.resize(4 * std::size_t(n + kTrash));
  scratch.delta_clean = false;
  double* d = scratch.delta.data();
  const double* A = net.a();
  const double* B0 = net.b_row(0);
  const double* B1 = net.b_row(1);
  const double* B2 = net.b_row(2);
  const double* C = net.c();
  // (vb, vc, ve) on the ring's points s, …, s + L − 1 (mod n), as difference entries.
  const auto add = [&](int i, double vb, double vc, double ve) {
    double* e = d + 4 * std::size_t(i);
    e[0] += vb;
    e[1] += vc;
    e[2] += ve;
  };
  const auto add_run = [&](Arc arc, double vb, double vc, double ve) {
    if (arc.length == n) {
      add(0, vb, vc, ve);
      return;
    }
    add(arc.start, vb, vc, ve);
    const int e = arc.start + arc.length;
    if (e < n) {
      add(e, -vb, -vc, -ve);
    } else if (e > n) {
      add(0, vb, vc, ve);
      add(e - n, -vb, -vc, -ve);
    }
  };
  const int half = M / 2;
  double sum = 0.0;
  for (int r = 0; r < grid.n_rings; ++r) {
    std::fill(d, d + 4 * std::size_t(n + kTrash), 0.0);
    const double z = grid.height[r];
    const double* x1 = grid.x1.data() + std::size_t(r) * n;
    const double* x2 = grid.x2.data() + std::size_t(r) * n;
    const Arc* arcs = scratch.arcs.data() + std::size_t(r) * M;
    // Unit u's terms a_u (b_1u, b_2u, b_0u z_r + γc_u) on its active set of the ring.
    const auto add_unit = [&](int u) {
      const Arc arc = arcs[u];
      if (arc.length == 0) return;
      const double a = A[u], e = std::fma(gamma, C[u], B0[u] * z);
      if (arc.length != Arc::kIrregular) {
        add_run(arc, a * B1[u], a * B2[u], a * e);
        return;
      }
      const double p = B0[u] * z;
      for (int i = 0; i < n; ++i)
        if (active3(p, B1[u], B2[u], gamma, C[u], x1[i], x2[i])) add_run({i, 1}, a * B1[u], a * B2[u], a * e);
    };
    // Units j and j + M/2 together when their runs agree, like the circle: at the symmetric
    // initialization their terms cancel exactly. Branch-free (which pairs agree is not
    // predictable): three adds per run, the ones a run does not need going to trash slots ≥ n.
    const auto scatter = [&](Arc arc, double vb, double vc, double ve, int trash) {
      const int st = arc.start, L = arc.length, e = st + L;
      const int sa = L == 0 ? trash : st;
      const int sb = L == 0 || e == n ? trash : (e > n ? e - n : e);
      const int sc = e > n ? 0 : trash;
      double* pa = d + 4 * std::size_t(sa);
      pa[0] += vb;
      pa[1] += vc;
      pa[2] += ve;
      double* pb = d + 4 * std::size_t(sb);
      pb[0] -= vb;
      pb[1] -= vc;
      pb[2] -= ve;
      double* pc = d + 4 * std::size_t(sc);
      pc[0] += vb;
      pc[1] += vc;
      pc[2] += ve;
    };
    for (int j = 0; j < half; ++j) {
      const int k = j + half;
      const Arc aj = arcs[j], ak = arcs[k];
      if ((aj.length | ak.length) < 0) [[unlikely]] {  // an irregular unit
        add_unit(j);
        add_unit(k);
        continue;
      }
      const bool same = aj == ak;
      const double ej = std::fma(gamma, C[j], B0[j] * z), ek = std::fma(gamma, C[k], B0[k] * z);
      const double kb = A[k] * B1[k], kc = A[k] * B2[k], ke = A[k] * ek;
      // Trash slots in rotation: one slot would chain every unit's adds through its latency.
      const int trash = n + (j & (kTrash - 1));
      scatter(aj, A[j] * B1[j] + (same ? kb : 0.0), A[j] * B2[j] + (same ? kc : 0.0), A[j] * ej + (same ? ke : 0.0),
              trash);
      scatter(same ? Arc{0, 0} : ak, same ? 0.0 : kb, same ? 0.0 : kc, same ? 0.0 : ke, trash);
    }
    if (M % 2 == 1) add_unit(M - 1);
    // Compensated running sums (Neumaier) of the three components along the ring.
    double s[3] = {}, comp[3] = {};
    for (int i = 0; i < n; ++i) {
      double val[3];
      for (int c = 0; c < 3; ++c) {
        const double x = d[4 * std::size_t(i) + c], t = s[c] + x;
        comp[c] += std::fabs(s[c]) >= std::fabs(x) ? (s[c] - t) + x : (x - t) + s[c];
        s[c] = t;
        val[c] = s[c] + comp[c];
      }
      const std::size_t p = std::size_t(r) * n + i;
      const double out = std::fma(val[0], x1[i], std::fma(val[1], x2[i], val[2]));
      const double res = out * inv_sqrt_m - grid.target[p];
      sum = std::fma(grid.weight[p] * res, res, sum);
    }
  }
  return sum;
}

long long ring_pattern_changes_from_arcs(const RingGrid& grid, const TwoLayerNet& net, const TwoLayerNet& init,
                                         CircleScratch& scratch) {
  const int n = grid.n_phi, M = net.width();
  const double gamma = net.spec().bias_scale;
  const std::size_t size = std::size_t(grid.n_rings) * std::size_t(M);
  assert(scratch.arcs.size() == size);
  if (scratch.init != &init || scratch.init_arcs.size() != size) {
    scratch.init_arcs.resize(size);
    ring_arcs_impl(grid, init, scratch.init_arcs.data());
    scratch.init = &init;
  }
  std::vector<std::uint8_t> differs(std::size_t(M), 0);
  for (int r = 0; r < grid.n_rings; ++r) {
    const Arc* now = scratch.arcs.data() + std::size_t(r) * M;
    const Arc* then = scratch.init_arcs.data() + std::size_t(r) * M;
    const double z = grid.height[r];
    const double* x1 = grid.x1.data() + std::size_t(r) * n;
    const double* x2 = grid.x2.data() + std::size_t(r) * n;
    for (int j = 0; j < M; ++j) {
      if (now[j].length != Arc::kIrregular && then[j].length != Arc::kIrregular) {
        differs[j] |= now[j] != then[j];
        continue;
      }
      if (differs[j]) continue;
      const double p = net.b_row(0)[j] * z, p0 = init.b_row(0)[j] * z;
      for (int i = 0; i < n && !differs[j]; ++i)
        differs[j] = active3(p, net.b_row(1)[j], net.b_row(2)[j], gamma, net.c()[j], x1[i], x2[i]) !=
                     active3(p0, init.b_row(1)[j], init.b_row(2)[j], gamma, init.c()[j], x1[i], x2[i]);
    }
  }
  long long changed = 0;
  for (const std::uint8_t f : differs) changed += f;
  return changed;
}

}  // namespace ntksweep::model::detail
