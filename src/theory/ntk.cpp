// The NTK of the network at initialization: closed form for ReLU, quadrature for swish.
// See ntk.hpp for the formulas.
#include "ntksweep/theory/ntk.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "ntksweep/core/error.hpp"
#include "ntksweep/model/quadrature.hpp"

namespace ntksweep::theory {

void validate(const KernelSpec& spec) {
  if (spec.dim < 2) throw InputError::bad_value("problem.dim", std::to_string(spec.dim), "d must be >= 2");
  if (!(spec.output_scale > 0.0) || !std::isfinite(spec.output_scale))
    throw InputError::bad_value("network.output-scale", std::to_string(spec.output_scale), "R must be > 0");
  if (!(spec.bias_scale >= 0.0) || !std::isfinite(spec.bias_scale))
    throw InputError::bad_value("network.bias-scale", std::to_string(spec.bias_scale), "gamma must be >= 0");
  if (spec.activation.kind == model::ActivationKind::Swish &&
      (!(spec.activation.s > 0.0) || !std::isfinite(spec.activation.s)))
    throw InputError::bad_value("network.swish-s", std::to_string(spec.activation.s), "s must be > 0");
}

double funk_hecke_constant(int dim) {
  const double d = dim;
  return std::exp(std::lgamma(d / 2.0) - std::lgamma((d - 1.0) / 2.0)) / std::sqrt(std::numbers::pi);
}

double ntk(const KernelSpec& spec, double u) {
  u = std::clamp(u, -1.0, 1.0);
  const double R2 = spec.output_scale * spec.output_scale;
  const double g2 = spec.bias_scale * spec.bias_scale;
  if (spec.activation.kind == model::ActivationKind::Relu) {
    const double pi = std::numbers::pi;
    const double k0 = (pi - std::acos(u)) / pi;
    const double k1 = (std::sqrt(std::max(0.0, 1.0 - u * u)) + (pi - std::acos(u)) * u) / pi;
    return k1 / (2.0 * spec.dim) + 0.5 * R2 * (u + g2) * k0;
  }
  const NtkParts p = ntk_by_quadrature(spec, u);
  return p.first + R2 * (u + g2) * p.second;
}

namespace {

// Gauss–Legendre rule on [−1, 1] mapped to the panel [lo, hi]: calls f(x, w) for each node.
template <class F>
void panel(const std::vector<double>& t, const std::vector<double>& w, double lo, double hi, F&& f) {
  const double mid = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
  for (std::size_t i = 0; i < t.size(); ++i) f(mid + half * t[i], half * w[i]);
}

}  // namespace

NtkParts ntk_by_quadrature(const KernelSpec& spec, double u, int n_per_panel) {
  const double pi = std::numbers::pi;
  u = std::clamp(u, -1.0, 1.0);
  const model::Activation& act = spec.activation;
  if (n_per_panel <= 0)
    n_per_panel = act.kind == model::ActivationKind::Swish ? 48 + static_cast<int>(std::ceil(12.0 * std::sqrt(act.s))) : 40;
  std::vector<double> t, w;
  model::gauss_legendre(n_per_panel, t, w);

  // Coordinates: e1 ∝ x + x', e2 ∝ x − x', so with φ = arccos u, x = cos(φ/2) e1 + sin(φ/2) e2 and
  // x' = cos(φ/2) e1 − sin(φ/2) e2. Write (b1, b2) = ρ (cos ψ, sin ψ): ψ is uniform and
  // independent of ρ, and bᵀx = ρ cos(ψ − φ/2), bᵀx' = ρ cos(ψ + φ/2). For d = 2, ρ = 1; for
  // d ≥ 3, ρ = sin ϑ with density (d − 2) sin ϑ cos^{d−3} ϑ on [0, π/2].
  const double half_phi = 0.5 * std::acos(u);
  const double ch = std::cos(half_phi), sh = std::sin(half_phi);

  // ψ panels: both arguments change sign at fixed ψ, whatever ρ is.
  std::vector<double> cuts = {half_phi + pi / 2, half_phi + 3 * pi / 2, -half_phi + pi / 2, -half_phi + 3 * pi / 2};
  for (double& c : cuts) c = std::fmod(c + 4 * pi, 2 * pi);
  std::sort(cuts.begin(), cuts.end());
  std::vector<double> breaks;
  for (double c : cuts)
    if (breaks.empty() || c - breaks.back() > 1e-14) breaks.push_back(c);
  if (breaks.size() > 1 && breaks.front() + 2 * pi - breaks.back() <= 1e-14) breaks.pop_back();

  // Angular average (1/2π) ∫ f(ρ cos(ψ−φ/2)) f(ρ cos(ψ+φ/2)) dψ for σ and σ'.
  const auto angular = [&](double rho) {
    NtkParts acc;
    for (std::size_t i = 0; i < breaks.size(); ++i) {
      const double lo = breaks[i];
      const double hi = i + 1 < breaks.size() ? breaks[i + 1] : breaks[0] + 2 * pi;
      panel(t, w, lo, hi, [&](double psi, double wt) {
        const double c = std::cos(psi), s = std::sin(psi);
        const double z = rho * (c * ch + s * sh), zp = rho * (c * ch - s * sh);
        acc.first += wt * act.value(z) * act.value(zp);
        acc.second += wt * act.derivative(z) * act.derivative(zp);
      });
    }
    acc.first /= 2 * pi;
    acc.second /= 2 * pi;
    return acc;
  };

  if (spec.dim == 2) return angular(1.0);
  NtkParts total;
  const double d = spec.dim;
  panel(t, w, 0.0, pi / 2, [&](double theta, double wt) {
    const double weight = (d - 2) * std::sin(theta) * std::pow(std::cos(theta), d - 3);
    const NtkParts a = angular(std::sin(theta));
    total.first += wt * weight * a.first;
    total.second += wt * weight * a.second;
  });
  return total;
}

}  // namespace ntksweep::theory
