// Keyed samples on the sphere and noisy labels; see data.hpp for the draw layout.
#include "ntksweep/model/data.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "ntksweep/core/rng.hpp"
#include "ntksweep/core/rng_math.hpp"
#include "vector_math.hpp"

namespace ntksweep::model {

const char* to_string(NoiseKind kind) noexcept {
  return kind == NoiseKind::Uniform ? "uniform" : "gaussian";
}

std::uint64_t data_key(std::uint64_t seed, std::uint64_t replicate) noexcept {
  return core::make_key(core::Domain::Data, {seed, replicate});
}
std::uint64_t init_key(std::uint64_t seed, std::uint64_t replicate, std::uint64_t width) noexcept {
  return core::make_key(core::Domain::Init, {seed, replicate, width});
}

namespace {
void draw_point(int dim, core::CounterRng& rng, double* x) noexcept {
  if (dim == 2) {
    core::sincos_two_pi(rng.uniform(), x[0], x[1]);
    return;
  }
  double norm2 = 0.0;
  for (int k = 0; k < dim; ++k) {
    x[k] = rng.normal();
    norm2 += x[k] * x[k];
  }
  const double inv = 1.0 / std::sqrt(norm2);
  for (int k = 0; k < dim; ++k) x[k] *= inv;
}

// The noise comes from a sibling stream at the same index, so its value does not depend on
// how many draws the point took (and hence not on d).
std::uint64_t noise_key(std::uint64_t data_key) noexcept { return core::splitmix64(data_key ^ 0x6e6f697365ULL); }

double noise_value(const NoiseSpec& noise, std::uint64_t key, std::int64_t t) noexcept {
  core::CounterRng rng(key, static_cast<std::uint64_t>(t));
  return noise.kind == NoiseKind::Uniform ? noise.level * (2.0 * rng.uniform() - 1.0) : noise.level * rng.normal();
}

// sample_batch draws its points and noise kLanes samples at a time: the Philox blocks of all the
// samples in SIMD lanes (core::uniform_pairs), then ln, cos, sin (core/rng_math.hpp) and the
// correctly rounded arithmetic (×, +, √, ÷) in lanes again. Every value is the same IEEE
// operation on the same operands as in draw_point and noise_value, so the bits are theirs.
constexpr int kLanes = 64;

// Points of samples t_first .. t_first + m − 1 (m ≤ kLanes) into x (m × d, sample-major).
NTKSWEEP_HOT_CLONES void draw_points(int d, std::uint64_t key, std::uint64_t t_first, int m, double* __restrict x) noexcept {
  alignas(64) double ua[kLanes], ub[kLanes], c[kLanes], s[kLanes], norm2[kLanes];
  if (d == 2) {
    core::uniform_pairs(key, t_first, 0, m, ua, ub);
#pragma GCC ivdep
    for (int l = 0; l < m; ++l) core::sincos_two_pi(ua[l], c[l], s[l]);
    for (int l = 0; l < m; ++l) {
      x[2 * l] = c[l];
      x[2 * l + 1] = s[l];
    }
    return;
  }
  for (int l = 0; l < m; ++l) norm2[l] = 0.0;
  // Normals 2j and 2j + 1 are Box–Muller pair j, from block j; the sum of squares runs over
  // k = 0 .. d − 1 in order, as in draw_point.
  for (int j = 0; 2 * j < d; ++j) {
    const bool both = 2 * j + 1 < d;
    core::uniform_pairs(key, t_first, static_cast<std::uint64_t>(j), m, ua, ub);
#pragma GCC ivdep
    for (int l = 0; l < m; ++l) {
      const double r = std::sqrt(-2.0 * core::log_open_unit(ua[l]));
      double cl, sl;
      core::sincos_two_pi(ub[l], cl, sl);
      c[l] = r * cl;
      s[l] = r * sl;
      norm2[l] += c[l] * c[l];
    }
    if (both)
#pragma GCC ivdep
      for (int l = 0; l < m; ++l) norm2[l] += s[l] * s[l];
    for (int l = 0; l < m; ++l) x[std::size_t(l) * d + 2 * j] = c[l];
    if (both)
      for (int l = 0; l < m; ++l) x[std::size_t(l) * d + 2 * j + 1] = s[l];
  }
#pragma GCC ivdep
  for (int l = 0; l < m; ++l) norm2[l] = 1.0 / std::sqrt(norm2[l]);
  for (int l = 0; l < m; ++l)
    for (int k = 0; k < d; ++k) x[std::size_t(l) * d + k] *= norm2[l];
}

// noise_value for samples t_first .. t_first + m − 1 (m ≤ kLanes) into xi.
NTKSWEEP_HOT_CLONES void draw_noise(const NoiseSpec& noise, std::uint64_t key, std::uint64_t t_first, int m,
                double* __restrict xi) noexcept {
  alignas(64) double ua[kLanes], ub[kLanes];
  core::uniform_pairs(key, t_first, 0, m, ua, ub);
  const double level = noise.level;
  if (noise.kind == NoiseKind::Uniform) {
#pragma GCC ivdep
    for (int l = 0; l < m; ++l) xi[l] = level * (2.0 * ua[l] - 1.0);
    return;
  }
#pragma GCC ivdep
  for (int l = 0; l < m; ++l) {
    const double r = std::sqrt(-2.0 * core::log_open_unit(ua[l]));
    double cl, sl;
    core::sincos_two_pi(ub[l], cl, sl);
    xi[l] = level * (r * cl);
  }
}

}  // namespace

void sphere_point(int dim, std::uint64_t key, std::uint64_t index, double* x) noexcept {
  core::CounterRng rng(key, index);
  draw_point(dim, rng, x);
}

DataStream::DataStream(std::shared_ptr<const Target> target, NoiseSpec noise, std::uint64_t key)
    : target_(std::move(target)), noise_(noise), key_(key) {}

double DataStream::sample(std::int64_t t, double* x) const noexcept {
  core::CounterRng rng(key_, static_cast<std::uint64_t>(t));
  draw_point(dim(), rng, x);
  return (*target_)(x) + noise_value(noise_, noise_key(key_), t);
}

void DataStream::sample_batch(std::int64_t t_first, int count, double* x, double* y) const noexcept {
  const int d = dim();
  const std::uint64_t xi_key = noise_key(key_);
  alignas(64) double g[kLanes];
  for (int i0 = 0; i0 < count; i0 += kLanes) {
    const int m = std::min(kLanes, count - i0);
    const std::uint64_t t0 = static_cast<std::uint64_t>(t_first) + static_cast<std::uint64_t>(i0);
    double* xi = x + std::size_t(i0) * d;
    draw_points(d, key_, t0, m, xi);
    draw_noise(noise_, xi_key, t0, m, y + i0);
    // y = ξ + g(x), which is g(x) + ξ bit for bit (IEEE addition commutes).
    target_->evaluate_batch(m, xi, g);
    for (int i = 0; i < m; ++i) y[i0 + i] += g[i];
  }
}

}  // namespace ntksweep::model
