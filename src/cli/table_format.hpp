// Printing tables for people and for scripts: aligned text, CSV or GitHub markdown, from rows of
// already formatted cells, or from a store::Table (a /fits or /theory table) with a chosen set
// of columns. Used by `fit` and `info`.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ntksweep/store/result_file.hpp"

namespace ntksweep::cli {

enum class TableFormat { Text, Csv, Markdown };

/// "table" | "csv" | "markdown" → the format; InputError naming `option` otherwise.
TableFormat parse_table_format(const std::string& option, const std::string& text);

/// A table of formatted cells.
struct TextTable {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

/// Writes `table`: Text = columns right-aligned and padded; Csv = comma-separated with quoting
/// where needed; Markdown = a GitHub pipe table.
void print(std::ostream& os, const TextTable& table, TableFormat format);

/// How one column of a store::Table is shown.
struct ColumnView {
  std::string name;     ///< dataset name in the table
  std::string heading;  ///< shown heading (empty = the name)
  int digits = 4;       ///< significant digits of a double (%.Ng); negative = fixed with −digits decimals
};

/// A number in the style of ColumnView::digits; NaN as "nan"… or `missing` when given.
std::string format_number(double v, int digits, const std::string& missing = "-");

/// The rows of a store::Table as text, with the given columns (those not in the table are
/// skipped); all columns in stored order when `columns` is empty. Csv output keeps full precision.
TextTable text_table(const store::Table& table, const std::vector<ColumnView>& columns, TableFormat format);

/// The number of rows of a store::Table (0 without columns).
std::size_t n_rows(const store::Table& table);

/// A column of a store::Table by name, or nullptr.
const store::Column* find_column(const store::Table& table, const std::string& name);

}  // namespace ntksweep::cli
