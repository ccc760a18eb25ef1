// The configuration list syntax; see list_syntax.hpp.
#include "ntksweep/core/list_syntax.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "ntksweep/core/error.hpp"

namespace ntksweep::core {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = text.find(sep, start);
    parts.push_back(trim(text.substr(start, pos == std::string_view::npos ? pos : pos - start)));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

constexpr std::string_view kListHelp =
    "allowed: a,b,c | pow2:lo:hi | geom:start:stop:count | lin:start:stop:count";

InputError list_error(std::string_view option, std::string_view text, std::string_view why) {
  return InputError::bad_value(option, text, std::string(why) + " (" + std::string(kListHelp) + ")");
}

// A number inside a range; the error names the whole range as written.
double range_real(std::string_view option, std::string_view text, std::string_view item) {
  try {
    return parse_real(option, item);
  } catch (const InputError&) {
    throw list_error(option, text, "'" + std::string(item) + "' is not a finite number");
  }
}

long long range_integer(std::string_view option, std::string_view text, std::string_view item) {
  try {
    return parse_integer(option, item);
  } catch (const InputError&) {
    throw list_error(option, text, "'" + std::string(item) + "' is not a whole number");
  }
}

std::vector<double> expand_range(std::string_view option, std::string_view text) {
  const auto parts = split(text, ':');
  const std::string_view kind = parts[0];
  if (kind == "pow2") {
    if (parts.size() != 3) throw list_error(option, text, "pow2 takes two exponents, pow2:lo:hi");
    const long long lo = range_integer(option, text, parts[1]);
    const long long hi = range_integer(option, text, parts[2]);
    if (lo > hi) throw list_error(option, text, "pow2:lo:hi needs lo <= hi");
    if (lo < -60 || hi > 60) throw list_error(option, text, "pow2 exponents must lie in [-60, 60]");
    std::vector<double> out;
    for (long long e = lo; e <= hi; ++e) out.push_back(std::ldexp(1.0, static_cast<int>(e)));
    return out;
  }
  if (kind == "geom" || kind == "lin") {
    if (parts.size() != 4)
      throw list_error(option, text, std::string(kind) + " takes start, stop and count");
    const double start = range_real(option, text, parts[1]);
    const double stop = range_real(option, text, parts[2]);
    const long long count = range_integer(option, text, parts[3]);
    if (count < 1 || count > 1'000'000) throw list_error(option, text, "count must be in [1, 1000000]");
    if (count == 1 && start != stop) throw list_error(option, text, "a count of 1 needs start = stop");
    if (kind == "geom" && (start <= 0 || stop <= 0))
      throw list_error(option, text, "geom needs start > 0 and stop > 0");
    if (start == stop && count > 1) throw list_error(option, text, "start = stop gives duplicate values");
    std::vector<double> out;
    for (long long i = 0; i < count; ++i) {
      const double f = count == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(count - 1);
      // The end points are exact; inner points are computed from the formula.
      double v = kind == "lin" ? start + f * (stop - start)
                               : std::exp(std::log(start) + f * (std::log(stop) - std::log(start)));
      // stop − start overflows for end points near ±1.8e308; the convex form cannot.
      if (!std::isfinite(v)) v = (1.0 - f) * start + f * stop;
      if (i == 0) v = start;
      if (i == count - 1) v = stop;
      out.push_back(v);
    }
    return out;
  }
  throw list_error(option, text, "unknown range '" + std::string(kind) + "'");
}

std::vector<double> parse_raw(std::string_view option, std::string_view text) {
  const std::string_view t = trim(text);
  if (t.empty()) throw list_error(option, text, "the list is empty");
  if (t.find(':') != std::string_view::npos) {
    if (t.find(',') != std::string_view::npos)
      throw list_error(option, text, "a range cannot be mixed with a comma list");
    return expand_range(option, t);
  }
  std::vector<double> out;
  for (std::string_view item : split(t, ',')) {
    if (item.empty()) throw list_error(option, text, "empty item");
    out.push_back(parse_real(option, item));
  }
  return out;
}

template <class T>
void reject_duplicates(std::string_view option, std::string_view text, const std::vector<T>& values) {
  std::set<T> seen;
  for (const T& v : values)
    if (!seen.insert(v).second) throw list_error(option, text, "duplicate values");
}

}  // namespace

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

double parse_real(std::string_view option, std::string_view text) {
  const std::string_view t = trim(text);
  double value = 0;
  const char* first = t.data();
  const char* last = t.data() + t.size();
  if (!t.empty() && *first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (t.empty() || ec != std::errc() || ptr != last || !std::isfinite(value))
    throw InputError::bad_value(option, text, "expected a finite number");
  return value;
}

long long parse_integer(std::string_view option, std::string_view text) {
  const double v = parse_real(option, text);
  if (v != std::floor(v) || std::fabs(v) > 9.0e15)
    throw InputError::bad_value(option, text, "expected a whole number");
  return static_cast<long long>(v);
}

std::vector<double> parse_real_list(std::string_view option, std::string_view text) {
  std::vector<double> values = parse_raw(option, text);
  reject_duplicates(option, text, values);
  return values;
}

std::vector<long long> parse_integer_list(std::string_view option, std::string_view text) {
  const std::vector<double> raw = parse_raw(option, text);
  const bool rounded = trim(text).starts_with("geom") || trim(text).starts_with("lin");
  std::vector<long long> values;
  for (double v : raw) {
    if (!rounded && v != std::floor(v)) throw list_error(option, text, "values must be whole numbers");
    if (std::fabs(v) > 9.0e15) throw list_error(option, text, "value out of range");
    values.push_back(std::llround(v));
  }
  reject_duplicates(option, text, values);
  return values;
}

std::vector<std::string> parse_word_list(std::string_view option, std::string_view text,
                                         const std::vector<std::string>& allowed) {
  std::string allowed_text = "allowed: ";
  for (std::size_t i = 0; i < allowed.size(); ++i) allowed_text += (i ? " | " : "") + allowed[i];
  const std::string_view t = trim(text);
  if (t.empty()) throw InputError::bad_value(option, text, "the list is empty; " + allowed_text);
  std::vector<std::string> out;
  for (std::string_view item : split(t, ',')) {
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end())
      throw InputError::bad_value(option, text, allowed_text + " (comma-separated)");
    out.emplace_back(item);
  }
  reject_duplicates(option, text, out);
  return out;
}

}  // namespace ntksweep::core
