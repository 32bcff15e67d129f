// SeriesCache: resolves the raw labels of records to series of the batch
// being filled, so that Labels::Make runs once per distinct label tuple (not
// per event) and EventBatch::AddSeries once per tuple and batch. It sits on
// the ingest hot path (one lookup per event), hence the flat table.
//
// The key is the labels' names and values, each varint-length-prefixed, in
// the order read; two orders of one label set are two keys for the same
// series, which EventBatch::AddSeries de-duplicates. Label sets that
// Labels::Make refuses are not kept.
//
// Invariants: slots_.size() is a power of two, at least twice the number of
// entries; a slot holds 0 (empty) or 1 + the index of its entry; an entry
// whose epoch is epoch_ holds its series index in the current batch.
//
// Thread safety: used by one thread at a time. Header-only.
#ifndef SREDB_INGEST_SERIES_CACHE_H_
#define SREDB_INGEST_SERIES_CACHE_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/field_parse.h"
#include "storage/event.h"
#include "storage/status.h"

namespace sredb::ingest {

class SeriesCache {
 public:
  // Past this many label tuples the cache starts afresh, bounding memory.
  static constexpr size_t kMaxEntries = 1 << 16;

  SeriesCache() { Reset(); }

  // The index of `labels` in *batch, adding the series when new to the
  // batch. Errors are Labels::Make's. REQUIRES: *batch is the batch of the
  // current epoch (see NewBatch).
  Result<uint32_t> Resolve(const std::vector<LabelView>& labels, EventBatch* batch) {
    BuildKey(labels);
    const uint64_t hash = Hash(key_);
    size_t slot = Find(hash);
    if (slots_[slot].entry == 0) {
      Result<Labels> made = MakeLabels(labels);
      if (!made.ok()) return made.status();
      if (entries_.size() >= kMaxEntries) {
        Reset();
        slot = Find(hash);
      }
      slot = Insert(slot, hash, std::move(made).value());
    }
    Entry& e = entries_[slots_[slot].entry - 1];
    if (e.epoch != epoch_) {
      e.index = batch->AddSeries(e.labels);
      e.epoch = epoch_;
    }
    return e.index;
  }

  // Call when the batch was cleared: cached indexes refer to the old one.
  void NewBatch() { ++epoch_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = 0;  // 1 + index into entries_; 0: empty
  };
  struct Entry {
    size_t key_begin;  // the key is keys_[key_begin, key_end)
    size_t key_end;
    Labels labels;
    uint64_t epoch;  // of the batch `index` belongs to
    uint32_t index;
  };

  // Writes the key of `labels` into key_buf_ and points key_ at it: sizes
  // first, then plain memcpys into a buffer large enough for the worst case.
  void BuildKey(const std::vector<LabelView>& labels) {
    constexpr size_t kMaxVarint = 10;  // bytes of a varint64
    size_t bound = 0;
    for (const LabelView& l : labels) bound += l.name.size() + l.value.size();
    bound += 2 * kMaxVarint * labels.size();
    if (key_buf_.size() < bound) key_buf_.resize(std::max(bound, 2 * key_buf_.size()));
    char* p = key_buf_.data();
    for (const LabelView& l : labels) {
      p = PutLengthPrefixed(p, l.name);
      p = PutLengthPrefixed(p, l.value);
    }
    key_ = std::string_view(key_buf_.data(), static_cast<size_t>(p - key_buf_.data()));
  }
  static char* PutLengthPrefixed(char* p, std::string_view s) {
    size_t n = s.size();
    for (; n >= 0x80; n >>= 7) *p++ = static_cast<char>(0x80 | (n & 0x7f));
    *p++ = static_cast<char>(n);
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
  }

  // A multiply-xorshift mix per 8-byte word, in two independent lanes so
  // that the multiplications overlap: fast on short keys.
  static uint64_t Hash(std::string_view s) {
    constexpr uint64_t kMul = 0x9e3779b97f4a7c15;
    uint64_t a = s.size() * kMul, b = ~a;
    auto mix = [](uint64_t h, uint64_t w) {
      h = (h ^ w) * kMul;
      return h ^ (h >> 29);
    };
    size_t i = 0;
    for (; i + 16 <= s.size(); i += 16) {
      uint64_t w[2];
      std::memcpy(w, s.data() + i, 16);
      a = mix(a, w[0]);
      b = mix(b, w[1]);
    }
    uint64_t tail[2] = {0, 0};
    std::memcpy(tail, s.data() + i, s.size() - i);
    a = mix(a, tail[0]);
    b = mix(b, tail[1]);
    return mix(a, b);
  }

  // The slot holding key_ (hashing to `hash`), or the empty slot ending its
  // probe sequence.
  size_t Find(uint64_t hash) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.entry == 0) return i;
      if (s.hash == hash) {
        const Entry& e = entries_[s.entry - 1];
        if (std::string_view(keys_).substr(e.key_begin, e.key_end - e.key_begin) ==
            key_) {
          return i;
        }
      }
    }
  }

  // Adds key_ at the empty `slot`; returns its slot after any growth.
  size_t Insert(size_t slot, uint64_t hash, Labels labels) {
    const size_t begin = keys_.size();
    keys_ += key_;
    entries_.push_back(Entry{begin, keys_.size(), std::move(labels), 0, 0});
    slots_[slot] = Slot{hash, static_cast<uint32_t>(entries_.size())};
    if (2 * entries_.size() <= slots_.size()) return slot;
    std::vector<Slot> old(2 * slots_.size());
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.entry == 0) continue;
      size_t i = s.hash & mask;
      while (slots_[i].entry != 0) i = (i + 1) & mask;
      slots_[i] = s;
      if (s.entry == entries_.size()) slot = i;
    }
    return slot;
  }

  void Reset() {
    slots_.assign(1024, Slot());
    entries_.clear();
    keys_.clear();
  }

  std::vector<Slot> slots_;
  std::vector<Entry> entries_;
  std::string keys_;  // every entry's key, back to back
  uint64_t epoch_ = 1;
  std::vector<char> key_buf_;  // scratch: holds key_
  std::string_view key_;       // the key being looked up, in key_buf_
};

}  // namespace sredb::ingest

#endif  // SREDB_INGEST_SERIES_CACHE_H_
