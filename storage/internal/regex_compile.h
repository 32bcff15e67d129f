// Regex: the one way sredb compiles and runs a label-matcher pattern
// (queries, the series index, annotations).
//
// Patterns are RE2 syntax (as Prometheus'), matched against the whole value,
// byte by byte (Latin-1: a label value need not be UTF-8). RE2 runs in time
// linear in the value whatever the pattern, with no recursion: a hostile
// pattern cannot hang or overflow the stack (libstdc++'s std::regex, used
// before, backtracks; fuzzing found `s***...*tep.*` taking minutes on one
// short value). Back-references and look-around, which need backtracking,
// are refused; so is a repeat count above 1000.
//
// Thread safety: a compiled Regex may be used by many threads at once.
#ifndef SREDB_STORAGE_INTERNAL_REGEX_COMPILE_H_
#define SREDB_STORAGE_INTERNAL_REGEX_COMPILE_H_

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace sredb::internal {

class Regex {
 public:
  // Whether `value` as a whole matches. REQUIRES: compiled by CompileRegex.
  bool FullMatch(std::string_view value) const {
    return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *re_);
  }

 private:
  friend bool CompileRegex(const std::string& pattern, Regex* out, std::string* why);
  std::shared_ptr<const RE2> re_;
};

// Compiles `pattern` into *out, or sets *why and returns false.
inline bool CompileRegex(const std::string& pattern, Regex* out, std::string* why) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    *why = re->error();
    return false;
  }
  out->re_ = std::move(re);
  return true;
}

// The same, as InvalidArgument naming the pattern and why.
inline Status CompileRegex(const std::string& pattern, Regex* out) {
  std::string why;
  if (CompileRegex(pattern, out, &why)) return Status::OK();
  return Status::InvalidArgument("bad regex '" + pattern + "': " + why);
}

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_REGEX_COMPILE_H_
