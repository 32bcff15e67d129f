// Integer block codec; the layout is drawn in int_block.h.
#include "storage/codec/int_block.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <climits>
#include <cmath>
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

// The inverse of odd `o` modulo 2^64 (Newton's iteration, 6 steps double
// the correct low bits from 1 to 64).
uint64_t OddInverse(uint64_t o) {
  uint64_t inv = o;  // correct to 3 bits: o * o == 1 mod 8
  for (int i = 0; i < 5; ++i) inv *= 2 - o * inv;
  return inv;
}

// Divides r[0..m) by the largest g that divides them all and returns g
// (1 when none, or when all are 0). A divisor g = 2^s * o divides x iff the
// low s bits are 0 and (x >> s) * o^-1 mod 2^64 <= (2^64 - 1) / o (then
// that product is the quotient), so checking a candidate and dividing by it
// cost a multiply per value; std::gcd runs only when the candidate fails.
uint64_t DivideByGcd(uint64_t* r, size_t m) {
  uint64_t g = 0, inv = 0, limit = 0;
  int s = 0;
  for (size_t i = 0; i < m; ++i) {
    const uint64_t x = r[i];
    if (g != 0 && (x & LowMask(s)) == 0 && (x >> s) * inv <= limit) continue;
    g = std::gcd(g, x);
    if (g == 1) return 1;
    if (g == 0) continue;  // only zeros so far
    s = std::countr_zero(g);
    const uint64_t o = g >> s;
    inv = OddInverse(o);
    limit = UINT64_MAX / o;
  }
  if (g <= 1) return 1;
  for (size_t i = 0; i < m; ++i) r[i] = (r[i] >> s) * inv;
  return g;
}

void MakeResiduals(std::span<const int64_t> v, bool delta, Residuals* res) {
  res->delta = delta;
  res->first = v[0];
  const size_t skip = delta ? 1 : 0;
  const size_t m = v.size() - skip;
  res->m = m;
  uint64_t* r = res->r.data();
  const uint64_t* u = reinterpret_cast<const uint64_t*>(v.data());
  int64_t base = INT64_MAX;
  if (delta) {
    for (size_t i = 0; i < m; ++i) {
      r[i] = u[i + 1] - u[i];
      base = std::min(base, static_cast<int64_t>(r[i]));
    }
  } else {
    for (size_t i = 0; i < m; ++i) {
      r[i] = u[i];
      base = std::min(base, static_cast<int64_t>(r[i]));
    }
  }
  uint64_t any = 0;
  for (size_t i = 0; i < m; ++i) any |= (r[i] -= static_cast<uint64_t>(base));
  res->base = base;
  res->gcd = any == 0 ? 1 : DivideByGcd(r, m);
  uint64_t bits = 0;
  if (res->gcd == 1) {
    bits = any;
  } else {
    for (size_t i = 0; i < m; ++i) bits |= r[i];
  }
  res->width = BitWidth(bits);  // the width of the largest is that of the OR
}

size_t VarintBytes(uint64_t v) {
  return static_cast<size_t>(std::bit_width(v | 1) + 6) / 7;
}

// Bytes of the tag and head.
size_t HeadBytes(const Residuals& res) {
  return 2 + (res.delta ? VarintBytes(ZigZag(res.first)) : 0) +
         VarintBytes(ZigZag(res.base)) + (res.gcd > 1 ? VarintBytes(res.gcd) : 0);
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

// The Huffman-split layout of one transform, sized before it is written.
struct Split {
  int k = -1;  // -1: not worth trying
  size_t bytes = SIZE_MAX;
  HuffmanCode code;
  std::array<uint8_t, kBlockValues> high;  // r >> k
};

// The low width k (w - 8 <= k < w) whose Huffman-split layout is smallest
// by estimate, or -1 when none is worth trying or none can be smaller than
// `limit` bytes. That bound: a split at any k >= k0 holds m * k raw bits
// and at least the entropy of r >> k, which is at least that of r >> k0
// minus k - k0 bits per value, plus its head, k, a length per symbol up to
// r_max >> k and the stream sizes; the bound is the least over k.
// One pass counts the top byte at the lowest k; each next k merges pairs of
// the nonzero counts.
int ChooseSplit(const Residuals& res, size_t limit) {
  if (res.m < kMinSplitValues || res.width < 2) return -1;
  const int k0 = std::max(0, res.width - kMaxHighBits);
  // The counts, and a bitmap of the symbols present, so that listing them
  // costs the symbols, not 256 checks.
  SymbolCounts freq{};
  uint64_t present[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < res.m; ++i) {
    const uint8_t x = static_cast<uint8_t>(res.r[i] >> k0);
    ++freq[x];
    present[x >> 6] |= uint64_t{1} << (x & 63);
  }
  std::array<SymbolCount, 256> counts;
  size_t used = 0;
  for (uint32_t word = 0; word < 4; ++word) {
    for (uint64_t bits = present[word]; bits != 0; bits &= bits - 1) {
      const uint32_t x = 64 * word + static_cast<uint32_t>(std::countr_zero(bits));
      counts[used++] = {x, freq[x]};
    }
  }
  const double h0 = EntropyBits(std::span(counts.data(), used), res.m) / res.m;
  const uint32_t top = counts[used - 1].symbol;  // r_max >> k0
  size_t least = SIZE_MAX;
  for (int k = k0; k < res.width; ++k) {
    // Head, k, `last` and the lengths of symbols 0..last (a bit each, last
    // = r_max >> k), 8 stream sizes (r >> k holds 0 and r_max >> k: two
    // codes at least), the bits.
    const double bits = static_cast<double>(res.m) * (k + std::max(0.0, h0 - (k - k0)));
    const size_t lengths = 1 + ((top >> (k - k0)) + 1 + 7) / 8;
    least = std::min(least, HeadBytes(res) + 1 + lengths + 8 +
                                static_cast<size_t>(std::max(0.0, bits / 8 - 1)));
  }
  if (least >= limit) return -1;
  size_t best = SIZE_MAX;
  int best_k = -1;
  for (int k = k0; k < res.width; ++k) {
    // The estimate is at least its fixed bytes, a length bit per symbol and
    // the entropy (bounded as above); skip it when that cannot beat the best
    // (one byte of slack for rounding).
    const size_t floor = PackedBytes(res.m, k) + 1 + ((top >> (k - k0)) + 1 + 7) / 8 +
                         12 +
                         static_cast<size_t>(res.m * std::max(0.0, h0 - (k - k0)) / 8);
    if (floor <= best) {
      const size_t bytes = PackedBytes(res.m, k) +
                           HuffmanBytesQuickEstimate(std::span(counts.data(), used));
      if (bytes < best) best = bytes, best_k = k;
    }
    size_t merged = 0;
    for (size_t j = 0; j < used; ++j) {
      const uint32_t sym = counts[j].symbol >> 1;
      if (merged > 0 && counts[merged - 1].symbol == sym) {
        counts[merged - 1].count += counts[j].count;
      } else {
        counts[merged++] = {sym, counts[j].count};
      }
    }
    used = merged;
  }
  return best_k;
}

// Sizes the Huffman-split layout of `res` exactly (split->k < 0: none, or
// none can be smaller than `limit` bytes).
void PlanSplit(const Residuals& res, size_t limit, Split* split) {
  split->k = ChooseSplit(res, limit);
  if (split->k < 0) return;
  for (size_t i = 0; i < res.m; ++i) {
    split->high[i] = static_cast<uint8_t>(res.r[i] >> split->k);
  }
  split->code = BuildHuffmanCode(split->high.data(), res.m);
  split->bytes = HeadBytes(res) + 1 + PackedBytes(res.m, split->k) +
                 HuffmanBytes(split->high.data(), res.m, split->code);
}

void EncodePacked(const Residuals& res, std::string* out) {
  PutHead(res, kPacked, out);
  PackBits(res.r.data(), res.m, res.width, out);
}

void EncodeHuffmanSplit(const Residuals& res, const Split& split, std::string* out) {
  PutHead(res, kHuffman, out);
  out->push_back(static_cast<char>(split.k));
  PackBits(res.r.data(), res.m, split.k, out);  // packs the low k bits
  EncodeHuffman(split.high.data(), res.m, split.code, out);
}

// A transform's candidates, sized: packed and (split.k >= 0) Huffman split.
struct Plan {
  Residuals res;
  Split split;
  size_t packed = 0;
};

// Encodes v's transforms in turn, keeping the packed layout when smaller
// and the Huffman split when it beats the best so far by the margin; only
// the chosen one is written.
void EncodeBest(std::span<const int64_t> v, std::string* out) {
  Plan plans[2];  // on the stack: ~20 KiB, no allocation per block
  const Plan* best_plan = nullptr;
  bool best_huffman = false;
  size_t best = SIZE_MAX;
  for (int t = 0; t < 2; ++t) {
    Plan& p = plans[t];
    MakeResiduals(v, t == 1, &p.res);
    p.packed = HeadBytes(p.res) + PackedBytes(p.res.m, p.res.width);
    if (p.packed < best) best = p.packed, best_plan = &p, best_huffman = false;
    // The split must come in under best - packed / kSplitMargin.
    const size_t margin = p.packed / kSplitMargin;
    if (best <= margin) continue;
    PlanSplit(p.res, best - margin, &p.split);
    if (p.split.k >= 0 && p.split.bytes + margin < best) {
      best = p.split.bytes, best_plan = &p, best_huffman = true;
    }
  }
  if (best_huffman) {
    EncodeHuffmanSplit(best_plan->res, best_plan->split, out);
  } else {
    EncodePacked(best_plan->res, out);
  }
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
  EncodeBest(v, out);
}

size_t IntBlockBytesAtLeast(std::span<const int64_t> v) {
  assert(!v.empty() && v.size() <= kBlockValues);
  if (std::all_of(v.begin(), v.end(), [&](int64_t x) { return x == v[0]; })) {
    return 1 + VarintBytes(ZigZag(v[0]));
  }
  // Any packed or split layout of a transform holds at least its head and
  // the m * (w - 8) raw low bits of a split.
  Residuals res;
  size_t least = SIZE_MAX;
  for (bool delta : {false, true}) {
    MakeResiduals(v, delta, &res);
    least =
        std::min(least, HeadBytes(res) +
                            PackedBytes(res.m, std::max(0, res.width - kMaxHighBits)));
  }
  return least;
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
