// Integer block codec; the layout is drawn in int_block.h.
#include "storage/codec/int_block.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <memory>
#include <numeric>

#include "storage/codec/bitpack.h"
#include "storage/codec/codec_util.h"
#include "storage/codec/entropy.h"
#include "storage/codec/huffman.h"
#include "storage/internal/coding.h"

namespace sredb::codec {
namespace {

constexpr uint8_t kConstant = 0;
constexpr uint8_t kPacked = 1;
constexpr uint8_t kSplit = 2;  // zstd; decoded, no longer written
constexpr uint8_t kHuffman = 3;
constexpr uint8_t kLayoutMask = 3;
constexpr uint8_t kDeltaBit = 4;
constexpr uint8_t kGcdBit = 8;
// Below this many values a code table's fixed cost cannot pay for itself.
constexpr size_t kMinSplitValues = 32;
// An entropy-coded block decodes 2-3 times slower than a packed one, so it
// must save more than 1/kSplitMargin (8%) of the packed size: a nearly
// uniform alphabet (12 tool-call counts in 4 bits) stays packed, skewed
// values (tokens, latency: 12-22% smaller) are entropy-coded.
constexpr size_t kSplitMargin = 12;
// The most high bits an entropy-coded block codes per value (a byte).
constexpr int kMaxHighBits = 8;
// The widest low part a split block may keep raw (w - k <= 8, k < 64).
constexpr int kMaxSplitLow = 63;

// The residuals of one transform of a block: x[i] = base + gcd * r[i].
struct Residuals {
  bool delta = false;
  int64_t first = 0;
  int64_t base = 0;
  uint64_t gcd = 1;
  int width = 0;
  size_t m = 0;
  std::array<uint64_t, kBlockValues> r;
};

void MakeResiduals(std::span<const int64_t> v, bool delta, Residuals* res) {
  res->delta = delta;
  res->first = v[0];
  res->m = 0;
  for (size_t i = delta ? 1 : 0; i < v.size(); ++i) {
    const uint64_t prev = delta ? static_cast<uint64_t>(v[i - 1]) : 0;
    res->r[res->m++] = static_cast<uint64_t>(v[i]) - prev;
  }
  std::span<uint64_t> r(res->r.data(), res->m);
  int64_t base = static_cast<int64_t>(r[0]);
  for (uint64_t x : r) base = std::min(base, static_cast<int64_t>(x));
  uint64_t g = 0;
  for (uint64_t& x : r) {
    x -= static_cast<uint64_t>(base);
    if (g != 1) g = std::gcd(g, x);
  }
  uint64_t max = 0;
  for (uint64_t& x : r) {
    if (g > 1) x /= g;
    max = std::max(max, x);
  }
  res->base = base;
  res->gcd = g > 1 ? g : 1;
  res->width = BitWidth(max);
}

void PutHead(const Residuals& res, uint8_t layout, std::string* out) {
  uint8_t tag = layout;
  if (res.delta) tag |= kDeltaBit;
  if (res.gcd > 1) tag |= kGcdBit;
  out->push_back(static_cast<char>(tag));
  if (res.delta) internal::PutVarint64(out, ZigZag(res.first));
  internal::PutVarint64(out, ZigZag(res.base));
  if (res.gcd > 1) internal::PutVarint64(out, res.gcd);
  out->push_back(static_cast<char>(res.width));
}

void EncodePacked(const Residuals& res, std::string* out) {
  PutHead(res, kPacked, out);
  PackBits(res.r.data(), res.m, res.width, out);
}

// The bytes r >> k of the residuals.
void HighBytes(const Residuals& res, int k, uint8_t* high) {
  for (size_t i = 0; i < res.m; ++i) high[i] = static_cast<uint8_t>(res.r[i] >> k);
}

// The low width k (w - 8 <= k < w) whose Huffman-split layout is smallest
// by estimate, or -1 when none is worth trying. One pass counts the top
// byte at the lowest k; each next k merges pairs of counts.
int ChooseSplit(const Residuals& res) {
  if (res.m < kMinSplitValues || res.width < 2) return -1;
  const int k0 = std::max(0, res.width - kMaxHighBits);
  SymbolCounts freq{};
  for (size_t i = 0; i < res.m; ++i) ++freq[static_cast<uint8_t>(res.r[i] >> k0)];
  size_t best = SIZE_MAX;
  int best_k = -1;
  for (int k = k0; k < res.width; ++k) {
    const size_t bytes = PackedBytes(res.m, k) + HuffmanBytesQuickEstimate(freq);
    if (bytes < best) best = bytes, best_k = k;
    for (int j = 0; j < 128; ++j) freq[j] = freq[2 * j] + freq[2 * j + 1];
    std::fill(freq.begin() + 128, freq.end(), 0);
  }
  return best_k;
}

void EncodeHuffmanSplit(const Residuals& res, int k, std::string* out) {
  PutHead(res, kHuffman, out);
  out->push_back(static_cast<char>(k));
  std::array<uint64_t, kBlockValues> low;
  std::array<uint8_t, kBlockValues> high;
  for (size_t i = 0; i < res.m; ++i) low[i] = res.r[i] & LowMask(k);
  PackBits(low.data(), res.m, k, out);
  HighBytes(res, k, high.data());
  EncodeHuffman(high.data(), res.m, BuildHuffmanCode(high.data(), res.m), out);
}

void KeepSmaller(std::string* best, std::string* cand) {
  if (best->empty() || cand->size() < best->size()) best->swap(*cand);
  cand->clear();
}

// Tries the packed and Huffman-split layouts of one transform.
void TryTransform(std::span<const int64_t> v, bool delta, std::string* best) {
  auto res = std::make_unique_for_overwrite<Residuals>();  // r[] is written before read
  MakeResiduals(v, delta, res.get());
  std::string cand;
  EncodePacked(*res, &cand);
  const size_t packed = cand.size();
  KeepSmaller(best, &cand);
  const int k = ChooseSplit(*res);
  if (k < 0) return;
  EncodeHuffmanSplit(*res, k, &cand);
  if (cand.size() + packed / kSplitMargin < best->size()) best->swap(cand);
}

struct Head {
  bool delta = false;
  uint64_t first = 0;
  uint64_t base = 0;
  uint64_t gcd = 1;
  int width = 0;
};

Status GetHead(std::string_view* in, uint8_t tag, size_t count, Head* h) {
  int64_t first = 0, base = 0;
  h->delta = (tag & kDeltaBit) != 0;
  if (h->delta && (count < 2 || !GetZigZag(in, &first))) {
    return Corrupt("int block: bad delta head");
  }
  if (!GetZigZag(in, &base)) return Corrupt("int block: truncated base");
  h->first = static_cast<uint64_t>(first);
  h->base = static_cast<uint64_t>(base);
  if ((tag & kGcdBit) != 0 && (!internal::GetVarint64(in, &h->gcd) || h->gcd < 2)) {
    return Corrupt("int block: bad divisor");
  }
  uint8_t w;
  if (!GetU8(in, &w) || w > 64) return Corrupt("int block: bad bit width");
  h->width = w;
  return Status::OK();
}

// Sets up the reconstruction of a block: DELTA is a running sum from
// `first`, then a caller's `running` total is another.
ForState MakeForState(const Head& h, uint64_t* running) {
  ForState s;
  s.base = h.base;
  s.gcd = h.gcd;
  if (h.delta) s.acc[s.levels++] = h.first;
  if (running != nullptr) s.acc[s.levels++] = *running;
  return s;
}

Status GetPacked(std::string_view* in, size_t m, int width, ForState* s, uint64_t* r) {
  const size_t bytes = PackedBytes(m, width);
  if (bytes > in->size()) return Corrupt("int block: truncated bits");
  UnpackFor(*in, m, width, s, r);
  in->remove_prefix(bytes);
  return Status::OK();
}

Status GetSplit(std::string_view* in, size_t m, int width, ForState* s, uint64_t* r) {
  uint8_t k;
  if (!GetU8(in, &k) || k > width || width - k > 8 || k > kMaxSplitLow) {
    return Corrupt("int block: bad split");
  }
  ForState plain;
  SREDB_RETURN_IF_ERROR(GetPacked(in, m, k, &plain, r));
  std::string_view frame;
  std::array<char, kBlockValues> high;
  if (!internal::GetLengthPrefixed(in, &frame) ||
      !ZstdDecompress(frame, high.data(), m)) {
    return Corrupt("int block: bad entropy-coded frame");
  }
  ApplyForHigh(r, reinterpret_cast<const uint8_t*>(high.data()), k, m, s);
  return Status::OK();
}

Status GetHuffmanSplit(std::string_view* in, size_t m, int width, ForState* s,
                       uint64_t* r) {
  uint8_t k;
  if (!GetU8(in, &k) || k > width || width - k > kMaxHighBits || k > kMaxSplitLow) {
    return Corrupt("int block: bad split");
  }
  // The low bits come first; decode the high bytes after them, then both.
  const size_t low_bytes = PackedBytes(m, k);
  if (low_bytes > in->size()) return Corrupt("int block: truncated bits");
  const std::string_view low = *in;
  in->remove_prefix(low_bytes);
  std::array<uint8_t, kBlockValues> high;
  if (!DecodeHuffman(in, m, high.data())) {
    return Corrupt("int block: bad Huffman-coded bytes");
  }
  UnpackForHigh(low, m, k, high.data(), s, r);
  return Status::OK();
}

Status DecodeConstant(std::string_view* in, uint8_t tag, size_t count, int64_t* out,
                      uint64_t* running) {
  int64_t value;
  if (tag != kConstant || !GetZigZag(in, &value)) {
    return Corrupt("int block: bad constant");
  }
  if (running == nullptr) {
    std::fill(out, out + count, value);
    return Status::OK();
  }
  uint64_t* v = reinterpret_cast<uint64_t*>(out);
  for (size_t i = 0; i < count; ++i) v[i] = (*running += static_cast<uint64_t>(value));
  return Status::OK();
}

}  // namespace

void EncodeIntBlock(std::span<const int64_t> v, std::string* out) {
  assert(!v.empty() && v.size() <= kBlockValues);
  if (std::all_of(v.begin(), v.end(), [&](int64_t x) { return x == v[0]; })) {
    out->push_back(static_cast<char>(kConstant));
    internal::PutVarint64(out, ZigZag(v[0]));
    return;
  }
  std::string best;
  TryTransform(v, false, &best);
  TryTransform(v, true, &best);
  out->append(best);
}

Status DecodeIntBlock(std::string_view* in, size_t count, int64_t* out,
                      uint64_t* running) {
  assert(count >= 1 && count <= kBlockValues);
  uint8_t tag;
  if (!GetU8(in, &tag) || (tag & 0xf0) != 0) return Corrupt("int block: bad tag");
  const uint8_t layout = tag & kLayoutMask;
  if (layout == kConstant) return DecodeConstant(in, tag, count, out, running);
  Head h;
  SREDB_RETURN_IF_ERROR(GetHead(in, tag, count, &h));
  // int64_t and uint64_t may alias; the arithmetic is modulo 2^64.
  uint64_t* v = reinterpret_cast<uint64_t*>(out);
  if (h.delta) v[0] = running != nullptr ? (*running += h.first) : h.first;
  ForState s = MakeForState(h, running);
  uint64_t* r = v + (h.delta ? 1 : 0);
  const size_t m = count - (h.delta ? 1 : 0);
  SREDB_RETURN_IF_ERROR(layout == kPacked  ? GetPacked(in, m, h.width, &s, r)
                        : layout == kSplit ? GetSplit(in, m, h.width, &s, r)
                                           : GetHuffmanSplit(in, m, h.width, &s, r));
  if (running != nullptr) *running = s.acc[s.levels - 1];
  return Status::OK();
}

}  // namespace sredb::codec
