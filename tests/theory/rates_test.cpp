// Predicted exponents.
#include "ntksweep/theory/rates.hpp"

#include <gtest/gtest.h>

namespace ntksweep::theory {
namespace {

constexpr double kTol = 1e-15;

TEST(Rates, LastIterateExponentPeaksAtOptimalTheta) {
  for (const double r : {0.25, 0.5, 1.0, 3.0}) {
    const double best = optimal_theta(r);
    EXPECT_NEAR(best, 2 * r / (2 * r + 1), kTol);
    EXPECT_NEAR(predicted_exponent_last(r, best), 2 * r / (2 * r + 1), kTol);
    // Either side of θ* is worse: the step-size limited and the bias limited regimes.
    EXPECT_LT(predicted_exponent_last(r, best - 0.05), predicted_exponent_last(r, best));
    EXPECT_LT(predicted_exponent_last(r, best + 0.05), predicted_exponent_last(r, best));
    EXPECT_NEAR(predicted_exponent_last(r, best - 0.05), best - 0.05, kTol);
    EXPECT_NEAR(predicted_exponent_last(r, best + 0.05), 2 * r * (1 - best - 0.05), kTol);
    EXPECT_NEAR(optimal_lambda_power(r), 1 / (2 * r + 1), kTol);
  }
}

TEST(Rates, AveragedExponentUsesEigenvalueDecay) {
  EXPECT_NEAR(predicted_exponent_average(0.5, 2.0), 2.0 / 3.0, kTol);   // circle, β = 2
  EXPECT_NEAR(predicted_exponent_average(1.0, 1.5), 0.75, kTol);        // S², β = 3/2
}

TEST(Rates, RegularizerConditionOfLastIterate) {
  EXPECT_TRUE(regularizer_within_last_iterate_theory(0.5, 0.0, 0.0));   // λ = 0
  EXPECT_FALSE(regularizer_within_last_iterate_theory(0.5, 0.1, 0.0));  // constant λ > 0
  EXPECT_FALSE(regularizer_within_last_iterate_theory(0.5, 0.1, 0.4));
  EXPECT_TRUE(regularizer_within_last_iterate_theory(0.5, 0.1, 0.5));
  for (const double r : {0.25, 0.5, 1.0, 3.0})  // the theory's own choice
    EXPECT_TRUE(regularizer_within_last_iterate_theory(optimal_theta(r), 1.0, optimal_lambda_power(r)));
}

}  // namespace
}  // namespace ntksweep::theory
