// Key layouts of sredb's column families (storage/FORMAT.md draws them).
// Header-only; every function is pure.
#ifndef SREDB_STORAGE_INTERNAL_KEYS_H_
#define SREDB_STORAGE_INTERNAL_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/internal/coding.h"

namespace sredb::internal {

// Column family names.
inline constexpr char kMetaCf[] = "meta";
inline constexpr char kIndexCf[] = "index";
inline constexpr char kHeadCf[] = "head";
inline constexpr char kChunksCf[] = "chunks";
inline constexpr char kRollup1mCf[] = "rollups_1m";  // keys as chunks
inline constexpr char kRollup1hCf[] = "rollups_1h";  // keys as chunks
// ordered64(time) be64(seq) -> annotation record (annotation_record.h)
inline constexpr char kAnnotationsCf[] = "annotations";

// meta CF.
inline constexpr std::string_view kFormatVersionKey = "format_version";
inline constexpr std::string_view kPartitionNsKey = "partition_ns";
inline constexpr std::string_view kNextSeqKey = "next_seq";
inline constexpr std::string_view kRetentionKey = "retention";
inline constexpr char kPartitionPrefix = 'P';  // 'P' ordered64(start) -> PartitionInfo

// index CF.
inline constexpr char kSeriesPrefix = 's';   // 's' be64(id) -> canonical labels
inline constexpr char kPostingPrefix = 'l';  // 'l' name 0 value 0 be64(id) -> ""

// The on-disk format this code writes (2: packs in the chunks CF; 3: rollup
// buckets of version 2). It also opens versions 1 and 2, which lack them,
// and marks them 3 when it opens them to write.
inline constexpr uint32_t kFormatVersion = 3;
inline constexpr uint32_t kOldestFormatVersion = 1;

inline std::string PartitionKey(int64_t start) {
  std::string k(1, kPartitionPrefix);
  PutOrderedInt64(&k, start);
  return k;
}

inline std::string SeriesKey(uint64_t id) {
  std::string k(1, kSeriesPrefix);
  PutBigEndian64(&k, id);
  return k;
}

// Prefix of every posting of label `name` (REQUIRES: name has no NUL).
inline std::string PostingNamePrefix(std::string_view name) {
  std::string k(1, kPostingPrefix);
  k.append(name);
  k.push_back('\0');
  return k;
}

// Prefix of the postings of name=value; the key of one posting adds be64(id).
inline std::string PostingValuePrefix(std::string_view name, std::string_view value) {
  std::string k = PostingNamePrefix(name);
  k.append(value);
  k.push_back('\0');
  return k;
}

// head CF: ordered64(partition start) be64(seq) -> head record.
inline std::string HeadKey(int64_t partition_start, uint64_t seq) {
  std::string k;
  PutOrderedInt64(&k, partition_start);
  PutBigEndian64(&k, seq);
  return k;
}
// chunks and rollup CFs: ordered64(partition start) be64(series id) -> chunk
// or rollup record.
inline std::string ChunkKey(int64_t partition_start, uint64_t series_id) {
  std::string k;
  PutOrderedInt64(&k, partition_start);
  PutBigEndian64(&k, series_id);
  return k;
}

// chunks CF, a pack of sparse series: ordered64(partition start)
// be64(last member id) 0x01. It sorts right after where its last member's
// chunk key would be, so the first key at or after ChunkKey(p, s) is s's own
// chunk or the pack that may hold s: no series with a chunk of its own lies
// between a pack's first and last member.
inline constexpr char kPackKeySuffix = '\x01';
inline constexpr size_t kChunkKeySize = 16;
inline constexpr size_t kPackKeySize = 17;
inline std::string PackKey(int64_t partition_start, uint64_t last_member) {
  std::string k = ChunkKey(partition_start, last_member);
  k.push_back(kPackKeySuffix);
  return k;
}

// The common prefix of a partition's head and chunk keys.
inline std::string PartitionStartPrefix(int64_t partition_start) {
  std::string k;
  PutOrderedInt64(&k, partition_start);
  return k;
}

// The column family of each rollup tier, finest first.
inline constexpr const char* kRollupCfs[] = {kRollup1mCf, kRollup1hCf};

// A series id as 16 hex digits, for messages.
inline std::string SeriesIdHex(uint64_t id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, id >>= 4) s[i] = kHex[id & 15];
  return s;
}

// How messages name one (partition, series) object: `kind` is "chunk",
// "rollups_1h record", ...
inline std::string ObjectName(std::string_view kind, int64_t partition, uint64_t series) {
  return std::string(kind) + " (partition " + std::to_string(partition) + ", series " +
         SeriesIdHex(series) + ")";
}

// The start of the partition holding `time` (floor division).
inline int64_t PartitionStart(int64_t time, int64_t partition_ns) {
  int64_t q = time / partition_ns;
  if (time % partition_ns < 0) --q;
  return q * partition_ns;
}

}  // namespace sredb::internal

#endif  // SREDB_STORAGE_INTERNAL_KEYS_H_
