// CompileRegex: the one way sredb compiles a label-matcher pattern.
//
// std::regex reports a bad pattern only by throwing (caught here), and
// libstdc++'s parser overflows a signed long on a back-reference or a
// repeat count of about 19 digits or more (undefined behaviour, found by
// fuzzing the query executor): such numbers are refused before it sees
// them. No pattern needs a back-reference or a count above 999,999,999.
#ifndef SREDB_STORAGE_INTERNAL_REGEX_COMPILE_H_
#define SREDB_STORAGE_INTERNAL_REGEX_COMPILE_H_

#include <regex>
#include <string>

#include "storage/status.h"

namespace sredb::internal {

inline constexpr size_t kMaxRegexNumberDigits = 9;

// Compiles `pattern` (ECMAScript grammar) into *out, or sets *why and
// returns false.
inline bool CompileRegex(const std::string& pattern, std::regex* out, std::string* why) {
  auto digits_from = [&pattern](size_t i) {
    size_t n = 0;
    while (i + n < pattern.size() && pattern[i + n] >= '0' && pattern[i + n] <= '9') ++n;
    return n;
  };
  bool in_braces = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    size_t run = 0;
    if (pattern[i] == '\\') {
      run = digits_from(i + 1);  // a back-reference
      ++i;                       // the escaped character is taken literally
    } else if (pattern[i] == '{' || (in_braces && pattern[i] == ',')) {
      in_braces = true;
      run = digits_from(i + 1);  // a repeat count
    } else if (pattern[i] == '}') {
      in_braces = false;
    }
    if (run > kMaxRegexNumberDigits) {
      *why = "a number of " + std::to_string(run) + " digits (at most " +
             std::to_string(kMaxRegexNumberDigits) + ")";
      return false;
    }
  }
  try {
    *out = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    *why = e.what();
    return false;
  }
  return true;
}

// The same, as InvalidArgument naming the pattern and why.
inline Status CompileRegex(const std::string& pattern, std::regex* out) {
  std::string why;
  if (CompileRegex(pattern, out, &why)) return Status::OK();
  return Status::InvalidArgument("bad regex '" + pattern + "': " + why);
}

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_REGEX_COMPILE_H_
