// The rate fit on planted laws: exponent recovered, interval coverage, plateau detection and
// exclusion, window, divergence handling, kernel slope and local slopes.
#include "ntksweep/fit/rate_fit.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "planted.hpp"

namespace ntksweep::fit {
namespace {

using testing::planted_group;
using testing::pow2;

RateFitOptions options() {
  RateFitOptions o;
  o.bootstrap.n_resamples = 1000;
  return o;
}

TEST(RateFit, RecoversPlantedExponent) {
  constexpr double kP = 0.5, kTol = 0.05;  // σ = 0.2 over 8 replicates: SE of p̂ ≈ 0.02
  const auto law = [](double t) { return 3.0 * std::pow(t, -kP); };
  const RateGroupData d = planted_group(pow2(8, 16), 8, 1, law, 0.1, 0.2);
  const RateFit f = fit_rate(d, options(), bootstrap_key(1, 0, 0));
  EXPECT_NEAR(f.network.slope, kP, kTol);
  EXPECT_LE(f.network.ci_low, kP);
  EXPECT_GE(f.network.ci_high, kP);
  EXPECT_LT(f.network.ci_high - f.network.ci_low, 0.3);
  EXPECT_EQ(f.n_plateau_excluded, 0);
  EXPECT_EQ(f.n_done, 9 * 8);
  EXPECT_EQ(f.network.n_resamples, 1000);
  // The window is the last 1.5 decades: 65536 / 10^1.5 = 2072 → T ≥ 4096 = 2^12 (5 points).
  EXPECT_EQ(f.t_max, 65536.0);
  EXPECT_EQ(f.t_min, 4096.0);
  EXPECT_EQ(f.network.n_points, 5);
}

// Over 200 independent synthetic studies the nominal 95% interval must cover the true exponent
// at least 90% of the time. If the true coverage is 95%, the number of covering studies is
// Binomial(200, 0.95): mean 190, sd 3.1, so the 180 bound is 3.2 sd below the mean (a correct
// interval fails this with probability ≈ 0.1%); a plain percentile interval (≈ 88% with 8
// replicates) would fail it. Coverage above 99% (> 198) would mean intervals far too wide to be
// useful, and is also rejected (probability ≈ 0.04% for a correct interval).
TEST(RateFit, NinetyFivePercentIntervalCoversPlantedExponent) {
  constexpr int kStudies = 200, kReplicates = 8;
  constexpr double kP = 0.6;
  const auto law = [](double t) { return 0.5 * std::pow(t, -kP); };
  RateFitOptions o = options();
  int covered = 0;
  double mean_slope = 0;
  for (int s = 0; s < kStudies; ++s) {
    const RateGroupData d = planted_group(pow2(8, 16), kReplicates, 1000 + s, law, 0.15, 0.25);
    const RateFit f = fit_rate(d, o, bootstrap_key(7, 0, static_cast<std::uint64_t>(s)));
    covered += f.network.ci_low <= kP && kP <= f.network.ci_high;
    mean_slope += f.network.slope / kStudies;
  }
  RecordProperty("coverage", covered);
  std::printf("coverage of the 95%% interval: %d / %d; mean slope %.4f (true %.2f)\n", covered, kStudies, mean_slope, kP);
  EXPECT_GE(covered, 180);
  EXPECT_LE(covered, 198);
  EXPECT_NEAR(mean_slope, kP, 0.01);
}

TEST(RateFit, PlantedPlateauIsDetectedAndExcluded) {
  // ē = C T^(−p) + ε: the power law meets 2ε at C T^(−p) = ε, T = (C/ε)^(1/p) = 10^4 here.
  constexpr double kP = 0.5, kC = 1.0, kEps = 0.01;
  const auto law = [](double t) { return kC * std::pow(t, -kP) + kEps; };
  const RateGroupData d = planted_group(pow2(6, 18), 8, 2, law, 0.02, 0.03);
  const RateFit f = fit_rate(d, options(), bootstrap_key(1, 0, 1));
  EXPECT_EQ(f.plateau_source, PlateauSource::FittedAsymptote);
  EXPECT_NEAR(f.plateau.level, kEps, 0.2 * kEps);
  EXPECT_NEAR(f.plateau.exponent, kP, 0.1);
  // Every T from 2^14 = 16384 on is within a factor 2 of the plateau (true ē(2^13) = 2.1ε).
  for (const HorizonSummary& h : f.horizons) {
    EXPECT_EQ(h.on_plateau, h.horizon >= 16384.0) << "T = " << h.horizon;
    if (h.on_plateau) {
      EXPECT_FALSE(h.in_window);
    }
  }
  EXPECT_EQ(f.n_plateau_excluded, 5);
  EXPECT_EQ(f.t_max, 8192.0);
  // Without the exclusion the slope would be flattened by the plateau.
  RateFitOptions keep = options();
  keep.plateau_factor = 0.0;
  const RateFit naive = fit_rate(d, keep, bootstrap_key(1, 0, 1));
  EXPECT_LT(naive.network.slope, 0.2);
  // Near the plateau the local slope is p · (1 − ε/ē) > p/2, so the windowed slope is between.
  EXPECT_GT(f.network.slope, 0.3);
  EXPECT_LT(f.network.slope, kP + 0.05);
}

TEST(RateFit, WithTheKernelThePlateauIsTheNetworksExcessOverIt) {
  // Kernel ē_k = T^(−0.7) flattening like (1 + 30/ln T) — curvature, not a plateau; the network
  // adds a finite-width part 0.02·T^(−0.2) that overtakes the kernel: ē > 2 ē_k from T ≈ 2^11.
  const auto ker = [](double t) { return std::pow(t, -0.7) * (1 + 30 / std::log(t)); };
  const auto net = [&](double t) { return ker(t) + 0.02 * std::pow(t, -0.2); };
  const RateGroupData d = planted_group(pow2(6, 16), 8, 6, net, 0.0, 0.0, ker);
  const RateFit f = fit_rate(d, options(), bootstrap_key(1, 0, 6));
  EXPECT_EQ(f.plateau_source, PlateauSource::KernelGap);
  for (const HorizonSummary& h : f.horizons)
    EXPECT_EQ(h.on_plateau, net(h.horizon) > 2 * ker(h.horizon)) << "T = " << h.horizon;
  EXPECT_GT(f.n_plateau_excluded, 0);
  EXPECT_NEAR(f.finite_width_gap, 0.02 * std::pow(65536.0, -0.2), 1e-12);
  // The kernel alone (network = kernel): its curvature excludes nothing.
  const RateGroupData same = planted_group(pow2(6, 16), 8, 6, ker, 0.0, 0.0, ker);
  const RateFit g = fit_rate(same, options(), bootstrap_key(1, 0, 6));
  EXPECT_EQ(g.n_plateau_excluded, 0);
  EXPECT_EQ(g.t_max, 65536.0);
}

TEST(RateFit, NoPlateauIsFoundInAPurePowerLaw) {
  const auto law = [](double t) { return 2.0 * std::pow(t, -0.7); };
  int excluded = 0;
  for (int s = 0; s < 50; ++s) {
    const RateGroupData d = planted_group(pow2(8, 16), 8, 500 + s, law, 0.15, 0.25);
    excluded += fit_rate(d, options(), bootstrap_key(1, 0, 2)).n_plateau_excluded;
  }
  EXPECT_EQ(excluded, 0);
}

TEST(RateFit, DivergedCellsAreExcludedAndCounted) {
  const auto law = [](double t) { return std::pow(t, -0.5); };
  RateGroupData d = planted_group(pow2(8, 14), 6, 3, law, 0.1, 0.1);
  RateGroupData same = d;
  // Replicate 2 diverged at a step between 2^11 and 2^12: its cells from T = 2^12 on are
  // diverged and hold garbage; replicate 4 is pending at the last horizon.
  for (std::size_t t = 4; t < d.horizons.size(); ++t) {
    d.cells[t][2] = Cell{Outcome::Diverged, 1e30, 1e30, 1e30};
    same.cells[t][2] = Cell{Outcome::Missing};
  }
  d.cells.back()[4] = same.cells.back()[4] = Cell{Outcome::Missing};
  const RateFit f = fit_rate(d, options(), bootstrap_key(1, 0, 3));
  const RateFit g = fit_rate(same, options(), bootstrap_key(1, 0, 3));
  EXPECT_EQ(f.n_diverged, 3);
  EXPECT_EQ(f.n_missing, 1);
  EXPECT_EQ(f.n_done, 7 * 6 - 4);
  EXPECT_EQ(f.horizons[4].n_diverged, 1);
  EXPECT_EQ(f.horizons[4].n_done, 5);
  EXPECT_EQ(f.horizons.back().n_done, 4);
  EXPECT_EQ(f.network.slope, g.network.slope);  // bit-identical: the diverged values never enter
  EXPECT_EQ(f.network.ci_low, g.network.ci_low);
  EXPECT_NEAR(f.network.slope, 0.5, 0.1);
  for (const HorizonSummary& h : f.horizons) EXPECT_LT(h.mean_error, 1.0);
}

TEST(RateFit, KernelSlopeOnTheSameWindowAndLocalSlopes) {
  // Noiseless laws: the fit and the local slopes are exact.
  const auto net = [](double t) { return std::pow(t, -0.5); };
  const auto ker = [](double t) { return 16 * std::pow(t, -0.75); };  // above the network: no finite-width excess
  const RateGroupData d = planted_group(pow2(8, 12), 4, 4, net, 0.0, 0.0, ker);
  const RateFit f = fit_rate(d, options(), bootstrap_key(1, 0, 4));
  EXPECT_NEAR(f.network.slope, 0.5, 1e-12);
  EXPECT_NEAR(f.kernel.slope, 0.75, 1e-12);
  EXPECT_NEAR(f.network.ci_low, 0.5, 1e-12);  // no noise: every resample is the same
  EXPECT_TRUE(std::isnan(f.average.slope));    // no averaged iterate in the data
  ASSERT_EQ(f.local.size(), 4u);
  for (const LocalSlope& l : f.local) {
    EXPECT_NEAR(l.slope, 0.5, 1e-12);
    EXPECT_NEAR(l.kernel_slope, 0.75, 1e-12);
    EXPECT_EQ(l.t_high, 2 * l.t_low);
  }
}

TEST(RateFit, IntervalIsReproducibleAndKeyed) {
  const auto law = [](double t) { return std::pow(t, -0.5); };
  const RateGroupData d = planted_group(pow2(8, 14), 8, 5, law, 0.2, 0.2);
  const RateFit a = fit_rate(d, options(), bootstrap_key(1, 0, 5));
  const RateFit b = fit_rate(d, options(), bootstrap_key(1, 0, 5));
  const RateFit c = fit_rate(d, options(), bootstrap_key(2, 0, 5));
  EXPECT_EQ(a.network.ci_low, b.network.ci_low);
  EXPECT_EQ(a.network.ci_high, b.network.ci_high);
  EXPECT_TRUE(a.network.ci_low != c.network.ci_low || a.network.ci_high != c.network.ci_high);
  EXPECT_EQ(a.network.slope, c.network.slope);
}

TEST(RateFit, RejectsMalformedInput) {
  RateGroupData d;
  d.horizons = {2, 1};
  d.cells = {{Cell{}}, {Cell{}}};
  EXPECT_THROW(fit_rate(d, options(), 0), std::invalid_argument);
  d.horizons = {1, 2};
  d.cells = {{Cell{}}, {Cell{}, Cell{}}};
  EXPECT_THROW(fit_rate(d, options(), 0), std::invalid_argument);
}

}  // namespace
}  // namespace ntksweep::fit
