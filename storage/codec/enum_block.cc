// Small-enum block codec; the layout is drawn in enum_block.h.
#include "storage/codec/enum_block.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstring>

#include "storage/codec/bitpack.h"
#include "storage/codec/codec.h"
#include "storage/codec/codec_util.h"
#include "storage/codec/int_block.h"

namespace sredb::codec {
namespace {

constexpr uint8_t kConstant = 0;
constexpr uint8_t kPacked = 1;
constexpr uint8_t kSparse = 2;
constexpr uint8_t kRuns = 3;

void PutPackedBytes(std::span<const uint8_t> v, uint8_t base, std::string* out) {
  std::array<uint64_t, kBlockValues> wide;
  uint64_t max = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    wide[i] = static_cast<uint8_t>(v[i] - base);
    max = std::max(max, wide[i]);
  }
  const int w = BitWidth(max);
  out->push_back(static_cast<char>(w));
  PackBits(wide.data(), v.size(), w, out);
}

void EncodePacked(std::span<const uint8_t> v, std::string* out) {
  out->push_back(static_cast<char>(kPacked));
  PutPackedBytes(v, 0, out);
}

uint8_t MostFrequent(std::span<const uint8_t> v) {
  std::array<size_t, 256> freq{};
  for (uint8_t x : v) ++freq[x];
  return static_cast<uint8_t>(std::max_element(freq.begin(), freq.end()) - freq.begin());
}

void EncodeSparse(std::span<const uint8_t> v, std::string* out) {
  const uint8_t def = MostFrequent(v);
  std::array<int64_t, kBlockValues> pos;
  std::array<uint8_t, kBlockValues> val;
  size_t x = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != def) pos[x] = static_cast<int64_t>(i), val[x++] = v[i];
  }
  out->push_back(static_cast<char>(kSparse));
  out->push_back(static_cast<char>(def));
  internal::PutVarint64(out, x);
  EncodeIntBlock(std::span(pos.data(), x), out);
  const uint8_t base = *std::min_element(val.begin(), val.begin() + x);
  out->push_back(static_cast<char>(base));
  PutPackedBytes(std::span(val.data(), x), base, out);
}

// The runs of v: value[j] repeated length[j] times; returns their count.
size_t Runs(std::span<const uint8_t> v, int64_t* value, int64_t* length) {
  size_t r = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (r == 0 || v[i] != value[r - 1]) value[r] = v[i], length[r++] = 0;
    ++length[r - 1];
  }
  return r;
}

void EncodeRuns(const int64_t* value, const int64_t* length, size_t r, std::string* out) {
  out->push_back(static_cast<char>(kRuns));
  internal::PutVarint64(out, r);
  EncodeIntBlock(std::span(value, r), out);
  EncodeIntBlock(std::span(length, r), out);
}

size_t VarintBytes(uint64_t v) {
  return static_cast<size_t>(std::bit_width(v | 1) + 6) / 7;
}

Status GetPackedBytes(std::string_view* in, size_t n, int max_w, uint8_t base,
                      uint8_t* out) {
  uint8_t w;
  if (!GetU8(in, &w) || w > max_w) return Corrupt("enum block: bad width");
  if (PackedBytes(n, w) > in->size()) return Corrupt("enum block: truncated bits");
  std::array<uint64_t, kBlockValues> wide;
  UnpackBits(*in, n, w, wide.data());
  in->remove_prefix(PackedBytes(n, w));
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(wide[i] + base);
  return Status::OK();
}

Status DecodeSparse(std::string_view* in, size_t count, uint8_t* out) {
  uint8_t def, base;
  uint64_t x;
  if (!GetU8(in, &def) || !internal::GetVarint64(in, &x) || x < 1 || x > count) {
    return Corrupt("enum block: bad sparse head");
  }
  std::array<int64_t, kBlockValues> pos;
  std::array<uint8_t, kBlockValues> val;
  SREDB_RETURN_IF_ERROR(DecodeIntBlock(in, x, pos.data()));
  if (!GetU8(in, &base)) return Corrupt("enum block: truncated sparse values");
  SREDB_RETURN_IF_ERROR(GetPackedBytes(in, x, 8, base, val.data()));
  std::memset(out, def, count);
  for (size_t j = 0; j < x; ++j) {
    if (static_cast<uint64_t>(pos[j]) >= count)
      return Corrupt("enum block: bad position");
    out[pos[j]] = val[j];
  }
  return Status::OK();
}

Status DecodeRuns(std::string_view* in, size_t count, uint8_t* out) {
  uint64_t r;
  if (!internal::GetVarint64(in, &r) || r < 1 || r > count) {
    return Corrupt("enum block: bad run count");
  }
  std::array<int64_t, kBlockValues> value, length;
  SREDB_RETURN_IF_ERROR(DecodeIntBlock(in, r, value.data()));
  SREDB_RETURN_IF_ERROR(DecodeIntBlock(in, r, length.data()));
  size_t at = 0;
  for (size_t j = 0; j < r; ++j) {
    const uint64_t len = static_cast<uint64_t>(length[j]);
    if (static_cast<uint64_t>(value[j]) > 255 || len < 1 || len > count - at) {
      return Corrupt("enum block: bad run");
    }
    std::memset(out + at, static_cast<int>(value[j]), len);
    at += len;
  }
  return at == count ? Status::OK() : Corrupt("enum block: runs do not cover the block");
}

}  // namespace

void EncodeEnumBlock(std::span<const uint8_t> v, std::string* out) {
  assert(!v.empty() && v.size() <= kBlockValues);
  if (std::all_of(v.begin(), v.end(), [&](uint8_t x) { return x == v[0]; })) {
    out->push_back(static_cast<char>(kConstant));
    out->push_back(static_cast<char>(v[0]));
    return;
  }
  // Packed, then sparse, then runs, each kept only when strictly smaller
  // (the order of ties). The first two are written in place; runs go to a
  // reused scratch buffer, and only when their lower bound could win.
  const size_t start = out->size();
  EncodePacked(v, out);
  size_t best = out->size() - start;
  thread_local std::string scratch;
  scratch.clear();
  EncodeSparse(v, &scratch);
  if (scratch.size() < best) {
    out->resize(start);
    out->append(scratch);
    best = scratch.size();
  }
  std::array<int64_t, kBlockValues> value, length;
  const size_t r = Runs(v, value.data(), length.data());
  const size_t least = 1 + VarintBytes(r) +
                       IntBlockBytesAtLeast(std::span(value.data(), r)) +
                       IntBlockBytesAtLeast(std::span(length.data(), r));
  if (least >= best) return;
  scratch.clear();
  EncodeRuns(value.data(), length.data(), r, &scratch);
  if (scratch.size() < best) {
    out->resize(start);
    out->append(scratch);
  }
}

Status DecodeEnumBlock(std::string_view* in, size_t count, uint8_t* out) {
  assert(count >= 1 && count <= kBlockValues);
  uint8_t tag, value;
  if (!GetU8(in, &tag)) return Corrupt("enum block: truncated");
  switch (tag) {
    case kConstant:
      if (!GetU8(in, &value)) return Corrupt("enum block: truncated constant");
      std::memset(out, value, count);
      return Status::OK();
    case kPacked:
      return GetPackedBytes(in, count, 8, 0, out);
    case kSparse:
      return DecodeSparse(in, count, out);
    case kRuns:
      return DecodeRuns(in, count, out);
    default:
      return Corrupt("enum block: bad tag");
  }
}

}  // namespace sredb::codec
