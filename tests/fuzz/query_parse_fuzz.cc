// libFuzzer target: the query parser (query/parser.h) on any text, as one
// statement and as a script. Its contract: any text, however long or
// nested, yields a Statement or an InvalidArgument "line:column: ...".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "query/parser.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

void CheckRefusal(const sredb::Status& s) {
  SREDB_FUZZ_CHECK(s.IsInvalidArgument(), s.ToString());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sredb::Result<sredb::query::Statement> one = sredb::query::Parse(text);
  if (!one.ok()) CheckRefusal(one.status());
  sredb::Result<std::vector<sredb::query::Statement>> script =
      sredb::query::ParseScript(text);
  if (!script.ok()) CheckRefusal(script.status());
  // A statement that parses alone is a script of one statement.
  if (one.ok()) SREDB_FUZZ_CHECK(script.ok() && script->size() == 1, text);
  return 0;
}
