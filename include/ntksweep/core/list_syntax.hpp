// The list syntax of configuration values (DESIGN.md §7):
//   a,b,c                 explicit values
//   pow2:lo:hi            2^lo, 2^(lo+1), ..., 2^hi          (integers lo <= hi)
//   geom:start:stop:n     n values geometrically spaced from start to stop (inclusive)
//   lin:start:stop:n      n values linearly spaced from start to stop (inclusive)
// Values are returned in the order written; duplicates, empty items and malformed ranges are
// InputErrors naming the option.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ntksweep::core {

/// Parses a finite real number; the whole text must be the number.
double parse_real(std::string_view option, std::string_view text);

/// Parses a whole number (written as an integer or as an exactly integral real such as 1e3).
long long parse_integer(std::string_view option, std::string_view text);

/// A list of real numbers in the list syntax above.
std::vector<double> parse_real_list(std::string_view option, std::string_view text);

/// A list of whole numbers: explicit integers or pow2; geom and lin values are rounded to the
/// nearest integer (and must then still be distinct).
std::vector<long long> parse_integer_list(std::string_view option, std::string_view text);

/// A list of words (`relu,swish`), each one of `allowed`.
std::vector<std::string> parse_word_list(std::string_view option, std::string_view text,
                                         const std::vector<std::string>& allowed);

/// Trims ASCII white space at both ends.
std::string_view trim(std::string_view text);

}  // namespace ntksweep::core
