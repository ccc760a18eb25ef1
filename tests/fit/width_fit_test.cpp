// The width analysis on planted width laws: M*(T) and q recovered, censoring, the reference.
#include "ntksweep/fit/width_fit.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "ntksweep/core/rng.hpp"
#include "planted.hpp"

namespace ntksweep::fit {
namespace {

using testing::pow2;

// Planted law: kernel reference K(T) = T^(−1/2); network ē(M, T) = K(T) · (1 + (c T^q / M)^a),
// so δ(M, T) = (c T^q / M)^a and M*(T) = c T^q · tolerance^(−1/a) exactly.
// Lognormal noise with a replicate-level part shared by network and kernel (same samples).
constexpr double kQ = 0.5, kC = 0.5, kA = 1.0;
double mstar_true(double t, double tol) { return kC * std::pow(t, kQ) * std::pow(tol, -1 / kA); }

WidthFamilyData planted_family(double sigma, bool with_kernel, std::uint64_t study) {
  WidthFamilyData d;
  for (double m = 8; m <= 16384; m *= std::sqrt(2.0)) d.widths.push_back(std::round(m / 2) * 2);
  d.horizons = pow2(8, 16);
  constexpr int kRep = 8;
  const core::KeyedStream noise(core::make_key(core::Domain::Other, {study, 9}));
  for (std::size_t m = 0; m < d.widths.size(); ++m) {
    std::vector<std::vector<Cell>> block;
    for (std::size_t t = 0; t < d.horizons.size(); ++t) {
      std::vector<Cell> row;
      for (int i = 0; i < kRep; ++i) {
        const double shared = sigma * noise.at(100000 + t * 100 + i).normal();  // same for every width
        const double own = 0.3 * sigma * noise.at(m * 10000 + t * 100 + i).normal();
        const double k = std::pow(d.horizons[t], -0.5) * std::exp(shared);
        const double delta = std::pow(kC * std::pow(d.horizons[t], kQ) / d.widths[m], kA);
        Cell c;
        c.outcome = Outcome::Done;
        c.error = k * (1 + delta) * std::exp(own);
        if (with_kernel) c.kernel_error = k;
        row.push_back(c);
      }
      block.push_back(std::move(row));
    }
    d.cells.push_back(std::move(block));
  }
  return d;
}

TEST(WidthFit, RecoversPlantedMStarAndExponent) {
  WidthFitOptions o;
  const WidthFit noiseless = fit_widths(planted_family(0.0, true, 1), o, bootstrap_key(1, 1, 0));
  EXPECT_EQ(noiseless.reference, Reference::Kernel);
  ASSERT_EQ(noiseless.horizons.size(), 9u);
  for (const HorizonWidths& h : noiseless.horizons) {
    EXPECT_EQ(h.censoring, Censoring::None);
    // Grid widths are rounded to even integers, so the interpolation is exact to ~1%.
    EXPECT_NEAR(h.m_star / mstar_true(h.horizon, 0.1), 1.0, 0.02) << "T = " << h.horizon;
  }
  EXPECT_NEAR(noiseless.q, kQ, 0.01);
  EXPECT_EQ(noiseless.n_points, 9);

  const WidthFit noisy = fit_widths(planted_family(0.2, true, 2), o, bootstrap_key(1, 1, 1));
  EXPECT_NEAR(noisy.q, kQ, 0.05);
  EXPECT_LE(noisy.q_ci_low, kQ);
  EXPECT_GE(noisy.q_ci_high, kQ);
  EXPECT_GT(noisy.n_resamples, 900);
}

TEST(WidthFit, PlateauOfEveryWidth) {
  // At fixed M the planted law is K(T) + K(T)·c T^q/M = T^(−1/2) + c/M: a plateau ε(M) = c/M.
  const WidthFit f = fit_widths(planted_family(0.0, true, 3), WidthFitOptions{}, bootstrap_key(1, 1, 2));
  ASSERT_EQ(f.plateaus.size(), f.horizons.front().points.size());
  const std::size_t m = 6;  // a width whose plateau is reached inside the T range
  const double width = f.horizons.front().points[m].width;
  EXPECT_NEAR(f.plateaus[m].level / (kC / width), 1.0, 0.01);
  EXPECT_NEAR(f.plateaus[m].exponent, 0.5, 0.01);
}

TEST(WidthFit, WidestNetworkIsTheReferenceWithoutKernel) {
  const WidthFit f = fit_widths(planted_family(0.0, false, 4), WidthFitOptions{}, bootstrap_key(1, 1, 3));
  EXPECT_EQ(f.reference, Reference::WidestNetwork);
  for (const HorizonWidths& h : f.horizons) {
    EXPECT_EQ(h.reference, h.points.back().mean_error);
    EXPECT_EQ(h.points.back().relative_excess, 0.0);
  }
  // The widest network is itself 0.5·T^(1/2)/16384 above the kernel: M* comes out a little
  // smaller than the true one, but the exponent is still close.
  EXPECT_NEAR(f.q, kQ, 0.08);
}

TEST(WidthFit, CensoredWhenTheGridDoesNotBracketMStar) {
  const std::vector<double> widths = {16, 32, 64};
  EXPECT_EQ(smallest_sufficient_width(widths, {0.05, 0.02, 0.01}, 0.1),
            std::make_pair(16.0, Censoring::AtMostSmallest));
  EXPECT_EQ(smallest_sufficient_width(widths, {0.5, 0.3, 0.2}, 0.1).second, Censoring::AboveWidest);
  EXPECT_EQ(smallest_sufficient_width(widths, {std::nan(""), std::nan(""), std::nan("")}, 0.1).second, Censoring::NoData);
  // A width that passes but is followed by a failing one does not count.
  const auto [m, c] = smallest_sufficient_width(widths, {0.05, 0.4, 0.05}, 0.1);
  EXPECT_EQ(c, Censoring::None);
  EXPECT_GT(m, 32.0);
  // Log-log interpolation: δ = 0.4 at 16, 0.05 at 64 with 32 missing; δ ∝ M^(−1.5) crosses 0.1 at 16·4^(2/3).
  const double nan = std::nan("");
  const auto [m2, c2] = smallest_sufficient_width(widths, {0.4, nan, 0.05}, 0.1);
  EXPECT_EQ(c2, Censoring::None);
  EXPECT_NEAR(m2, 16 * std::pow(4.0, 2.0 / 3.0), 1e-9);
}

TEST(WidthFit, DivergedCellsLeftOut) {
  WidthFamilyData d = planted_family(0.0, true, 5);
  const WidthFit clean = fit_widths(d, WidthFitOptions{}, bootstrap_key(1, 1, 4));
  d.cells[0][3][1] = Cell{Outcome::Diverged, 1e30, 1e30, kNaN};
  const WidthFit f = fit_widths(d, WidthFitOptions{}, bootstrap_key(1, 1, 4));
  EXPECT_EQ(f.horizons[3].points[0].n_diverged, 1);
  EXPECT_EQ(f.horizons[3].points[0].n_done, 7);
  EXPECT_NEAR(f.horizons[3].points[0].mean_error, clean.horizons[3].points[0].mean_error, 1e-12);
  EXPECT_NEAR(f.q, clean.q, 1e-12);
}

}  // namespace
}  // namespace ntksweep::fit
