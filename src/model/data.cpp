// Keyed samples on the sphere and noisy labels; see data.hpp for the draw layout.
#include "ntksweep/model/data.hpp"

#include <cmath>
#include <numbers>

#include "ntksweep/core/rng.hpp"

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
    const double phi = 2.0 * std::numbers::pi * rng.uniform();
    x[0] = std::cos(phi);
    x[1] = std::sin(phi);
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
  // The noise comes from a sibling stream at the same index, so its value does not depend on
  // how many draws the point took (and hence not on d).
  core::CounterRng noise_rng(core::splitmix64(key_ ^ 0x6e6f697365ULL), static_cast<std::uint64_t>(t));
  const double xi = noise_.kind == NoiseKind::Uniform ? noise_.level * (2.0 * noise_rng.uniform() - 1.0)
                                                      : noise_.level * noise_rng.normal();
  return (*target_)(x) + xi;
}

}  // namespace ntksweep::model
