// The annotation record: one annotation, the value of its key in the
// `annotations` column family (storage/FORMAT.md "annotations").
//
//   key    := ordered64(time) | be64(seq)
//   record := u8 version (1) | u8 flags | lp(type)
//           | varint nlabels | nlabels x (lp(name) | lp(value))   ascending names
//           | [fixed64 value bits]       if flags bit 0
//           | [fixed64 threshold bits]   if flags bit 1
//           | lp(detail)
//           | fixed64 XXH3 of all before
//   flags: bit 0 value present; bit 1 threshold present; other bits zero.
//
// Thread safety: pure functions.
#ifndef SREDB_STORAGE_INTERNAL_ANNOTATION_RECORD_H_
#define SREDB_STORAGE_INTERNAL_ANNOTATION_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/annotation.h"
#include "storage/status.h"

namespace sredb::internal {

inline constexpr uint8_t kAnnotationRecordVersion = 1;

std::string AnnotationKey(int64_t time, uint64_t seq);
// Splits a key; false when it is not 16 bytes.
bool ParseAnnotationKey(std::string_view key, int64_t* time, uint64_t* seq);
// How messages name the record of `key`: "annotation (time T, seq S)".
std::string AnnotationName(std::string_view key);

// REQUIRES: ValidateAnnotation(a) is OK. Labels are written sorted by name.
std::string EncodeAnnotation(const Annotation& a);

// Decodes `record` into *out with `time` (from its key). Corruption, saying
// what is wrong, for a bad checksum, version, flags or field, or bytes left
// over; every decoded annotation passes ValidateAnnotation.
Status DecodeAnnotation(std::string_view record, int64_t time, Annotation* out);

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_ANNOTATION_RECORD_H_
