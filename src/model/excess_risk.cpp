// Excess risk and activation-pattern change by quadrature, blocked over points; see
// excess_risk.hpp.
#include "ntksweep/model/excess_risk.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace ntksweep::model {
namespace {

constexpr int kBlock = 256;  // quadrature points per block: 2 KiB per coordinate, stays in L1

// out[i] = Σ_j a_j σ(b_jᵀx_i + γ c_j) for the n ≤ kBlock points starting at `first`.
template <ActivationKind Act>
void block_outputs(const TwoLayerNet& net, const Quadrature& q, int first, int n, double* out) {
  const int M = net.width(), d = net.dim();
  const double gamma = net.spec().bias_scale;
  const Activation act = net.spec().activation;
  const double s = act.s;
  alignas(64) std::array<double, kBlock> z;
  std::fill(out, out + n, 0.0);
  for (int j = 0; j < M; ++j) {
    const double cj = gamma * net.c()[j], aj = net.a()[j];
    for (int i = 0; i < n; ++i) z[i] = cj;
    for (int k = 0; k < d; ++k) {
      const double bkj = net.b_row(k)[j];
      const double* xk = q.coordinate(k) + first;
      for (int i = 0; i < n; ++i) z[i] += bkj * xk[i];
    }
    if constexpr (Act == ActivationKind::Relu) {
      for (int i = 0; i < n; ++i) out[i] += aj * (z[i] > 0.0 ? z[i] : 0.0);
    } else {
      for (int i = 0; i < n; ++i) out[i] += aj * z[i] / (1.0 + fast_exp(-s * z[i]));
    }
  }
}

}  // namespace

ErrorEvaluator::ErrorEvaluator(Quadrature quadrature, const Target& target) : quad_(std::move(quadrature)) {
  const int n = quad_.size();
  target_values_.resize(n);
  std::vector<double> x(quad_.dim);
  for (int i = 0; i < n; ++i) {
    quad_.point(i, x.data());
    target_values_[i] = target(x.data());
    target_norm2_ += quad_.weights[i] * target_values_[i] * target_values_[i];
  }
}

double ErrorEvaluator::excess_risk(const TwoLayerNet& net) const {
  const int n = quad_.size();
  const double inv_sqrt_m = 1.0 / std::sqrt(static_cast<double>(net.width()));
  alignas(64) std::array<double, kBlock> out;
  double sum = 0.0;
  for (int first = 0; first < n; first += kBlock) {
    const int len = std::min(kBlock, n - first);
    if (net.spec().activation.kind == ActivationKind::Relu)
      block_outputs<ActivationKind::Relu>(net, quad_, first, len, out.data());
    else
      block_outputs<ActivationKind::Swish>(net, quad_, first, len, out.data());
    for (int i = 0; i < len; ++i) {
      const double r = out[i] * inv_sqrt_m - target_values_[first + i];
      sum += quad_.weights[first + i] * r * r;
    }
  }
  return sum;
}

double ErrorEvaluator::pattern_change(const TwoLayerNet& net, const TwoLayerNet& init) const {
  const int n = quad_.size(), M = net.width(), d = net.dim();
  const double gamma = net.spec().bias_scale;
  long long changed = 0;
  alignas(64) std::array<double, kBlock> z, z0;
  for (int j = 0; j < M; ++j) {
    bool differs = false;
    for (int first = 0; first < n && !differs; first += kBlock) {
      const int len = std::min(kBlock, n - first);
      for (int i = 0; i < len; ++i) {
        z[i] = gamma * net.c()[j];
        z0[i] = gamma * init.c()[j];
      }
      for (int k = 0; k < d; ++k) {
        const double b = net.b_row(k)[j], b0 = init.b_row(k)[j];
        const double* xk = quad_.coordinate(k) + first;
        for (int i = 0; i < len; ++i) {
          z[i] += b * xk[i];
          z0[i] += b0 * xk[i];
        }
      }
      int diff = 0;
      for (int i = 0; i < len; ++i) diff += (z[i] > 0.0) != (z0[i] > 0.0);
      differs = diff != 0;
    }
    changed += differs;
  }
  return static_cast<double>(changed) / M;
}

}  // namespace ntksweep::model
