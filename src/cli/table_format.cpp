// Printing tables; see table_format.hpp.
#include "table_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ntksweep/core/error.hpp"

namespace ntksweep::cli {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string full_precision(double v) {
  if (std::isnan(v)) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

TableFormat parse_table_format(const std::string& option, const std::string& text) {
  if (text == "table") return TableFormat::Text;
  if (text == "csv") return TableFormat::Csv;
  if (text == "markdown") return TableFormat::Markdown;
  throw InputError::bad_value(option, text, "allowed: table, csv, markdown");
}

void print(std::ostream& os, const TextTable& t, TableFormat format) {
  const std::size_t n = t.headers.size();
  if (format == TableFormat::Csv) {
    for (std::size_t j = 0; j < n; ++j) os << (j ? "," : "") << csv_field(t.headers[j]);
    os << "\n";
    for (const auto& row : t.rows) {
      for (std::size_t j = 0; j < n; ++j) os << (j ? "," : "") << csv_field(j < row.size() ? row[j] : "");
      os << "\n";
    }
    return;
  }
  std::vector<std::size_t> width(n);
  for (std::size_t j = 0; j < n; ++j) width[j] = t.headers[j].size();
  for (const auto& row : t.rows)
    for (std::size_t j = 0; j < n && j < row.size(); ++j) width[j] = std::max(width[j], row[j].size());
  const auto pad = [](const std::string& s, std::size_t w) { return std::string(w - std::min(w, s.size()), ' ') + s; };
  if (format == TableFormat::Markdown) {
    const auto line = [&](const std::vector<std::string>& cells) {
      os << "|";
      for (std::size_t j = 0; j < n; ++j) os << " " << pad(j < cells.size() ? cells[j] : "", width[j]) << " |";
      os << "\n";
    };
    line(t.headers);
    os << "|";
    for (std::size_t j = 0; j < n; ++j) os << std::string(width[j] + 1, '-') << ":|";
    os << "\n";
    for (const auto& row : t.rows) line(row);
    return;
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t j = 0; j < n; ++j) os << (j ? "  " : "") << pad(j < cells.size() ? cells[j] : "", width[j]);
    os << "\n";
  };
  line(t.headers);
  for (const auto& row : t.rows) line(row);
}

std::string format_number(double v, int digits, const std::string& missing) {
  if (std::isnan(v)) return missing;
  char buf[64];
  if (digits < 0) std::snprintf(buf, sizeof buf, "%.*f", -digits, v);
  else std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::size_t n_rows(const store::Table& table) {
  if (table.columns.empty()) return 0;
  return std::visit([](const auto& v) { return v.size(); }, table.columns.front().second);
}

const store::Column* find_column(const store::Table& table, const std::string& name) {
  for (const auto& [n, c] : table.columns)
    if (n == name) return &c;
  return nullptr;
}

TextTable text_table(const store::Table& table, const std::vector<ColumnView>& columns, TableFormat format) {
  std::vector<ColumnView> shown;
  if (columns.empty())
    for (const auto& [name, col] : table.columns) shown.push_back({name, name, 4});
  else
    for (const ColumnView& c : columns)
      if (find_column(table, c.name)) shown.push_back(c);
  TextTable out;
  for (const ColumnView& c : shown) out.headers.push_back(format == TableFormat::Csv || c.heading.empty() ? c.name : c.heading);
  const std::size_t rows = n_rows(table);
  for (std::size_t i = 0; i < rows; ++i) {
    std::vector<std::string> row;
    for (const ColumnView& c : shown) {
      const store::Column& col = *find_column(table, c.name);
      if (const auto* d = std::get_if<std::vector<double>>(&col))
        row.push_back(format == TableFormat::Csv ? full_precision((*d)[i]) : format_number((*d)[i], c.digits));
      else if (const auto* n = std::get_if<std::vector<std::int64_t>>(&col))
        row.push_back(std::to_string((*n)[i]));
      else
        row.push_back(std::get<std::vector<std::string>>(col)[i]);
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace ntksweep::cli
