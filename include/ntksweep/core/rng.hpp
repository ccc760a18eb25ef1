// Keyed, counter-based random numbers (Philox4x32-10, Salmon et al., SC'11).
//
// Every random quantity of a task is a pure function of what it is for, never of the order in
// which things are computed or of the rank that computes them:
//
//   key     = mix(seed, domain, k1, k2, ...)        64-bit key from SplitMix64 chaining
//   block   = Philox4x32-10(key, counter = (index, word))  -> four 32-bit words
//
// with `domain` naming the use (Domain::Data for the samples, keyed by (seed, replicate);
// Domain::Init for the initialization, keyed by (seed, replicate, width); ...). The random
// numbers of sample t are at counter index t, so sample t can be drawn without drawing the
// samples before it, and two tasks with the same data key see the same samples whatever
// their widths, step sizes or regularizers (common random numbers).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "ntksweep/core/rng_math.hpp"

namespace ntksweep::core {

/// What a random stream is used for; part of every key so that uses never share numbers.
enum class Domain : std::uint64_t {
  Data = 1,      ///< samples (x_t, ξ_t), keyed by (seed, replicate)
  Init = 2,      ///< network initialization, keyed by (seed, replicate, width)
  Target = 3,    ///< target phases, keyed by (seed)
  TestSet = 4,   ///< shared test set for the error on S^(d-1), d >= 4, keyed by (seed)
  Bootstrap = 5, ///< bootstrap resampling in fits
  Other = 6,     ///< tests and tools
};

/// SplitMix64 finaliser: a bijective 64-bit mixer.
constexpr std::uint64_t splitmix64(std::uint64_t z) noexcept {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Key from a domain and a list of integers: h = splitmix64(h ^ v_i) chained over the values.
constexpr std::uint64_t make_key(Domain domain, std::initializer_list<std::uint64_t> values) noexcept {
  std::uint64_t h = splitmix64(static_cast<std::uint64_t>(domain) * 0xd1b54a32d192ed03ULL);
  for (std::uint64_t v : values) h = splitmix64(h ^ v);
  return h;
}

/// One round of Philox4x32 on the counter words c0..c3 with the round keys k0, k1 (bumped).
[[gnu::always_inline]] constexpr void philox_round(std::uint32_t& c0, std::uint32_t& c1, std::uint32_t& c2,
                                                   std::uint32_t& c3, std::uint32_t& k0,
                                                   std::uint32_t& k1) noexcept {
  const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c0;
  const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c2;
  const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
  const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
  c0 = hi1 ^ c1 ^ k0;
  c1 = lo1;
  c2 = hi0 ^ c3 ^ k1;
  c3 = lo0;
  k0 += 0x9E3779B9u;
  k1 += 0xBB67AE85u;
}

/// Philox4x32-10 block cipher: 4 words of output for a 64-bit key and a 128-bit counter.
constexpr std::array<std::uint32_t, 4> philox4x32(std::uint64_t key, std::uint64_t ctr_hi,
                                                  std::uint64_t ctr_lo) noexcept {
  std::uint32_t k0 = static_cast<std::uint32_t>(key), k1 = static_cast<std::uint32_t>(key >> 32);
  std::uint32_t c0 = static_cast<std::uint32_t>(ctr_lo), c1 = static_cast<std::uint32_t>(ctr_lo >> 32);
  std::uint32_t c2 = static_cast<std::uint32_t>(ctr_hi), c3 = static_cast<std::uint32_t>(ctr_hi >> 32);
  for (int round = 0; round < 10; ++round) philox_round(c0, c1, c2, c3, k0, k1);
  return {c0, c1, c2, c3};
}

/// Philox4x32-10 for `count` consecutive counter indices at one word: for i = 0 .. count − 1,
///   (w0[i], w1[i], w2[i], w3[i]) = philox4x32(key, index_first + i, word),
/// the index wrapping modulo 2^64 like CounterRng's. The same integer operations as philox4x32,
/// written lane by lane (32-bit words, the carry of the index into its high word explicit) so that
/// the compiler runs the loop in SIMD lanes; the bits are those of the scalar cipher.
inline void philox4x32_lanes(std::uint64_t key, std::uint64_t index_first, std::uint64_t word, int count,
                             std::uint32_t* __restrict w0, std::uint32_t* __restrict w1,
                             std::uint32_t* __restrict w2, std::uint32_t* __restrict w3) noexcept {
  const auto key0 = static_cast<std::uint32_t>(key), key1 = static_cast<std::uint32_t>(key >> 32);
  const auto word0 = static_cast<std::uint32_t>(word), word1 = static_cast<std::uint32_t>(word >> 32);
  const auto first0 = static_cast<std::uint32_t>(index_first);
  const auto first1 = static_cast<std::uint32_t>(index_first >> 32);
#pragma GCC ivdep
  for (int i = 0; i < count; ++i) {
    std::uint32_t c0 = word0, c1 = word1;
    std::uint32_t c2 = first0 + static_cast<std::uint32_t>(i);
    std::uint32_t c3 = first1 + (c2 < first0 ? 1u : 0u);  // carry of the low word
    std::uint32_t k0 = key0, k1 = key1;
#pragma GCC unroll 10
    for (int round = 0; round < 10; ++round) philox_round(c0, c1, c2, c3, k0, k1);
    w0[i] = c0;
    w1[i] = c1;
    w2[i] = c2;
    w3[i] = c3;
  }
}

/// Uniform on (0, 1] from two 32-bit words (hi, lo), as CounterRng::uniform turns its 64 bits
/// hi·2^32 + lo into (53 random bits + 1/2) · 2^-53.
constexpr double uniform_from_words(std::uint32_t hi, std::uint32_t lo) noexcept {
  const std::uint64_t v = (std::uint64_t{hi} << 32) | lo;
  return (static_cast<double>(v >> 11) + 0.5) * 0x1.0p-53;
}

/// The two uniforms that CounterRng(key, index_first + i) draws from its block `word` — its
/// uniform() draws number 2·word (into ua[i]) and 2·word + 1 (into ub[i]) — for i = 0 .. count − 1,
/// bit for bit, computed in SIMD lanes. Box–Muller pair j of CounterRng::normal uses block j:
/// normals 2j and 2j + 1 are √(−2 ln ua)·cos(2π ub) and √(−2 ln ua)·sin(2π ub) with word = j
/// (log_open_unit and sincos_two_pi).
inline void uniform_pairs(std::uint64_t key, std::uint64_t index_first, std::uint64_t word, int count,
                          double* __restrict ua, double* __restrict ub) noexcept {
  constexpr int kLanes = 64;  // blocks per pass through the stack scratch
  alignas(64) std::uint32_t w0[kLanes], w1[kLanes], w2[kLanes], w3[kLanes];
  for (int i0 = 0; i0 < count; i0 += kLanes) {
    const int m = count - i0 < kLanes ? count - i0 : kLanes;
    philox4x32_lanes(key, index_first + static_cast<std::uint64_t>(i0), word, m, w0, w1, w2, w3);
#pragma GCC ivdep
    for (int i = 0; i < m; ++i) {
      ua[i0 + i] = uniform_from_words(w0[i], w1[i]);
      ub[i0 + i] = uniform_from_words(w2[i], w3[i]);
    }
  }
}

/// Sequential draws from one counter index of a keyed stream: block (index, 0), (index, 1), ...
/// Cheap to construct; holds no state beyond the position.
class CounterRng {
 public:
  constexpr CounterRng(std::uint64_t key, std::uint64_t index) noexcept : key_(key), index_(index) {}

  /// 64 random bits.
  constexpr std::uint64_t next_u64() noexcept {
    if (used_ == 2) {
      block_ = philox4x32(key_, index_, word_++);
      used_ = 0;
    }
    const std::uint64_t v = (std::uint64_t{block_[2 * used_]} << 32) | block_[2 * used_ + 1];
    ++used_;
    return v;
  }

  /// Uniform on (0, 1]: (53 random bits + 1/2) · 2^-53, never 0; the largest value rounds to
  /// exactly 1 (probability 2^-53), which ln and sincos(2πu) take in their stride.
  constexpr double uniform() noexcept {
    return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53;
  }

  /// Standard normal by Box–Muller; both values of a pair are used: from uniforms u1, u2,
  /// r = √(−2 ln u1), then r·cos 2πu2 (returned first) and r·sin 2πu2, with ln and (cos, sin)
  /// 2π· from rng_math.hpp (no libm: the same bits on every host).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * log_open_unit(uniform()));
    double c, s;
    sincos_two_pi(uniform(), c, s);
    spare_ = r * s;
    has_spare_ = true;
    return r * c;
  }

 private:
  std::uint64_t key_;
  std::uint64_t index_;
  std::uint64_t word_ = 0;
  std::array<std::uint32_t, 4> block_{};
  int used_ = 2;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

/// A keyed stream: `at(i)` gives the independent draws of item i (sample i, unit i, ...).
class KeyedStream {
 public:
  constexpr explicit KeyedStream(std::uint64_t key) noexcept : key_(key) {}
  constexpr CounterRng at(std::uint64_t index) const noexcept { return CounterRng(key_, index); }
  constexpr std::uint64_t key() const noexcept { return key_; }

 private:
  std::uint64_t key_;
};

}  // namespace ntksweep::core
