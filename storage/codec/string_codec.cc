// Column stream of short strings by a per-column dictionary.
//
//   strings := u8 header (kind 6) | varint n | varint d | d times lp(entry)
//              | index blocks                                     if n > 0
//   lp(s)   := varint len | bytes                  (len <= kMaxStringBytes)
//   index blocks := ceil(n / 1024) blocks, block j holding the dictionary
//              indices of values [1024 j, min(n, 1024 (j + 1))): enum blocks
//              (enum_block.h) when d <= 256, int blocks (int_block.h) else
// Entries are distinct, in descending order of frequency (ties: first seen),
// so the most common value (usually "") is index 0 and the rest are sparse.
// d = 0 exactly when n = 0. Every index must be < d.
//
// Thread safety: reentrant.
#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <type_traits>
#include <unordered_map>

#include "storage/codec/codec.h"
#include "storage/codec/codec_util.h"
#include "storage/codec/enum_block.h"
#include "storage/codec/int_block.h"

namespace sredb::codec {
namespace {

// Bounds what a damaged stream can make the decoder allocate per value.
constexpr size_t kMaxStringBytes = 4096;
constexpr size_t kMaxEnumDictionary = 256;

struct Dictionary {
  std::vector<std::string_view> entries;  // by descending frequency
  std::vector<int64_t> index;             // per value
};

Dictionary BuildDictionary(std::span<const std::string_view> v) {
  std::unordered_map<std::string_view, size_t> first_seen;
  std::vector<std::pair<size_t, std::string_view>> freq;  // (count, entry)
  std::vector<size_t> id(v.size());
  // A few distinct values (the usual case) are found by a linear scan; the
  // hash map is filled only once there are more.
  constexpr size_t kLinearEntries = 16;
  for (size_t i = 0; i < v.size(); ++i) {
    size_t j = 0;
    if (freq.size() <= kLinearEntries) {
      while (j < freq.size() && freq[j].second != v[i]) ++j;
      if (j == freq.size()) {
        freq.emplace_back(0, v[i]);
        if (freq.size() > kLinearEntries) {
          for (size_t k = 0; k < freq.size(); ++k) first_seen.emplace(freq[k].second, k);
        }
      }
    } else {
      auto [it, fresh] = first_seen.try_emplace(v[i], freq.size());
      if (fresh) freq.emplace_back(0, v[i]);
      j = it->second;
    }
    id[i] = j;
    ++freq[j].first;
  }
  std::vector<size_t> order(freq.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return freq[a].first > freq[b].first; });
  std::vector<int64_t> rank(freq.size());
  Dictionary dict;
  dict.entries.reserve(order.size());
  dict.index.reserve(v.size());
  for (size_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = static_cast<int64_t>(r);
    dict.entries.push_back(freq[order[r]].second);
  }
  for (size_t i : id) dict.index.push_back(rank[i]);
  return dict;
}

void EncodeIndexBlock(std::span<const int64_t> index, size_t d, std::string* out) {
  if (d > kMaxEnumDictionary) return EncodeIntBlock(index, out);
  std::array<uint8_t, kBlockValues> small;
  for (size_t i = 0; i < index.size(); ++i) small[i] = static_cast<uint8_t>(index[i]);
  EncodeEnumBlock(std::span(small.data(), index.size()), out);
}

// Decodes the indices of one block into index[0..count), each < d.
template <typename Index>
Status DecodeIndexBlock(std::string_view* in, size_t count, size_t d, Index* index) {
  if constexpr (sizeof(Index) == 1) {
    SREDB_RETURN_IF_ERROR(DecodeEnumBlock(in, count, index));
  } else {
    SREDB_RETURN_IF_ERROR(DecodeIntBlock(in, count, index));
  }
  // Over the whole (zero-padded) array, a fixed trip count the compiler
  // vectorises.
  std::fill(index + count, index + kBlockValues, Index{0});
  using Unsigned = std::make_unsigned_t<Index>;  // a negative index is huge
  Unsigned max = 0;
  for (size_t i = 0; i < kBlockValues; ++i) {
    max = std::max(max, static_cast<Unsigned>(index[i]));
  }
  return static_cast<uint64_t>(max) < d ? Status::OK() : Corrupt("strings: bad index");
}

// Appends the strings of one block. Values start empty (one store each)
// and only those with a non-empty entry are assigned.
template <typename Index>
void AppendStrings(const Index* index, size_t count,
                   std::span<const std::string_view> dict,
                   std::vector<std::string>* out) {
  const size_t old = out->size();
  out->resize(old + count);
  std::string* o = out->data() + old;
  size_t j = 0;
  if constexpr (sizeof(Index) == 1) {
    // Skip 8 values at once while they are all index 0 and that is "".
    if (dict[0].empty()) {
      for (; j + 8 <= count; j += 8) {
        uint64_t word;
        std::memcpy(&word, index + j, 8);
        if (word == 0) continue;
        for (size_t i = j; i < j + 8; ++i) {
          if (index[i] != 0) o[i].assign(dict[index[i]]);
        }
      }
    }
  }
  for (; j < count; ++j) {
    const std::string_view e = dict[static_cast<size_t>(index[j])];
    if (!e.empty()) o[j].assign(e);
  }
}

template <typename Index>
Status DecodeStringBlocks(std::string_view* in, uint64_t n,
                          std::span<const std::string_view> dict,
                          std::vector<std::string>* out) {
  alignas(16) std::array<Index, kBlockValues> index;
  for (size_t i = 0; i < n; i += kBlockValues) {
    const size_t count = std::min<size_t>(kBlockValues, n - i);
    SREDB_RETURN_IF_ERROR(DecodeIndexBlock(in, count, dict.size(), index.data()));
    AppendStrings(index.data(), count, dict, out);
  }
  return Status::OK();
}

Status GetDictionary(std::string_view* in, uint64_t n, std::vector<std::string_view>* d) {
  uint64_t size;
  if (!internal::GetVarint64(in, &size) || size > n || size > in->size() ||
      (size == 0) != (n == 0)) {
    return Corrupt("strings: bad dictionary size");
  }
  d->resize(size);
  for (auto& entry : *d) {
    if (!internal::GetLengthPrefixed(in, &entry) || entry.size() > kMaxStringBytes) {
      return Corrupt("strings: bad dictionary entry");
    }
  }
  return Status::OK();
}

}  // namespace

void EncodeStrings(std::span<const std::string_view> v, std::string* out) {
  PutColumnHeader(out, ColumnKind::kStrings, v.size());
  const Dictionary dict = BuildDictionary(v);
  internal::PutVarint64(out, dict.entries.size());
  for (std::string_view e : dict.entries) {
    assert(e.size() <= kMaxStringBytes);
    internal::PutLengthPrefixed(out, e);
  }
  for (size_t i = 0; i < v.size(); i += kBlockValues) {
    const size_t count = std::min(kBlockValues, v.size() - i);
    EncodeIndexBlock(std::span(dict.index).subspan(i, count), dict.entries.size(), out);
  }
}

Status DecodeStrings(std::string_view* in, std::vector<std::string>* out) {
  uint64_t n;
  std::vector<std::string_view> dict;
  SREDB_RETURN_IF_ERROR(GetColumnHeader(in, ColumnKind::kStrings, 1, &n));
  SREDB_RETURN_IF_ERROR(GetDictionary(in, n, &dict));
  if ((n + kBlockValues - 1) / kBlockValues > in->size() / kMinEnumBlockBytes) {
    return Corrupt("strings: value count exceeds its bytes");
  }
  return dict.size() > kMaxEnumDictionary ? DecodeStringBlocks<int64_t>(in, n, dict, out)
                                          : DecodeStringBlocks<uint8_t>(in, n, dict, out);
}

}  // namespace sredb::codec
