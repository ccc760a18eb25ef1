// Step sizes, λ(T) and checkpoint times: exact values.
#include "ntksweep/model/schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace ntksweep::model {
namespace {

TEST(Schedule, StepSizesAreExact) {
  const StepSchedule s{0.8, 0.5};
  EXPECT_EQ(s.eta(1), 0.8);
  EXPECT_EQ(s.eta(4), 0.4);
  EXPECT_EQ(s.eta(1024), 0.025);
  const StepSchedule constant{0.3, 0.0};
  EXPECT_EQ(constant.eta(123456), 0.3);
  EXPECT_DOUBLE_EQ((StepSchedule{1.0, 0.75}.eta(16)), 0.125);
}

TEST(Schedule, RegularizationFollowsHorizon) {
  EXPECT_EQ(regularization(0.5, 0.0, 1 << 20), 0.5);
  EXPECT_EQ(regularization(2.0, 0.5, 1 << 16), 2.0 / 256);
  EXPECT_DOUBLE_EQ(regularization(1.0, 0.5, 1000), 1.0 / std::sqrt(1000.0));
}

TEST(Schedule, CheckpointsAreLogSpacedAndIncludeHorizon) {
  EXPECT_EQ(checkpoint_steps(1000, 4), (std::vector<std::int64_t>{1, 2, 3, 6, 10, 18, 32, 56, 100, 178, 316, 562, 1000}));
  EXPECT_EQ(checkpoint_steps(20, 1), (std::vector<std::int64_t>{1, 10, 20}));
  const std::vector<std::int64_t> extra = {7, 5000, 15};
  EXPECT_EQ(checkpoint_steps(20, 1, extra), (std::vector<std::int64_t>{1, 7, 10, 15, 20}));
  EXPECT_EQ(checkpoint_steps(1, 8), (std::vector<std::int64_t>{1}));
}

}  // namespace
}  // namespace ntksweep::model
