// Keyed resampling and the expanded percentile interval.
#include "ntksweep/fit/bootstrap.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ntksweep/fit/statistics.hpp"

namespace ntksweep::fit {
namespace {

TEST(Bootstrap, ResamplesAreKeyedReproducibleAndInRange) {
  const std::uint64_t key = bootstrap_key(1, 0, 3);
  EXPECT_EQ(resample(key, 7, 8), resample(key, 7, 8));
  EXPECT_NE(resample(key, 7, 8), resample(key, 8, 8));
  EXPECT_NE(resample(key, 7, 8), resample(bootstrap_key(1, 0, 4), 7, 8));
  // Uniform over {0..n−1}: every index appears, counts near B·n/n.
  constexpr int kN = 5, kB = 4000;
  std::vector<int> count(kN, 0);
  for (int b = 0; b < kB; ++b)
    for (const int i : resample(key, static_cast<std::uint64_t>(b), kN)) {
      ASSERT_GE(i, 0);
      ASSERT_LT(i, kN);
      ++count[static_cast<std::size_t>(i)];
    }
  // Each count ~ Binomial(20000, 1/5): mean 4000, sd 57; 5 sd is a generous bound.
  for (const int c : count) EXPECT_NEAR(c, kB, 5 * 57);
}

TEST(Bootstrap, ExpandedPercentileWidensTheSmallSampleInterval) {
  // Estimates uniform on [0, 1): the plain 95% percentile interval is [0.025, 0.975].
  std::vector<double> est;
  for (int i = 0; i < 10000; ++i) est.push_back((i + 0.5) / 10000);
  const Interval wide = expanded_percentile_interval(est, 8, 0.95);
  // n = 8: z = sqrt(8/7)·t_7(0.975) = 2.528 → lower level Φ(−2.528) = 0.00573.
  EXPECT_NEAR(wide.low, 0.00573, 2e-4);
  EXPECT_NEAR(wide.high, 1 - 0.00573, 2e-4);
  // Large n approaches the plain percentile interval.
  const Interval plain = expanded_percentile_interval(est, 100000, 0.95);
  EXPECT_NEAR(plain.low, 0.025, 2e-4);
  EXPECT_NEAR(plain.high, 0.975, 2e-4);
  EXPECT_TRUE(std::isnan(expanded_percentile_interval(est, 1, 0.95).low));
  EXPECT_TRUE(std::isnan(expanded_percentile_interval({0.1, 0.2}, 8, 0.95).low));
}

}  // namespace
}  // namespace ntksweep::fit
