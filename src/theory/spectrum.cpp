// The NTK spectrum from the Funk–Hecke coefficients of σ and σ'; see spectrum.hpp.
#include "ntksweep/theory/spectrum.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <string>

#include "ntksweep/core/error.hpp"
#include "ntksweep/model/quadrature.hpp"
#include "ntksweep/model/target.hpp"

namespace ntksweep::theory {

ActivationCoefficients activation_coefficients(const KernelSpec& spec, int kmax, int n_nodes) {
  validate(spec);
  if (kmax < 1) throw InputError::bad_value("problem.kmax", std::to_string(kmax), "kmax must be >= 1");
  const int d = spec.dim;
  const model::Activation& act = spec.activation;
  if (n_nodes <= 0) {
    n_nodes = kmax + d + 64;
    if (act.kind == model::ActivationKind::Swish) n_nodes += static_cast<int>(std::ceil(8.0 * std::sqrt(act.s)));
  }
  std::vector<double> t, w;
  model::gauss_legendre(n_nodes, t, w);

  ActivationCoefficients c;
  c.value.assign(std::size_t(kmax) + 1, 0.0);
  c.derivative.assign(std::size_t(kmax) + 1, 0.0);
  // For even k: a_k = 2 c_d ∫_0^{π/2} e(cos φ) P_k(cos φ) sin^{d−2}φ dφ with e(z) = σ(z) − z/2 even;
  // for odd k:  b_k = 2 c_d ∫_0^{π/2} o(cos φ) P_k(cos φ) sin^{d−2}φ dφ with o(z) = σ'(z) − 1/2 odd.
  // In φ the integrand is analytic on [0, π/2] (ReLU) or steep only near the end φ = π/2 (swish).
  std::vector<double> p(std::size_t(kmax) + 1);
  double abs_e = 0.0, abs_o = 0.0;  // Σ|terms|: the rounding floor of the sums (|P_{k,d}| ≤ 1)
  const double quarter = std::numbers::pi / 4;
  for (int i = 0; i < n_nodes; ++i) {
    const double phi = quarter + quarter * t[i];
    const double z = std::cos(phi);
    const double weight = quarter * w[i] * std::pow(std::sin(phi), d - 2);
    const double e = weight * (act.value(z) - 0.5 * z);
    const double o = weight * (act.derivative(z) - 0.5);
    abs_e += std::fabs(e);
    abs_o += std::fabs(o);
    if (d == 2) {
      // P_{k,2}(cos φ) = cos kφ by rotation: error O(kε), where the Chebyshev recurrence of
      // legendre_dim loses O(k²ε) near φ = 0.
      const double s1 = std::sin(phi);
      double ck = 1.0, sk = 0.0;
      p[0] = 1.0;
      for (int k = 1; k <= kmax; ++k) {
        const double cn = ck * z - sk * s1;
        sk = sk * z + ck * s1;
        ck = cn;
        p[k] = ck;
      }
    } else {
      model::legendre_dim(d, z, kmax + 1, p.data());
    }
    for (int k = 0; k <= kmax; k += 2) c.value[k] += e * p[k];
    for (int k = 1; k <= kmax; k += 2) c.derivative[k] += o * p[k];
  }
  const double scale = 2.0 * funk_hecke_constant(d);
  // Coefficients below the rounding floor of their sum are indistinguishable from 0 (swish's
  // decay geometrically, e.g. below 1e-15 from k ≈ 11 s on); they are set to 0 rather than left
  // as noise that a target or a decay fit would read as signal.
  const double floor_e = 64.0 * std::numeric_limits<double>::epsilon() * abs_e;
  const double floor_o = 64.0 * std::numeric_limits<double>::epsilon() * abs_o;
  for (int k = 0; k <= kmax; k += 2) c.value[k] = std::fabs(c.value[k]) <= floor_e ? 0.0 : scale * c.value[k];
  for (int k = 1; k <= kmax; k += 2) c.derivative[k] = std::fabs(c.derivative[k]) <= floor_o ? 0.0 : scale * c.derivative[k];
  // The odd part of σ is z/2 and the even part of σ' is 1/2, exactly: λ_1[t] = 1/N(d,1) = 1/d.
  c.value[1] = 1.0 / (2.0 * d);
  c.derivative[0] = 0.5;
  return c;
}

Spectrum ntk_spectrum(const KernelSpec& spec, int kmax) {
  const ActivationCoefficients c = activation_coefficients(spec, kmax + 1);
  const double R2 = spec.output_scale * spec.output_scale;
  const double g2 = spec.bias_scale * spec.bias_scale;
  const int d = spec.dim;
  Spectrum s;
  s.dim = d;
  s.eigenvalue.resize(std::size_t(kmax) + 1);
  s.multiplicity.resize(std::size_t(kmax) + 1);
  const auto beta = [&](int k) { return c.derivative[k] * c.derivative[k]; };
  for (int k = 0; k <= kmax; ++k) {
    // u·(Σ_j β_j N_j P_j): degree j moves to j+1 with weight (j+1)/(2j+d) and to j−1 with weight
    // (j+d−3)/(2j+d−4), in eigenvalue terms (N(d,·) ratios folded in); k = 0 receives β_1.
    const double shift = k == 0 ? beta(1) : (k * beta(k - 1) + (k + d - 2.0) * beta(k + 1)) / (2.0 * k + d - 2);
    s.eigenvalue[k] = c.value[k] * c.value[k] + R2 * (shift + g2 * beta(k));
    s.multiplicity[k] = model::harmonic_dimension(d, k);
  }
  return s;
}

double mercer_sum(const Spectrum& spectrum) {
  double sum = 0.0;
  // Smallest terms first.
  for (int k = spectrum.kmax(); k >= 0; --k) sum += spectrum.multiplicity[k] * spectrum.eigenvalue[k];
  return sum;
}

double fitted_decay(const Spectrum& spectrum, int k_lo, int k_hi) {
  const int K = spectrum.kmax();
  k_lo = std::max(k_lo, 0);
  k_hi = std::min(k_hi, K);
  // Rank of every degree among all eigenvalues, with multiplicity.
  std::vector<int> order(std::size_t(K) + 1);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int i, int j) { return spectrum.eigenvalue[i] > spectrum.eigenvalue[j]; });
  std::vector<double> index(std::size_t(K) + 1);
  double above = 0.0;
  for (std::size_t n = 0; n < order.size();) {
    // Degrees with equal eigenvalue share the block of ranks.
    std::size_t m = n;
    double block = 0.0;
    while (m < order.size() && spectrum.eigenvalue[order[m]] == spectrum.eigenvalue[order[n]])
      block += spectrum.multiplicity[order[m++]];
    for (std::size_t q = n; q < m; ++q) index[order[q]] = above + (block + 1.0) / 2.0;
    above += block;
    n = m;
  }
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int n = 0;
  for (int k = k_lo; k <= k_hi; ++k) {
    const double mu = spectrum.eigenvalue[k];
    if (!(mu > std::numeric_limits<double>::min())) continue;  // zeros and denormals
    const double x = std::log(index[k]), y = std::log(mu);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    ++n;
  }
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return -slope;
}

double fitted_decay(const Spectrum& spectrum) {
  int K = spectrum.kmax();
  while (K > 1 && !(spectrum.eigenvalue[K] > 0.0)) --K;  // the resolved (nonzero) range
  return fitted_decay(spectrum, std::max(1, (K + 3) / 4), K);
}

}  // namespace ntksweep::theory
