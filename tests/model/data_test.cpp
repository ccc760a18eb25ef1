// The data stream: batched draws against one-at-a-time draws, bit for bit.
#include "ntksweep/model/data.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace ntksweep::model {
namespace {

// Coefficients c_k ~ k^(−3/2) (the benchmarks' long target) and phases 0.1 k: every term of
// the recurrence matters to the last bit.
std::shared_ptr<const Target> target_of(int d, int kmax, bool zonal) {
  std::vector<double> c(kmax + 1, 0.0), phase(kmax + 1, 0.0);
  c[0] = 0.25;
  for (int k = 1; k <= kmax; ++k) {
    c[k] = 0.5 / (k * std::sqrt(static_cast<double>(k)));
    phase[k] = 0.1 * k;
  }
  if (d == 2 && !zonal) return std::make_shared<const Target>(Target::circle(c, phase));
  return std::make_shared<const Target>(Target::zonal(d, c));
}

TEST(Data, SampleBatchEqualsSampleBitForBit) {
  struct Batch {
    std::int64_t t_first;
    int count;
  };
  // Odd sizes, one sample, more than one chunk of lanes (64 samples per pass of the draws), sizes
  // that are no multiple of a SIMD width, indices far into the stream, and a batch whose indices
  // cross 2^32 (the carry into the high word of the Philox counter).
  const Batch batches[] = {{1, 1},     {1, 64},    {2, 33}, {7, 97}, {3, 3}, {5, 130}, {1'000'003, 31},
                           {(std::int64_t(1) << 40) + 5, 65}, {(std::int64_t(1) << 32) - 50, 100}};
  for (int d : {2, 3, 5, 8})
    for (bool zonal : {false, true}) {
      if (d > 2 && !zonal) continue;  // the circle target lives on S^1 only
      for (int kmax : {1, 3, 64, 512})
        for (NoiseKind noise : {NoiseKind::Uniform, NoiseKind::Gaussian}) {
          const DataStream data(target_of(d, kmax, zonal), NoiseSpec{noise, 0.3}, data_key(11, 2));
          for (const Batch& b : batches) {
            std::vector<double> x(std::size_t(b.count) * d), y(b.count), x1(d);
            data.sample_batch(b.t_first, b.count, x.data(), y.data());
            for (int i = 0; i < b.count; ++i) {
              const double y1 = data.sample(b.t_first + i, x1.data());
              ASSERT_EQ(std::memcmp(&y1, &y[i], sizeof(double)), 0)
                  << "d=" << d << " zonal=" << zonal << " kmax=" << kmax << " noise=" << to_string(noise)
                  << " t=" << b.t_first + i;
              ASSERT_EQ(std::memcmp(x1.data(), &x[std::size_t(i) * d], d * sizeof(double)), 0)
                  << "d=" << d << " t=" << b.t_first + i;
            }
          }
        }
    }
}

TEST(Data, EmptyBatchWritesNothing) {
  const DataStream data(target_of(3, 8, true), NoiseSpec{}, data_key(1, 0));
  double x = 7.0, y = 7.0;
  data.sample_batch(1, 0, &x, &y);
  EXPECT_EQ(x, 7.0);
  EXPECT_EQ(y, 7.0);
}

}  // namespace
}  // namespace ntksweep::model
