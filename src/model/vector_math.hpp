// Private to the model's hot loops (sgd.cpp, excess_risk.cpp): e^x and the logistic function
// written for loops the compiler vectorises, with every multiply-add an explicit std::fma (the
// build forbids silent contraction, and the polynomial is half the cost with FMA).
//
// Same algorithm as fast_exp (fast_exp.hpp): Cody–Waite reduction x = n ln2 + r, |r| ≤ ln2/2,
// the degree-12 Taylor polynomial of e^r (truncation < 2e-16 relative), 2^n built in the exponent
// bits; inputs clamped to [−708, 708]. The results differ from fast_exp by rounding only (a few
// ulp at most), and are the same on every machine with IEEE FMA. Unlike fast_exp, a NaN argument
// gives a finite value (the clamp is written so that it compiles to max/min-style selects); the
// callers use e^(−s z) only next to a factor z (σ = z p), which carries the NaN on.
// n is read from the low bits of the shifted value x·log2e + 1.5·2^52 instead of a conversion,
// which saves an instruction and needs no AVX-512DQ.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

// Portable builds (NTKSWEEP_NATIVE=OFF) target baseline x86-64, which has no FMA instruction:
// std::fma becomes a libm call and the hot loops stop vectorising. There the hot entry points
// are compiled several times (AVX-512, AVX2+FMA, baseline) and the loader picks the best for the
// host (GCC target_clones; flatten, so that the kernels are inlined into each clone). Every clone computes the same correctly rounded std::fma and
// division, so the results are bit-identical whichever runs.
#if defined(NTKSWEEP_TARGET_CLONES)
#define NTKSWEEP_HOT_CLONES [[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"), gnu::flatten]]
#else
#define NTKSWEEP_HOT_CLONES
#endif

namespace ntksweep::model::detail {

[[gnu::always_inline]] inline double exp_fma(double x) noexcept {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 0.693147180369123816490;  // high bits of ln 2 (n·kLn2Hi is exact)
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShift = 6755399441055744.0;  // 1.5·2^52: adding it rounds to an integer
  // Written as x86 MAXPD/MINPD semantics (one instruction each): NaN becomes a bound.
  x = x > -708.0 ? x : -708.0;
  x = x < 708.0 ? x : 708.0;
  const double shifted = std::fma(x, kLog2e, kShift);  // n + 1.5·2^52, n in the low mantissa bits
  const double nd = shifted - kShift;
  const double r = std::fma(-nd, kLn2Lo, std::fma(-nd, kLn2Hi, x));
  double p = 1.0 / 479001600.0;
  p = std::fma(p, r, 1.0 / 39916800.0);
  p = std::fma(p, r, 1.0 / 3628800.0);
  p = std::fma(p, r, 1.0 / 362880.0);
  p = std::fma(p, r, 1.0 / 40320.0);
  p = std::fma(p, r, 1.0 / 5040.0);
  p = std::fma(p, r, 1.0 / 720.0);
  p = std::fma(p, r, 1.0 / 120.0);
  p = std::fma(p, r, 1.0 / 24.0);
  p = std::fma(p, r, 1.0 / 6.0);
  p = std::fma(p, r, 0.5);
  p = std::fma(p, r, 1.0);
  p = std::fma(p, r, 1.0);
  // 2^n: (n + 1023) << 52. The low 12 bits of the shifted value's mantissa are n mod 2^12, and
  // |n| ≤ 1022 after the clamp, so adding 1023 and shifting gives exactly the biased exponent.
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(shifted);
  const double scale = std::bit_cast<double>((bits + 1023) << 52);
  return p * scale;
}

/// e^x for |x| ≤ 700 only (no clamp): exp_fma's reduction and polynomial, the polynomial in
/// Estrin's order (dependency depth 5 instead of 13; 3 more multiplies). For loops whose speed
/// is the exponential's latency chain rather than its operation count (the swish error's pairs,
/// excess_risk.cpp: 1.16× there). Differs from exp_fma by rounding only (≤ 2e-16 relative).
[[gnu::always_inline]] inline double exp_fma_estrin(double x) noexcept {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 0.693147180369123816490;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShift = 6755399441055744.0;
  const double shifted = std::fma(x, kLog2e, kShift);
  const double nd = shifted - kShift;
  const double r = std::fma(-nd, kLn2Lo, std::fma(-nd, kLn2Hi, x));
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const double c01 = 1.0 + r, c23 = std::fma(r, 1.0 / 6.0, 0.5);
  const double c45 = std::fma(r, 1.0 / 120.0, 1.0 / 24.0), c67 = std::fma(r, 1.0 / 5040.0, 1.0 / 720.0);
  const double c89 = std::fma(r, 1.0 / 362880.0, 1.0 / 40320.0);
  const double c1011 = std::fma(r, 1.0 / 39916800.0, 1.0 / 3628800.0);
  const double low = std::fma(std::fma(c67, r2, c45), r4, std::fma(c23, r2, c01));   // degrees 0–7
  const double high = std::fma(1.0 / 479001600.0, r4, std::fma(c1011, r2, c89));      // degrees 8–12, / r^8
  const double p = std::fma(high, r8, low);
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(shifted);
  return p * std::bit_cast<double>((bits + 1023) << 52);
}

/// 1 / (1 + e^(−v)). A true division: replacing it by a Newton reciprocal from a bit-trick seed
/// (8 FMAs, within 1 ulp) was measured slower in both the SGD pass and the error quadrature on
/// Ice Lake: the divider runs beside the FMA ports, which are the bottleneck.
[[gnu::always_inline]] inline double logistic_fma(double v) noexcept { return 1.0 / (1.0 + exp_fma(-v)); }

}  // namespace ntksweep::model::detail
