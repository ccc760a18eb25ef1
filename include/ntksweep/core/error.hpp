// Error types shared by every module. Bad input from the user is an InputError: its message
// names the option, the value and what is allowed, and the CLI turns it into one line on stderr
// and exit code 2 before any work starts.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace ntksweep {

/// Bad input from the user (configuration, command line, an input file). Exit code 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;

  /// "option 'grid.width': value '7' is not allowed: <allowed>"
  static InputError bad_value(std::string_view option, std::string_view value,
                              std::string_view allowed) {
    return InputError("option '" + std::string(option) + "': value '" + std::string(value) +
                      "' is not allowed; " + std::string(allowed));
  }
};

}  // namespace ntksweep
