// The rules every stored label obeys (storage/FORMAT.md "index"), shared by
// event label sets (storage/event.h) and annotations (storage/annotation.h).
// Defined in storage/event.cc.
#ifndef SREDB_STORAGE_INTERNAL_LABEL_RULES_H_
#define SREDB_STORAGE_INTERNAL_LABEL_RULES_H_

#include <string_view>

#include "storage/event.h"
#include "storage/status.h"

namespace sredb::internal {

// [A-Za-z_][A-Za-z0-9_]*, at most kMaxLabelNameBytes.
bool IsValidLabelName(std::string_view name);
// Well-formed UTF-8 without control characters.
bool IsPrintableUtf8(std::string_view s);
// OK, or InvalidArgument naming the label: a bad name, or a value that is
// empty, longer than kMaxLabelValueBytes or not printable UTF-8.
Status CheckLabel(const Label& label);

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_LABEL_RULES_H_
