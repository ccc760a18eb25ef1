// ln u and (cos, sin) 2πu of rng_math.hpp against long double references.
#include "ntksweep/core/rng_math.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>

#include "ntksweep/core/rng.hpp"

namespace ntksweep::core {
namespace {

// The error bounds measured for the header (≤ 0.63 and ≤ 0.60 ulp), with a little room; the
// contract the callers need is 1 ulp.
constexpr double kLogMaxUlp = 0.65;
constexpr double kSinCosMaxUlp = 0.65;
constexpr int kRandomInputs = 1 << 20;

// Error of y in units of the last place of the double nearest to ref (ref a normal number).
double ulp_error(double y, long double ref) {
  int e = 0;
  std::frexp(static_cast<double>(ref), &e);
  const long double ulp = std::ldexp(1.0L, e - 53);
  return static_cast<double>(std::fabs(static_cast<long double>(y) - ref) / ulp);
}

// Uniform on (0, 1) as the draws make it, from the bits of a second Philox stream.
double draw_uniform(std::uint64_t i) {
  const auto w = philox4x32(make_key(Domain::Other, {2024}), i, 0);
  return uniform_from_words(w[0], w[1]);
}

// A double with random mantissa and exponent in [2^-54, 1): the small values the draws rarely make.
double log_spread_uniform(std::uint64_t i) {
  const auto w = philox4x32(make_key(Domain::Other, {2025}), i, 0);
  const double mantissa = 1.0 + static_cast<double>((std::uint64_t{w[0]} << 20) ^ w[1]) * 0x1.0p-52;
  return std::ldexp(mantissa, -1 - static_cast<int>(w[2] % 54));
}

TEST(RngMath, LogOpenUnitWithinBound) {
  double worst = 0.0, worst_u = 0.0;
  auto check = [&](double u) {
    const double err = ulp_error(log_open_unit(u), std::log(static_cast<long double>(u)));
    if (err > worst) worst = err, worst_u = u;
  };
  for (std::uint64_t i = 0; i < kRandomInputs; ++i) {
    check(draw_uniform(i));
    check(log_spread_uniform(i));
    // Near 1, where ln u is small and only the Fast2Sum tails keep it accurate, and around √½,
    // where the reduction switches k and ln u = −ln 2 + ln x cancels.
    check(1.0 - static_cast<double>(i + 1) * 0x1.0p-53);
    check(std::numbers::sqrt2 / 2 + (static_cast<double>(i) - kRandomInputs / 2) * 0x1.0p-50);
  }
  for (double u : {0x1.0p-54, 0x1.8p-54, 0x1.0p-27, 0.25, 0.5, 0.5 + 0x1.0p-53, 0.75, 1.0 - 0x1.0p-53, 1.0})
    check(u);
  RecordProperty("max_ulp", std::to_string(worst));
  EXPECT_LE(worst, kLogMaxUlp) << "at u = " << std::hexfloat << worst_u;
  EXPECT_EQ(log_open_unit(0.5), -std::numbers::ln2);  // −ln2_hi − ln2_lo, correctly rounded
  // uniform_from_words rounds its largest input to 1 (a draw of probability 2^-53).
  EXPECT_EQ(uniform_from_words(~0u, ~0u), 1.0);
  EXPECT_EQ(log_open_unit(1.0), 0.0);
}

// cos 2πu and sin 2πu in long double, the reduction done exactly on u as well: q = round(4u),
// v = 4u − q, then cosl/sinl of (π/2)v. (cosl(2πu) itself would err by |2πu|·2^-64 absolutely,
// far more than an ulp next to the zeros of cos and sin.)
void reference(double u, long double& c, long double& s) {
  const double q = std::nearbyint(4.0 * u), v = 4.0 * u - q;
  const long double x = static_cast<long double>(v) * (std::numbers::pi_v<long double> / 2);
  const long double cv = std::cos(x), sv = std::sin(x);
  switch (static_cast<int>(q) & 3) {
    case 0: c = cv, s = sv; break;
    case 1: c = -sv, s = cv; break;
    case 2: c = -cv, s = -sv; break;
    default: c = sv, s = -cv; break;
  }
}

TEST(RngMath, SinCosTwoPiWithinBound) {
  constexpr long double kUnitTol = 0x1.0p-51;  // 2 ulp of 1
  double worst_c = 0.0, worst_s = 0.0, worst_uc = 0.0, worst_us = 0.0;
  long double worst_norm = 0.0L;
  auto check = [&](double u) {
    double c = 0.0, s = 0.0;
    sincos_two_pi(u, c, s);
    long double rc = 0.0L, rs = 0.0L;
    reference(u, rc, rs);
    // Exact zeros (u a multiple of 1/4) must come out exactly.
    const double ec = rc == 0.0L ? (c == 0.0 ? 0.0 : 1e9) : ulp_error(c, rc);
    const double es = rs == 0.0L ? (s == 0.0 ? 0.0 : 1e9) : ulp_error(s, rs);
    if (ec > worst_c) worst_c = ec, worst_uc = u;
    if (es > worst_s) worst_s = es, worst_us = u;
    const long double lc = c, ls = s;
    worst_norm = std::max(worst_norm, std::fabs(lc * lc + ls * ls - 1.0L));
  };
  for (std::uint64_t i = 0; i < kRandomInputs; ++i) {
    check(draw_uniform(i));
    // Close to the multiples of 1/8: the ends of the polynomials' range and the zeros.
    const double u = static_cast<double>(i % 8) / 8.0;
    const double offset = log_spread_uniform(i) / 8.0;
    if (u - offset >= 0.0) check(u - offset);
    check(u + offset);
  }
  for (double u : {0.0, 0x1.0p-54, 0x1.0p-30, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 0.25 - 0x1.0p-55,
                   0.25 + 0x1.0p-54, 0.5 - 0x1.0p-54, 0.5 + 0x1.0p-53, 1.0 - 0x1.0p-53, 1.0})
    check(u);
  RecordProperty("max_ulp_cos", std::to_string(worst_c));
  RecordProperty("max_ulp_sin", std::to_string(worst_s));
  RecordProperty("max_unit_error", std::to_string(static_cast<double>(worst_norm / 0x1.0p-52L)));
  EXPECT_LE(worst_c, kSinCosMaxUlp) << "cos at u = " << std::hexfloat << worst_uc;
  EXPECT_LE(worst_s, kSinCosMaxUlp) << "sin at u = " << std::hexfloat << worst_us;
  EXPECT_LE(worst_norm, kUnitTol);
}

TEST(RngMath, SinCosTwoPiQuarterTurnIsExact) {
  // The reduction is exact, so a quarter turn only permutes and negates: for u a multiple of
  // 2^-53 in [0, 3/4) (then 4u + 1 is exact), (cos, sin) 2π(u + 1/4) = (−sin, cos) 2πu bit for
  // bit, except at the odd multiples of 1/8, where round(4u) is a tie.
  for (std::uint64_t i = 0; i < 100000; ++i) {
    const auto w = philox4x32(make_key(Domain::Other, {2026}), i, 0);
    const std::uint64_t k = ((std::uint64_t{w[0]} << 32) | w[1]) % (3ULL << 51);
    if (k % (1ULL << 51) == 1ULL << 50) continue;  // 4u a half-integer
    const double u = static_cast<double>(k) * 0x1.0p-53;
    double c = 0, s = 0, c1 = 0, s1 = 0;
    sincos_two_pi(u, c, s);
    sincos_two_pi(u + 0.25, c1, s1);
    ASSERT_EQ(std::bit_cast<std::uint64_t>(c1), std::bit_cast<std::uint64_t>(-s)) << std::hexfloat << u;
    ASSERT_EQ(std::bit_cast<std::uint64_t>(s1), std::bit_cast<std::uint64_t>(c)) << std::hexfloat << u;
  }
  double c = 0, s = 0;
  sincos_two_pi(0.0, c, s);
  EXPECT_EQ(c, 1.0);
  EXPECT_EQ(s, 0.0);
  sincos_two_pi(0.5, c, s);
  EXPECT_EQ(c, -1.0);
  EXPECT_EQ(s, 0.0);
  sincos_two_pi(1.0, c, s);
  EXPECT_EQ(c, 1.0);
  EXPECT_EQ(s, 0.0);
}

}  // namespace
}  // namespace ntksweep::core
