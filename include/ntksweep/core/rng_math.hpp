// ln u and (cos 2πu, sin 2πu) for turning uniforms into normals and angles (Box–Muller, points on
// the circle), written with + − × ÷ √ and explicit std::fma only, integer bit operations and
// branch-free selects. Two reasons: loops over them vectorise (the batch draws of data.cpp), and
// every random stream is then a function of IEEE arithmetic alone, the same bits whatever the
// host's libm version or its FMA/non-FMA variant. (std::fma is correctly rounded everywhere: an
// instruction on x86-64-v3 and later, glibc's exact software fma on baseline x86-64.)
//
// Max error against long double references over 8·10^7 inputs per function (uniform draws,
// log-spread values, the neighbourhoods of √½, 1 and the multiples of 1/8): log_open_unit 0.63 ulp,
// cos and sin 0.60 ulp; tests/core/rng_math_test.cpp checks ~4·10^6 of them and the edges.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace ntksweep::core {

/// c[0]·z^(N−1) + … + c[N−1] by Horner's rule, one std::fma per coefficient after the first
/// (the highest degree first).
template <std::size_t N>
[[gnu::always_inline]] inline double horner_fma(double z, const double (&c)[N]) noexcept {
  double p = c[0];
  for (std::size_t i = 1; i < N; ++i) p = std::fma(p, z, c[i]);
  return p;
}

/// ln u for u in (0, 1], the range of uniform_from_words: 2^-54 .. 1 − 2^-53, and 1 itself
/// (x + ½ rounds to 2^53 for x = 2^53 − 1, probability 2^-53), where the result is exactly 0.
/// Any positive normal u works. fdlibm's scheme with FMA-exact steps: u = 2^k·x with x in
/// [√½, √2), f = x − 1,
///   ln u = k·ln2 + f − f²/2 + s·(f²/2 + R(s²)),   s = f / (2 + f),
/// R fdlibm's degree-7 minimax polynomial (|error| < 2^-58.45). f − f²/2 and k·ln2_hi + (f − f²/2)
/// are carried as exact double-double sums, so that only the small term s·(…) and the last
/// addition round: measured max error 0.63 ulp.
[[gnu::always_inline]] inline double log_open_unit(double u) noexcept {
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 3fe62e42 fee00000: k·kLn2Hi exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kLg1 = 6.666666666666735130e-01, kLg2 = 3.999999999940941908e-01;
  constexpr double kLg3 = 2.857142874366239149e-01, kLg4 = 2.222219843214978396e-01;
  constexpr double kLg5 = 1.818357216161805012e-01, kLg6 = 1.531383769920937332e-01;
  constexpr double kLg7 = 1.479819860511658591e-01;
  // Adding 1 − √½ (in the high word) to the bits carries into the exponent exactly when the
  // mantissa is ≥ √2/2·2: the exponent field is then k + 1023 with x = u/2^k in [√½, √2).
  constexpr std::uint64_t kBias = std::uint64_t{0x3ff00000 - 0x3fe6a09e} << 32;
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(u) + kBias;
  const std::uint64_t biased_k = bits >> 52;
  // k as a double by the magic-number trick (exact; no int64 → double conversion, which AVX2 lacks).
  const double k = std::bit_cast<double>(0x4330000000000000ULL | biased_k) - (0x1.0p52 + 1023.0);
  const double x = std::bit_cast<double>((bits & 0x000fffffffffffffULL) + (std::uint64_t{0x3fe6a09e} << 32));
  const double f = x - 1.0;  // exact (Sterbenz)
  const double s = f / (2.0 + f);
  const double z = s * s, w = z * z;
  const double t1 = w * std::fma(w, std::fma(w, kLg6, kLg4), kLg2);
  const double t2 = z * std::fma(w, std::fma(w, std::fma(w, kLg7, kLg5), kLg3), kLg1);
  const double r = t2 + t1;
  const double p = f * f, p_lo = std::fma(f, f, -p);  // f² = p + p_lo exactly
  const double h = 0.5 * p;                            // f²/2 (exact scaling)
  const double a = f - h, a_lo = (f - a) - h;          // f − h = a + a_lo exactly (Fast2Sum, |f| ≥ h)
  const double kh = k * kLn2Hi;                        // exact
  const double t = kh + a, t_lo = (kh - t) + a;        // exact: |kh| ≥ ln 2 > |a| unless k = 0 (then t = a)
  const double small = std::fma(s, h + r, k * kLn2Lo);
  return t + (((t_lo + a_lo) - 0.5 * p_lo) + small);
}

/// c = cos 2πu, s = sin 2πu for u in [0, 1] (u = 1 gives (1, +0) like u = 0). The reduction is exact and done on u: q = round(4u),
/// v = 4u − q in [−½, ½], 2πu = q·π/2 + (π/2)·v; then the Taylor polynomials in v of sin(πv/2)
/// (to v^17, truncation < 1.1e-19 relative) and cos(πv/2) (to v^18, < 5e-21), with the leading
/// terms (π/2)·v, −(π/2)³v³/6 and 1 − (π²/8)v² kept exact by FMA splits, and the quadrant q mod 4
/// applied by a swap and sign flips (selects). Measured max error 0.60 ulp for both; sin 2πu is
/// −0 at u = ½.
[[gnu::always_inline]] inline void sincos_two_pi(double u, double& c, double& s) noexcept {
  constexpr double kShift = 0x1.8p52;                       // adding 1.5·2^52 rounds to an integer
  constexpr double kA = 0x1.921fb54442d18p+0, kALo = 0x1.1a62633145c07p-54;  // π/2 = kA + kALo
  constexpr double kC2 = 0x1.3bd3cc9be45dep+0, kC2Lo = 0x1.692b71366cc04p-54;  // π²/8 = kC2 + kC2Lo
  constexpr double kS3 = -0.6459640975062463;               // −(π/2)³/3!
  const double t = 4.0 * u;                                 // exact
  const double shifted = t + kShift;                        // q in the low mantissa bits
  const double v = t - (shifted - kShift);                  // exact, |v| ≤ ½
  const std::uint64_t q = std::bit_cast<std::uint64_t>(shifted);
  const double z = v * v, z_lo = std::fma(v, v, -z);       // v² = z + z_lo exactly

  // sin(πv/2) = kA·v + [kALo·v + kS3·v³ + v⁵·P(v²)], P from (π/2)^(2j+1)/(2j+1)!, j = 2 .. 8.
  const double ps = horner_fma(z, {6.0669357311061955e-12, -6.688035109811468e-10, 5.692172921967927e-08,
                                   -3.598843235212085e-06, 0.00016044118478735983, -0.004681754135318688,
                                   0.07969262624616705});
  const double vz = v * z, vz_lo = std::fma(v, z, -vz) + v * z_lo;  // v³ = vz + vz_lo (to 2^-100)
  const double sv = std::fma(v, kA, std::fma(vz, kS3, std::fma(vz * z, ps, std::fma(vz_lo, kS3, v * kALo))));

  // cos(πv/2) = 1 − (π²/8)v² + v⁴·Q(v²), Q from (π/2)^(2j)/(2j)!, j = 2 .. 9; 1 − (π²/8)v² as
  // an exact sum a + a_lo (Fast2Sum) plus the rounding parts of (π²/8)v².
  const double pc = horner_fma(z, {-5.294400200734623e-13, 6.565963114979473e-11, -6.386603083791852e-09,
                                   4.710874778818172e-07, -2.5202042373060607e-05, 0.0009192602748394266,
                                   -0.02086348076335296, 0.25366950790104803});
  const double h = kC2 * z;
  const double h_lo = std::fma(kC2, z, -h) + std::fma(kC2, z_lo, kC2Lo * z);
  const double a = 1.0 - h, a_lo = (1.0 - a) - h;  // exact: h ≤ 0.31
  const double cv = a + ((a_lo - h_lo) + (z * z) * pc);

  // Quadrant: (cos, sin)(qπ/2 + θ) = (C, S), (−S, C), (−C, −S), (S, −C) for q mod 4 = 0 .. 3.
  const bool odd = (q & 1) != 0;
  const double s0 = odd ? cv : sv, c0 = odd ? sv : cv;
  const std::uint64_t s_sign = (q & 2) << 62, c_sign = ((q + 1) & 2) << 62;
  s = std::bit_cast<double>(std::bit_cast<std::uint64_t>(s0) ^ s_sign);
  c = std::bit_cast<double>(std::bit_cast<std::uint64_t>(c0) ^ c_sign);
}

}  // namespace ntksweep::core
