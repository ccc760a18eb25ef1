// Small statistical building blocks of the fits: a least-squares line, quantiles of the normal
// and Student t distributions, and empirical quantiles. Pure functions; no I/O.
#pragma once

#include <span>
#include <vector>

namespace ntksweep::fit {

/// y ≈ intercept + slope · x by ordinary least squares.
struct Line {
  double slope = 0.0;
  double intercept = 0.0;
  int n_points = 0;
  double rms_residual = 0.0;  ///< sqrt(Σ residual² / n)
};

/// Least-squares line through (x_i, y_i). Points with a non-finite x or y are skipped. With
/// fewer than two usable points, or all x equal, slope and intercept are NaN.
Line fit_line(std::span<const double> x, std::span<const double> y);

/// Φ(z) = P(Z ≤ z) for a standard normal Z.
double normal_cdf(double z) noexcept;
/// Φ⁻¹(p), p ∈ (0, 1) (Acklam's rational approximation refined by one Halley step; |error| < 1e-12).
/// NaN outside (0, 1).
double normal_quantile(double p) noexcept;
/// P(T ≤ t) for Student's t with ν > 0 degrees of freedom (regularized incomplete beta).
double student_t_cdf(double t, double nu) noexcept;
/// The p-quantile of Student's t with ν > 0 degrees of freedom (|error| < 1e-10). NaN outside (0, 1).
double student_t_quantile(double p, double nu) noexcept;

/// The q-quantile (q ∈ [0, 1]) of a sample by linear interpolation between order statistics
/// (Hyndman–Fan type 7, the default of R and numpy). Sorts a copy; NaN for an empty sample.
double quantile(std::vector<double> sample, double q);

}  // namespace ntksweep::fit
