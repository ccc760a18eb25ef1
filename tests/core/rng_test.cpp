// Keyed counter-based random numbers: known answers of Philox4x32-10, the keying scheme, and the
// normals of Box–Muller.
#include "ntksweep/core/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace ntksweep::core {
namespace {

TEST(Philox, MatchesRandom123KnownAnswers) {
  // Known-answer vectors of Random123 (kat_vectors, philox4x32 10 rounds).
  const auto zero = philox4x32(0, 0, 0);
  EXPECT_EQ(zero[0], 0x6627e8d5u);
  EXPECT_EQ(zero[1], 0xe169c58du);
  EXPECT_EQ(zero[2], 0xbc57ac4cu);
  EXPECT_EQ(zero[3], 0x9b00dbd8u);
  const auto ones = philox4x32(~0ULL, ~0ULL, ~0ULL);
  EXPECT_EQ(ones[0], 0x408f276du);
  EXPECT_EQ(ones[1], 0x41c83b0eu);
  EXPECT_EQ(ones[2], 0xa20bc7c6u);
  EXPECT_EQ(ones[3], 0x6d5451fdu);
  // counter = (243f6a88 85a308d3 13198a2e 03707344), key = (a4093822 299f31d0)
  const auto pi = philox4x32(0x299f31d0a4093822ULL, 0x0370734413198a2eULL, 0x85a308d3243f6a88ULL);
  EXPECT_EQ(pi[0], 0xd16cfe09u);
  EXPECT_EQ(pi[1], 0x94fdccebu);
  EXPECT_EQ(pi[2], 0x5001e420u);
  EXPECT_EQ(pi[3], 0x24126ea1u);
}

TEST(KeyedStream, SameKeyAndIndexGiveSameNumbers) {
  const std::uint64_t key = make_key(Domain::Data, {7, 3});
  CounterRng a = KeyedStream(key).at(12345), b = KeyedStream(key).at(12345);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(KeyedStream, KeysSeparateDomainsAndValues) {
  EXPECT_NE(make_key(Domain::Data, {1, 0}), make_key(Domain::Init, {1, 0}));
  EXPECT_NE(make_key(Domain::Data, {1, 0}), make_key(Domain::Data, {0, 1}));
  EXPECT_NE(make_key(Domain::Init, {1, 0, 256}), make_key(Domain::Init, {1, 0, 1024}));
  CounterRng a(make_key(Domain::Data, {1, 0}), 5), b(make_key(Domain::Data, {1, 0}), 6);
  EXPECT_NE(a.next_u64(), b.next_u64());
}

TEST(Philox, LanesEqualScalarCipher) {
  // Indices whose low word carries into the high word inside a run, runs that wrap at 2^64, and
  // words past 2^32 (the high counter word of a block number); counts around the SIMD widths.
  const std::uint64_t firsts[] = {0, 1, 12345, (1ULL << 32) - 5, (1ULL << 33) - 40, ~0ULL - 9, 0x8000'0000'0000'0000ULL - 3};
  const std::uint64_t words[] = {0, 1, 3, (1ULL << 32) - 1, 1ULL << 32, ~0ULL};
  const int counts[] = {1, 7, 8, 16, 33, 64};
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    const std::uint64_t key = seed == 5 ? ~0ULL : make_key(Domain::Other, {seed});
    for (std::uint64_t first : firsts)
      for (std::uint64_t word : words)
        for (int count : counts) {
          std::uint32_t w[4][64];
          philox4x32_lanes(key, first, word, count, w[0], w[1], w[2], w[3]);
          for (int i = 0; i < count; ++i) {
            const auto block = philox4x32(key, first + static_cast<std::uint64_t>(i), word);
            for (int j = 0; j < 4; ++j)
              ASSERT_EQ(w[j][i], block[j]) << "key=" << key << " index=" << first + i << " word=" << word << " j=" << j;
          }
        }
  }
}

TEST(CounterRng, UniformPairsEqualSequentialDraws) {
  // Every block of the first four of a CounterRng, for runs longer than one pass of lanes.
  const std::uint64_t firsts[] = {1, (1ULL << 32) - 70, ~0ULL - 100};
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    const std::uint64_t key = make_key(Domain::Data, {seed, 7});
    for (std::uint64_t first : firsts)
      for (int count : {1, 5, 64, 65, 150}) {
        std::vector<double> ua(4 * std::size_t(count)), ub(4 * std::size_t(count));
        for (std::uint64_t word = 0; word < 4; ++word)
          uniform_pairs(key, first, word, count, ua.data() + word * count, ub.data() + word * count);
        for (int i = 0; i < count; ++i) {
          CounterRng rng(key, first + static_cast<std::uint64_t>(i));
          for (std::uint64_t word = 0; word < 4; ++word) {
            const double a = rng.uniform(), b = rng.uniform();
            ASSERT_EQ(std::memcmp(&a, &ua[word * count + i], sizeof a), 0) << "index=" << first + i << " word=" << word;
            ASSERT_EQ(std::memcmp(&b, &ub[word * count + i], sizeof b), 0) << "index=" << first + i << " word=" << word;
          }
        }
      }
  }
}

TEST(CounterRng, UniformAndNormalMoments) {
  // 2e5 draws: the standard error of the mean is 6.5e-4 (uniform) and 2.2e-3 (normal);
  // the bounds below are about 5 standard errors.
  constexpr int kN = 200000;
  double su = 0, sn = 0, sn2 = 0;
  double lo = 1, hi = 0;
  for (int i = 0; i < kN; ++i) {
    CounterRng r(make_key(Domain::Other, {42}), static_cast<std::uint64_t>(i));
    const double u = r.uniform();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    su += u;
    const double n = r.normal();
    sn += n;
    sn2 += n * n;
  }
  EXPECT_GT(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_NEAR(su / kN, 0.5, 3.5e-3);
  EXPECT_NEAR(sn / kN, 0.0, 1.2e-2);
  EXPECT_NEAR(sn2 / kN, 1.0, 1.6e-2);
}

TEST(CounterRng, NormalIsBoxMullerOfItsUniforms) {
  // Pair j of normal() is √(−2 ln u1)·(cos, sin) 2πu2 from block j (the layout uniform_pairs
  // documents for the batch draws), bit for bit.
  const std::uint64_t key = make_key(Domain::Other, {7});
  constexpr int kCount = 100;
  double ua[kCount], ub[kCount];
  for (std::uint64_t word = 0; word < 3; ++word) {
    uniform_pairs(key, 1000, word, kCount, ua, ub);
    for (int i = 0; i < kCount; ++i) {
      CounterRng rng(key, 1000 + static_cast<std::uint64_t>(i));
      double n0 = 0, n1 = 0;
      for (std::uint64_t j = 0; j <= word; ++j) n0 = rng.normal(), n1 = rng.normal();
      const double r = std::sqrt(-2.0 * log_open_unit(ua[i]));
      double c = 0, s = 0;
      sincos_two_pi(ub[i], c, s);
      const double e0 = r * c, e1 = r * s;
      ASSERT_EQ(std::memcmp(&n0, &e0, sizeof n0), 0) << "index " << 1000 + i << " word " << word;
      ASSERT_EQ(std::memcmp(&n1, &e1, sizeof n1), 0) << "index " << 1000 + i << " word " << word;
    }
  }
}

TEST(CounterRng, NormalMomentsOnMillionDraws) {
  // 10^6 draws (10^5 indices × 10 normals) with a fixed key; each bound is 5 standard errors
  // of the sample moment of N(0, 1): √(m_2k − m_k²)/√N with m = 1, 3, 15, 105 for k = 1..4.
  constexpr int kIndices = 100000, kPerIndex = 10;
  constexpr double kN = double(kIndices) * kPerIndex;
  const double se1 = 1.0 / std::sqrt(kN), se2 = std::sqrt(2.0 / kN), se3 = std::sqrt(15.0 / kN);
  const double se4 = std::sqrt(96.0 / kN);
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
  for (std::uint64_t i = 0; i < kIndices; ++i) {
    CounterRng rng(make_key(Domain::Other, {314159}), i);
    for (int k = 0; k < kPerIndex; ++k) {
      const double x = rng.normal(), x2 = x * x;
      m1 += x;
      m2 += x2;
      m3 += x2 * x;
      m4 += x2 * x2;
    }
  }
  EXPECT_NEAR(m1 / kN, 0.0, 5 * se1);
  EXPECT_NEAR(m2 / kN, 1.0, 5 * se2);
  EXPECT_NEAR(m3 / kN, 0.0, 5 * se3);
  EXPECT_NEAR(m4 / kN, 3.0, 5 * se4);
}

}  // namespace
}  // namespace ntksweep::core
