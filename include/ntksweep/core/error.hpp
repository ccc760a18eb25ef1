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
  /// The message is kept on one line: control characters (a value may hold any byte) are
  /// written as \xNN, so the CLI's "one line on stderr" holds for every input.
  explicit InputError(std::string_view message) : std::runtime_error(one_line(message)) {}

  /// "option 'grid.width': value '7' is not allowed: <allowed>"
  static InputError bad_value(std::string_view option, std::string_view value,
                              std::string_view allowed) {
    return InputError("option '" + std::string(option) + "': value '" + std::string(value) +
                      "' is not allowed; " + std::string(allowed));
  }

 private:
  static std::string one_line(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x20 || c == 0x7f) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += ch;
      }
    }
    return out;
  }
};

}  // namespace ntksweep
