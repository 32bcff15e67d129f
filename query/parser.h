// The query language parser: text -> typed syntax tree (query/ast.h), for
// every statement of QUERY.md. A hand-written recursive-descent parser over
// the tokens of query/lexer.h; the grammar is in query/README.md.
//
// Besides syntax it checks everything that needs no data (README "Checks"):
// columns and functions exist and take the right kinds of arguments,
// durations are positive, regexes compile, names resolve, and every SELECT
// has a time bound. Every failure is Status::InvalidArgument whose message
// starts with "line:column: " of the offending token, e.g.
//   1:27: expected a duration after OVER, got 'hour'
//
// Robustness: any text, however long or nested, yields a Statement or an
// InvalidArgument; input size (kMaxQueryBytes), token count and nesting
// depth are bounded, never the stack.
//
// Thread safety: stateless functions; call from any thread.
#ifndef SREDB_QUERY_PARSER_H_
#define SREDB_QUERY_PARSER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "query/ast.h"
#include "storage/status.h"

namespace sredb::query {

inline constexpr size_t kMaxQueryBytes = 1 << 20;  // longer texts are refused
inline constexpr int kMaxNestingDepth = 64;        // parentheses / NOT in HAVING
inline constexpr size_t kMaxRegexBytes = 1024;     // bounds a compiled regex's size

// Exactly one statement, optionally followed by ';'.
Result<Statement> Parse(std::string_view text);

// Statements separated by ';' (empty ones skipped; the last ';' optional).
// Fails on the first error; positions are within the whole text.
Result<std::vector<Statement>> ParseScript(std::string_view text);

}  // namespace sredb::query

#endif  // SREDB_QUERY_PARSER_H_
