// e^x without libm calls, so that loops over hidden units vectorise (AVX2/AVX-512) and stay
// bit-reproducible: Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, a degree-12 Taylor
// polynomial for e^r (truncation < 2e-17 relative), and 2^n assembled in the exponent bits.
// Inputs are clamped to [−708, 708]: e^x saturates near the double range instead of
// producing Inf, which is what the logistic function and the tests need. NaN propagates.
#pragma once

#include <bit>
#include <cstdint>

namespace ntksweep::model {

inline double fast_exp(double x) noexcept {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 0.693147180369123816490;  // high bits of ln 2 (exact product with n)
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShift = 6755399441055744.0;  // 1.5·2^52: adding it rounds to an integer
  x = x < -708.0 ? -708.0 : x;
  x = x > 708.0 ? 708.0 : x;
  const double nd = (x * kLog2e + kShift) - kShift;
  const double r = (x - nd * kLn2Hi) - nd * kLn2Lo;
  // Horner for Σ_{k=0}^{12} r^k / k!
  double p = 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const auto n = static_cast<std::int64_t>(nd);
  const double scale = std::bit_cast<double>(static_cast<std::uint64_t>(n + 1023) << 52);
  return p * scale;
}

}  // namespace ntksweep::model
