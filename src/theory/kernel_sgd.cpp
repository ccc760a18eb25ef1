// Kernel SGD in the eigenbasis of the NTK; see kernel_sgd.hpp.
#include "ntksweep/theory/kernel_sgd.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>

#include "ntksweep/core/error.hpp"
#include "ntksweep/model/target.hpp"
#include "ntksweep/theory/ntk.hpp"
#include "ntksweep/theory/target.hpp"

namespace ntksweep::theory {

namespace {

// Start of degree k in the coefficient layout: Σ_{k'<k} N(d,k') (d = 2: 2k − 1; d = 3: k²).
std::vector<std::size_t> degree_offsets(int dim, int K) {
  std::vector<std::size_t> off(std::size_t(K) + 2, 0);
  for (int k = 0; k <= K; ++k)
    off[k + 1] = off[k] + static_cast<std::size_t>(std::llround(model::harmonic_dimension(dim, k)));
  return off;
}

std::size_t basis_size(int dim, int K) { return degree_offsets(dim, K).back(); }

// Largest eigenbasis kernel_sgd accepts (4 vectors of this length, 512 MiB).
constexpr std::size_t kMaxCoefficients = std::size_t(1) << 24;

void require_supported(int dim) {
  if (dim < 2) throw InputError::bad_value("problem.dim", std::to_string(dim), "d must be >= 2");
}

/// Spherical harmonics on S^(n−1) for n ≥ 4 (also valid for n = 3), orthonormal in L²(ρ), by the
/// Gelfand–Tsetlin recursion over the first coordinate a = x₀: for 0 ≤ l ≤ k,
///   Y_{k,l,i}(x) = c_{n,k,l} C_{k−l}^{(α)}(a) (1 − a²)^{l/2} Y'_{l,i}(x'/|x'|),   α = l + (n−2)/2,
/// with Y' the basis of S^(n−2), recursively down to S¹ (1, √2 cos lψ, √2 sin lψ), and
/// c_{n,k,l}^(−2) = c_n h_{k−l}^{(α)}, h_j^{(α)} = π 2^{1−2α} Γ(j+2α) / (j! (j+α) Γ(α)²) the norm of
/// C_j^{(α)}. Evaluated in solid (homogeneous) form, r^{k} Y(x/r), so no division by |x'| is
/// needed: D_j = r^j C_j^{(α)}(a/r) obeys j D_j = 2(j+α−1) a D_{j−1} − (j+2α−2) r² D_{j−2}, and the
/// normalisation is folded into the recurrence (ratios of c from lgamma) so nothing overflows.
/// Degree k occupies [off(k), off(k+1)) as the blocks l = 0..k of sizes N(n−1, l); the l = 0
/// entry is √N(n,k) P_{k,n}(x₀).
class GelfandTsetlinBasis {
 public:
  GelfandTsetlinBasis(int dim, int K) : dim_(dim), K_(K), levels_(std::size_t(dim) + 1) {
    for (int m = 3; m <= dim; ++m) {
      Level& L = levels_[m];
      L.off = degree_offsets(m, K);
      L.sub_off = degree_offsets(m - 1, K);
      L.values.resize(L.off.back());
      const std::size_t w = std::size_t(K) + 1;
      L.c0.resize(w);
      L.p1.assign(w * w, 0.0);
      L.p2.assign(w * w, 0.0);
      const double log_cm = std::log(funk_hecke_constant(m));
      for (int l = 0; l <= K; ++l) {
        const double alpha = l + (m - 2) / 2.0;
        const auto log_c = [&](int j) {  // log c_{m, l+j, l}
          const double log_h = std::log(std::numbers::pi) + (1.0 - 2.0 * alpha) * std::log(2.0) +
                               std::lgamma(j + 2.0 * alpha) - std::lgamma(j + 1.0) - std::log(j + alpha) -
                               2.0 * std::lgamma(alpha);
          return -0.5 * (log_cm + log_h);
        };
        L.c0[l] = std::exp(log_c(0));
        for (int j = 1; l + j <= K; ++j) {
          const std::size_t i = std::size_t(l) * w + j;
          if (j == 1) {
            L.p1[i] = std::exp(log_c(1) - log_c(0)) * 2.0 * alpha;
          } else {
            L.p1[i] = std::exp(log_c(j) - log_c(j - 1)) * 2.0 * (j + alpha - 1.0) / j;
            L.p2[i] = std::exp(log_c(j) - log_c(j - 2)) * (j + 2.0 * alpha - 2.0) / j;
          }
        }
      }
    }
    base_.resize(2 * std::size_t(K) + 1);
    d_.resize(std::size_t(K) + 1);
    r2_.resize(std::size_t(dim) + 1);
  }

  void values(const double* x, double* out) {
    // r2_[i] = Σ_{j≥i} x_j²: the squared radius seen by the level of dimension dim − i.
    r2_[dim_] = 0.0;
    for (int i = dim_ - 1; i >= 0; --i) r2_[i] = r2_[i + 1] + x[i] * x[i];
    const double* sub = circle(x + dim_ - 2);
    for (int m = 3; m <= dim_; ++m) {
      Level& L = levels_[m];
      const int first = dim_ - m;  // this level sees (x_first, ..., x_{dim−1})
      const double a = x[first], r2 = r2_[first];
      double* dst = m == dim_ ? out : L.values.data();
      const std::size_t w = std::size_t(K_) + 1;
      for (int l = 0; l <= K_; ++l) {
        // Normalised D̃_j = c_{m,l+j,l} D_j for j = 0..K−l.
        d_[0] = L.c0[l];
        if (l + 1 <= K_) d_[1] = L.p1[std::size_t(l) * w + 1] * a * d_[0];
        for (int j = 2; l + j <= K_; ++j) {
          const std::size_t i = std::size_t(l) * w + j;
          d_[j] = L.p1[i] * a * d_[j - 1] - L.p2[i] * r2 * d_[j - 2];
        }
        const std::size_t lo = L.sub_off[l], hi = L.sub_off[l + 1];
        for (int j = 0; l + j <= K_; ++j) {
          double* block = dst + L.off[l + j] + lo;
          for (std::size_t q = lo; q < hi; ++q) block[q - lo] = d_[j] * sub[q];
        }
      }
      sub = dst;
    }
  }

 private:
  struct Level {
    std::vector<std::size_t> off, sub_off;  // degree offsets at this level and the one below
    std::vector<double> values;             // solid harmonics of this level (input to the next)
    std::vector<double> c0, p1, p2;         // normalised recurrence, indexed l·(K+1) + j
  };

  // Solid harmonics of S¹: 1, √2 Re (x₀ + i x₁)^l, √2 Im (x₀ + i x₁)^l.
  const double* circle(const double* x) {
    double c = 1.0, s = 0.0;
    base_[0] = 1.0;
    for (int l = 1; l <= K_; ++l) {
      const double cn = c * x[0] - s * x[1];
      s = s * x[0] + c * x[1];
      c = cn;
      base_[2 * l - 1] = std::numbers::sqrt2 * c;
      base_[2 * l] = std::numbers::sqrt2 * s;
    }
    return base_.data();
  }

  int dim_;
  int K_;
  std::vector<Level> levels_;
  std::vector<double> base_, d_, r2_;
};

/// Evaluates the eigenbasis at points; for d = 3 the recurrence coefficients are tabulated once.
class Basis {
 public:
  Basis(int dim, int K) : dim_(dim), K_(K) {
    if (dim_ >= 4) general_.emplace(dim, K);
    if (dim_ != 3) return;
    // a_km = √((4k²−1)/(k²−m²)), b_km = √(((k−1)²−m²)/(4(k−1)²−1)) for k ≥ m + 2, at k² + m.
    a_.assign(basis_size(3, K), 0.0);
    b_.assign(basis_size(3, K), 0.0);
    for (int m = 0; m <= K; ++m)
      for (int k = m + 2; k <= K; ++k) {
        const double kk = k, mm = m;
        a_[std::size_t(k) * k + m] = std::sqrt((4 * kk * kk - 1) / (kk * kk - mm * mm));
        b_[std::size_t(k) * k + m] = std::sqrt(((kk - 1) * (kk - 1) - mm * mm) / (4 * (kk - 1) * (kk - 1) - 1));
      }
  }

  void values(const double* x, double* out) {
    if (general_) {
      general_->values(x, out);
      return;
    }
    if (dim_ == 2) {
      // √2 cos kφ, √2 sin kφ from (cos φ, sin φ) by rotation (error grows like k·ε).
      const double c1 = x[0], s1 = x[1];
      double ck = 1.0, sk = 0.0;
      out[0] = 1.0;
      for (int k = 1; k <= K_; ++k) {
        const double cn = ck * c1 - sk * s1;
        sk = sk * c1 + ck * s1;
        ck = cn;
        out[2 * k - 1] = std::numbers::sqrt2 * ck;
        out[2 * k] = std::numbers::sqrt2 * sk;
      }
      return;
    }
    // Q_k^m(z) = ρ^m q_k^m(z) with ρ = sin ϑ = |(x₁, x₂)|; ρ^m (cos mψ, sin mψ) = (x₁ + i x₂)^m,
    // so no division by ρ is needed at the poles.
    const double z = x[0], x1 = x[1], x2 = x[2];
    double qmm = 1.0;          // q_m^m = Π_{j≤m} √((2j+1)/(2j))
    double cm = 1.0, sm = 0.0; // (x₁ + i x₂)^m
    for (int m = 0; m <= K_; ++m) {
      if (m > 0) {
        qmm *= std::sqrt((2.0 * m + 1.0) / (2.0 * m));
        const double cn = cm * x1 - sm * x2;
        sm = sm * x1 + cm * x2;
        cm = cn;
      }
      double prev = 0.0, cur = qmm;
      for (int k = m; k <= K_; ++k) {
        if (k == m + 1) {
          prev = cur;
          cur = std::sqrt(2.0 * m + 3.0) * z * cur;
        } else if (k >= m + 2) {
          const std::size_t i = std::size_t(k) * k + m;
          const double next = a_[i] * (z * cur - b_[i] * prev);
          prev = cur;
          cur = next;
        }
        const std::size_t base = std::size_t(k) * k;
        if (m == 0) {
          out[base] = cur;
        } else {
          out[base + 2 * m - 1] = std::numbers::sqrt2 * cur * cm;
          out[base + 2 * m] = std::numbers::sqrt2 * cur * sm;
        }
      }
    }
  }

 private:
  int dim_;
  int K_;
  std::vector<double> a_, b_;
  std::optional<GelfandTsetlinBasis> general_;  // d ≥ 4
};

}  // namespace

std::vector<double> eigenbasis_coefficients(const model::Target& target, int K) {
  const int dim = target.dim();
  require_supported(dim);
  const std::vector<std::size_t> off = degree_offsets(dim, K);
  std::vector<double> G(off.back(), 0.0);
  const std::vector<double>& c = target.coefficients();
  const int top = std::min(K, target.max_degree());
  if (top >= 0) G[0] = c[0];
  for (int k = 1; k <= top; ++k) {
    if (target.kind() == model::Target::Kind::Circle) {
      // g_k √2 cos(kφ + ψ_k) = g_k cos ψ_k · √2 cos kφ − g_k sin ψ_k · √2 sin kφ
      G[2 * k - 1] = c[k] * std::cos(target.phases()[k]);
      G[2 * k] = -c[k] * std::sin(target.phases()[k]);
    } else if (dim == 2) {
      G[2 * k - 1] = c[k] / std::numbers::sqrt2;  // c_k cos kφ
    } else {
      // c_k P_{k,d}(x₀) = c_k/√N(d,k) · Y_{k,0}, the first entry of degree k (d = 3: index k²).
      G[off[k]] = c[k] / std::sqrt(model::harmonic_dimension(dim, k));
    }
  }
  return G;
}

std::size_t kernel_sgd_coefficients(int dim, int K) { return basis_size(dim, K); }
std::size_t kernel_sgd_max_coefficients() noexcept { return kMaxCoefficients; }

void eigenbasis_values(int dim, int K, const double* x, double* out) {
  require_supported(dim);
  Basis(dim, K).values(x, out);
}

KernelRun kernel_sgd(const Spectrum& spectrum, const model::Target& target, const model::SgdConfig& config,
                     const model::DataStream& data, std::span<const std::int64_t> checkpoint_steps) {
  const int dim = spectrum.dim;
  require_supported(dim);
  assert(target.dim() == dim && data.dim() == dim);
  assert(std::is_sorted(checkpoint_steps.begin(), checkpoint_steps.end()));
  // Degrees above the last nonzero eigenvalue never move (F = 0 there): leave them out of the
  // basis and count the target's energy there as never learnt. Exact, and for swish (whose μ_k
  // are 0 below the rounding floor from k ≈ 11 s on) it cuts the cost by kmax/(11 s).
  int K = spectrum.kmax();
  while (K > 0 && !(spectrum.eigenvalue[K] > 0.0)) --K;
  const std::vector<std::size_t> off = degree_offsets(dim, K);
  const std::size_t n = off.back();
  if (n > kMaxCoefficients) {
    int k_ok = K;
    while (k_ok > 0 && basis_size(dim, k_ok) > kMaxCoefficients) --k_ok;
    throw InputError::bad_value("problem.kmax", std::to_string(K),
                                "the kernel reference in d = " + std::to_string(dim) + " needs sum_{k<=kmax} N(d,k) = " +
                                    std::to_string(n) + " coefficients per step; allowed: kmax <= " + std::to_string(k_ok) +
                                    " (or network.model = network)");
  }

  std::vector<double> mu(n);
  for (int k = 0; k <= K; ++k)
    std::fill(mu.begin() + static_cast<std::ptrdiff_t>(off[k]), mu.begin() + static_cast<std::ptrdiff_t>(off[k + 1]),
              spectrum.eigenvalue[k]);
  const std::vector<double> G = eigenbasis_coefficients(target, K);
  double outside = 0.0;  // target energy above degree K: never learnt, always in the error
  const std::vector<double> energy = degree_energy(target);
  for (std::size_t k = std::size_t(K) + 1; k < energy.size(); ++k) outside += energy[k];

  const bool last = config.iterate != model::IterateKind::Average;
  const bool averaged = config.iterate != model::IterateKind::Last;
  std::vector<double> F(n, 0.0), Fbar(averaged ? n : 0, 0.0), Y(n);
  Basis basis(dim, K);
  const auto error_of = [&](const std::vector<double>& coef) {
    double e = 0.0;
    for (std::size_t i = 0; i < n; ++i) e += (coef[i] - G[i]) * (coef[i] - G[i]);
    return e + outside;
  };

  // Samples drawn kBatch at a time (the target across samples in SIMD lanes), the same bits as
  // data.sample(t, ·) one at a time; a few past the last step are drawn and never used.
  constexpr int kBatch = 64;
  std::vector<double> xs(std::size_t(kBatch) * dim), ys(kBatch);
  std::int64_t batch_first = 1 - kBatch;  // the batch holds samples batch_first .. batch_first + kBatch − 1

  KernelRun run;
  std::int64_t done = 0;
  for (const std::int64_t stop : checkpoint_steps) {
    while (done < stop) {
      const std::int64_t t = done + 1;
      if (t >= batch_first + kBatch) {
        batch_first = t;
        data.sample_batch(t, kBatch, xs.data(), ys.data());
      }
      const double* x_t = xs.data() + std::size_t(t - batch_first) * dim;
      const double y = ys[std::size_t(t - batch_first)];
      basis.values(x_t, Y.data());
      double f = 0.0;
      for (std::size_t i = 0; i < n; ++i) f += F[i] * Y[i];
      const double residual = f - y;
      if (!(std::fabs(residual) <= config.divergence_threshold)) {  // also catches NaN
        run.status = model::RunStatus::Diverged;
        run.diverged_step = t;
        return run;
      }
      const double eta = config.schedule.eta(t);
      const double shrink = 1.0 - eta * config.lambda;
      const double coef = eta * residual;
      for (std::size_t i = 0; i < n; ++i) F[i] = shrink * F[i] - coef * mu[i] * Y[i];
      if (averaged) {
        const double inv = 1.0 / static_cast<double>(t);
        for (std::size_t i = 0; i < n; ++i) Fbar[i] += (F[i] - Fbar[i]) * inv;
      }
      done = t;
    }
    model::Checkpoint cp;
    cp.step = stop;
    if (last) cp.error = error_of(F);
    if (averaged) cp.error_average = error_of(Fbar);
    if (!std::isfinite(last ? cp.error : cp.error_average)) {
      run.status = model::RunStatus::Diverged;
      run.diverged_step = stop;
      return run;
    }
    run.checkpoints.push_back(cp);
  }
  return run;
}

}  // namespace ntksweep::theory
