// Options for opening a DB and for each write. Every field states its
// default and its trade-off.
#ifndef SREDB_STORAGE_OPTIONS_H_
#define SREDB_STORAGE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sredb {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

inline constexpr size_t kMinWriteBufferBytes = size_t{16} << 20;

struct Options {
  // Create the database when the directory holds none. Default false: a typo
  // in a path must not silently create an empty store.
  bool create_if_missing = false;

  // Open without taking the writer lock; Append fails with NotSupported.
  // Several readers may run beside one writer; a reader sees the data as of
  // its Open. Default false.
  bool read_only = false;

  // Length of a time partition in ns: the unit of sealing and retention.
  // Used only when the database is created; an existing database keeps the
  // length recorded in it. Default 1 day. Shorter partitions seal sooner
  // (smaller head, less memory) at the cost of more, smaller chunks.
  int64_t partition_ns = kNanosPerDay;

  // How long after a partition's end its events stay in the head before
  // they are sealed into compressed chunks. "Now" for sealing is the newest
  // event time appended (so that replaying history seals as it goes); an
  // event older than that by more than the grace is still accepted, and
  // merged into the partition's chunks at its next sealing. Default 1 hour.
  int64_t seal_grace_ns = 3600 * kNanosPerSecond;

  // Seal partitions on a background thread as they fall behind by more than
  // the grace. Default true; when false, only DB::Flush seals.
  bool background_sealing = true;

  // How long raw events are kept, in ns; 0 keeps them for ever. Retention
  // drops whole partitions whose end lies more than this before the newest
  // event, never scanning, and refuses events for them (InvalidArgument), so
  // that nothing is accepted only to be deleted. Applied by the background
  // sealer and by DB::Flush. Retention is a setting of the database: a
  // writer that sets it records it, and every later open (read-only ones
  // too) uses the recorded value unless it sets its own. Unset (the default)
  // keeps the recorded value; a new database records for ever.
  std::optional<int64_t> raw_retention_ns;

  // Rollups (DESIGN.md, "Rollups only where they pay"): when a partition of
  // a series is sealed, its 1-minute and 1-hour buckets are stored for each
  // resolution whose non-empty buckets hold on average at least this many
  // events; other series are answered from raw chunks, which are smaller
  // and as fast for them. A bucket record costs about as much as 10 to 40
  // raw events (more with more distinct latencies), so the default 100
  // keeps the rollups of a busy series near 10% of its raw size; 0 builds
  // every rollup, UINT64_MAX none (except the 1-hour tier that raw
  // retention builds before it drops raw data).
  uint64_t rollup_min_bucket_events = 100;

  // How long 1-minute and 1-hour rollups are kept, in ns, recorded like
  // raw_retention_ns (0: for ever). Open requires raw <= 1 minute <= 1
  // hour, counting 0 as for ever. Before a partition's raw events are
  // dropped, its missing 1-hour buckets are built from them, so that long
  // horizons keep their answers.
  std::optional<int64_t> rollup_1m_retention_ns;
  std::optional<int64_t> rollup_1h_retention_ns;

  // About how many head events one seal holds in memory: a partition with
  // more is sealed in groups of series, reading its head once per group
  // (still committed as one atomic batch). Default 256Ki events (about 12
  // MiB of column vectors; on a dense 10M-event fleet it sealed faster and
  // in less memory than 64Ki, 128Ki or 1Mi); smaller bounds memory tighter
  // at the cost of more head reads.
  uint64_t seal_group_events = 1 << 18;

  // Size of RocksDB's block cache in bytes. Default 32 MiB.
  size_t block_cache_bytes = 32u << 20;

  // Memory for RocksDB's memtables across every column family, in bytes:
  // when they hold more, the largest is written out. Default 64 MiB; more
  // means fewer, larger table files while ingesting, at that cost in RSS.
  // At least kMinWriteBufferBytes (16 MiB): DB::Open refuses less.
  size_t write_buffer_bytes = 64u << 20;

  // Testing only: replaces XXH3-64 as the series-id hash, so that tests can
  // force collisions. nullptr (the default) means XXH3-64.
  uint64_t (*series_hash_for_testing)(std::string_view canonical) = nullptr;
};

struct WriteOptions {
  // fsync the write-ahead log before Append returns. Default false: an
  // acknowledged batch then survives a process crash but not a power loss.
  bool sync = false;
};

}  // namespace sredb

#endif  // SREDB_STORAGE_OPTIONS_H_
