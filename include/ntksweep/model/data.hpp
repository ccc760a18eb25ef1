// The data stream of one task: inputs x_t uniform on S^(d−1) and labels y_t = g_ρ(x_t) + ξ_t.
// Sample t is drawn from counter index t of the keyed stream (Domain::Data, seed, replicate)
// (core/rng.hpp), so it is the same for every width, step size and regularizer, and can be
// drawn without drawing the samples before it. Layout of the draws of sample t: d = 2 uses
// one uniform u for φ = 2πu, x = (cos φ, sin φ); d ≥ 3 normalises d standard normals. The
// noise comes from a sibling stream (key mixed with a constant) at the same index t: one
// uniform (noise = uniform: ξ = σ_ξ (2u − 1)) or one normal (gaussian: ξ = σ_ξ n).
#pragma once

#include <cstdint>
#include <memory>

#include "ntksweep/model/target.hpp"

namespace ntksweep::model {

enum class NoiseKind { Uniform, Gaussian };
const char* to_string(NoiseKind kind) noexcept;

struct NoiseSpec {
  NoiseKind kind = NoiseKind::Uniform;
  double level = 0.2;  ///< σ_ξ: half-width (uniform) or standard deviation (gaussian)
};

/// Key of the data stream of a task: make_key(Domain::Data, {seed, replicate}).
std::uint64_t data_key(std::uint64_t seed, std::uint64_t replicate) noexcept;
/// Key of the initialization of a task: make_key(Domain::Init, {seed, replicate, width}).
std::uint64_t init_key(std::uint64_t seed, std::uint64_t replicate, std::uint64_t width) noexcept;

/// Uniform point on S^(d−1) from counter index `index` of stream `key`; see the file comment.
void sphere_point(int dim, std::uint64_t key, std::uint64_t index, double* x) noexcept;

class DataStream {
 public:
  DataStream(std::shared_ptr<const Target> target, NoiseSpec noise, std::uint64_t key);

  int dim() const noexcept { return target_->dim(); }
  const Target& target() const noexcept { return *target_; }
  const NoiseSpec& noise() const noexcept { return noise_; }

  /// Sample t (t ≥ 1): writes x_t (d values) and returns y_t.
  double sample(std::int64_t t, double* x) const noexcept;
  /// Samples t_first .. t_first + count − 1: x_t to x + (t − t_first)·d (count × d, sample-major)
  /// and y_t to y[t − t_first], bit for bit what sample(t, ·) gives. The Philox blocks of the
  /// points and the noise are computed across samples in SIMD lanes (core::uniform_pairs), and so
  /// is Box–Muller (ln, cos, sin from core/rng_math.hpp); the target is evaluated across samples
  /// (Target::evaluate_batch), which hides the latency of its O(kmax) recurrence. Allocates
  /// nothing.
  void sample_batch(std::int64_t t_first, int count, double* x, double* y) const noexcept;

 private:
  std::shared_ptr<const Target> target_;
  NoiseSpec noise_;
  std::uint64_t key_;
};

}  // namespace ntksweep::model
