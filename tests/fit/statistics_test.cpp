// Least-squares line and quantiles against closed forms and tabulated values.
#include "ntksweep/fit/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace ntksweep::fit {
namespace {

constexpr double kTol = 1e-10;

TEST(Statistics, LineThroughExactPointsAndSkipsNonFinite) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> x = {0, 1, 2, 3, 4};
  const std::vector<double> y = {1, -1, nan, -5, -7};  // y = 1 − 2x, one point unusable
  const Line l = fit_line(x, y);
  EXPECT_EQ(l.n_points, 4);
  EXPECT_NEAR(l.slope, -2.0, kTol);
  EXPECT_NEAR(l.intercept, 1.0, kTol);
  EXPECT_NEAR(l.rms_residual, 0.0, kTol);
  EXPECT_TRUE(std::isnan(fit_line(std::vector<double>{1.0}, std::vector<double>{2.0}).slope));
  EXPECT_TRUE(std::isnan(fit_line(std::vector<double>{1.0, 1.0}, std::vector<double>{2.0, 3.0}).slope));
}

TEST(Statistics, NormalQuantileMatchesTables) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-12);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167814, 1e-11);
  EXPECT_NEAR(normal_cdf(normal_quantile(0.3)), 0.3, 1e-14);
  EXPECT_TRUE(std::isnan(normal_quantile(1.0)));
}

TEST(Statistics, StudentTQuantileMatchesTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706204736174707, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 7), 2.364624251592785, kTol);
  EXPECT_NEAR(student_t_quantile(0.025, 7), -2.364624251592785, kTol);
  EXPECT_NEAR(student_t_quantile(0.975, 1e6), 1.959966, 1e-5);
  EXPECT_NEAR(student_t_cdf(0.0, 3), 0.5, 1e-15);
  EXPECT_NEAR(student_t_cdf(1.0, 1), 0.75, 1e-12);  // Cauchy: 1/2 + atan(1)/π
}

TEST(Statistics, QuantileInterpolatesOrderStatistics) {
  const std::vector<double> s = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(quantile(s, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(s, 1.0), 5.0);
  EXPECT_DOUBLE_EQ(quantile(s, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(quantile(s, 0.1), 1.4);  // numpy.quantile([1..5], 0.1) = 1.4
  EXPECT_TRUE(std::isnan(quantile({}, 0.5)));
}

}  // namespace
}  // namespace ntksweep::fit
