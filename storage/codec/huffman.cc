// Canonical Huffman coder; the layout is drawn in huffman.h.
#include "storage/codec/huffman.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>
#include <utility>

#include "storage/internal/coding.h"

namespace sredb::codec {
namespace {

constexpr int kStreams = 8;
constexpr size_t kTableSize = size_t{1} << kMaxCodeBits;
// The most bytes one stream may hold: kMaxHuffmanSymbols / kStreams codes.
constexpr size_t kMaxStreamBytes =
    (kMaxCodeBits * (kMaxHuffmanSymbols / kStreams) + 7) / 8;
// How far past its start a stream's decoder may load: its codes and one
// 8-byte load.
constexpr size_t kReadSlack = kMaxStreamBytes + 8;
// Codes decoded per stream between refills: 6 * 9 <= 56 buffered bits.
constexpr int kCodesPerRefill = 56 / kMaxCodeBits;

size_t StreamCount(size_t m, int s) {
  return m / kStreams + (static_cast<size_t>(s) < m % kStreams ? 1 : 0);
}

size_t VarintBytes(uint64_t v) {
  return static_cast<size_t>(std::bit_width(v | 1) + 6) / 7;
}

// ---- Encoder ----

// MSB-first bit writer.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  void Put(uint32_t v, int bits) {  // bits <= 32
    acc_ = (acc_ << bits) | v;
    n_ += bits;
    while (n_ >= 8) n_ -= 8, out_->push_back(static_cast<char>(acc_ >> n_));
  }
  void Flush() {
    if (n_ > 0) out_->push_back(static_cast<char>(acc_ << (8 - n_)));
    n_ = 0;
  }

 private:
  std::string* out_;
  uint64_t acc_ = 0;
  int n_ = 0;
};

// Bits of the length code of `len` after `prev` (see huffman.h).
int LengthCodeBits(int prev, int len) {
  if (len == prev) return 1;
  return len == prev + 1 || len == prev - 1 ? 3 : 6;
}

void PutLengths(const HuffmanCode& code, std::string* out) {
  out->push_back(static_cast<char>(code.last));
  BitWriter w(out);
  int prev = 0;
  for (int s = 0; s <= code.last; ++s) {
    const int len = code.len[s];
    if (len == prev) {
      w.Put(0, 1);
    } else if (len == prev + 1 || len == prev - 1) {
      w.Put(len == prev + 1 ? 4 : 5, 3);
    } else {
      w.Put(0x30 | static_cast<uint32_t>(len), 6);
    }
    prev = len;
  }
  w.Flush();
}

size_t LengthsBytes(const HuffmanCode& code) {
  size_t bits = 0;
  int prev = 0;
  for (int s = 0; s <= code.last; ++s) {
    bits += LengthCodeBits(prev, code.len[s]);
    prev = code.len[s];
  }
  return 1 + (bits + 7) / 8;
}

// Canonical codes from lengths (deflate's construction, MSB-first).
std::array<uint16_t, 256> CanonicalCodes(const HuffmanCode& code) {
  std::array<int, kMaxCodeBits + 1> count{};
  for (int s = 0; s <= code.last; ++s) ++count[code.len[s]];
  count[0] = 0;
  std::array<uint16_t, kMaxCodeBits + 1> next{};
  uint32_t c = 0;
  for (int l = 1; l <= kMaxCodeBits; ++l) {
    c = (c + static_cast<uint32_t>(count[l - 1])) << 1;
    next[l] = static_cast<uint16_t>(c);
  }
  std::array<uint16_t, 256> codes{};
  for (int s = 0; s <= code.last; ++s) {
    if (code.len[s] != 0) codes[s] = next[code.len[s]]++;
  }
  return codes;
}

// Huffman depths of leaves sorted by ascending weight (two-queue method),
// counted per depth; depths past kMaxCodeBits are capped at 63.
void CountDepths(const uint32_t* w_sorted, int n, std::array<int, 64>* num) {
  std::array<uint32_t, 511> weight;
  std::array<int, 511> parent;
  std::copy(w_sorted, w_sorted + n, weight.begin());
  int leaf = 0, inner = n;
  for (int next = n; next < 2 * n - 1; ++next) {
    uint32_t sum = 0;
    for (int pick = 0; pick < 2; ++pick) {
      const bool take_leaf = leaf < n && (inner >= next || weight[leaf] <= weight[inner]);
      const int node = take_leaf ? leaf++ : inner++;
      parent[node] = next;
      sum += weight[node];
    }
    weight[next] = sum;
  }
  std::array<int, 511> depth;
  depth[2 * n - 2] = 0;
  for (int i = 2 * n - 3; i >= 0; --i) depth[i] = depth[parent[i]] + 1;
  num->fill(0);
  for (int i = 0; i < n; ++i) ++(*num)[std::min(depth[i], 63)];
}

// Caps depths at kMaxCodeBits keeping the Kraft sum exactly 1: move overflow
// to the longest length, then lengthen the deepest shorter leaves.
void LimitDepths(std::array<int, 64>* num) {
  for (int l = kMaxCodeBits + 1; l < 64; ++l) {
    (*num)[kMaxCodeBits] += (*num)[l];
    (*num)[l] = 0;
  }
  uint32_t total = 0;
  for (int l = 1; l <= kMaxCodeBits; ++l) {
    total += static_cast<uint32_t>((*num)[l]) << (kMaxCodeBits - l);
  }
  while (total > kTableSize) {
    --(*num)[kMaxCodeBits];
    for (int l = kMaxCodeBits - 1; l >= 1; --l) {
      if ((*num)[l] != 0) {
        --(*num)[l];
        (*num)[l + 1] += 2;
        break;
      }
    }
    --total;
  }
}

// ---- Decoder ----

inline uint64_t LoadBE64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
}

// Reads the length codes of symbols 0..last (see huffman.h).
bool GetLengths(std::string_view* in, HuffmanCode* code) {
  if (in->empty()) return false;
  code->last = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(in->data());
  const size_t avail = in->size() * 8;
  size_t pos = 0;
  int prev = 0;
  for (int s = 0; s <= code->last; ++s) {
    // The next (up to) 64 bits from pos, zeros past the input.
    const size_t byte = pos >> 3;
    uint64_t w = 0;
    if (byte + 8 <= in->size()) {
      w = LoadBE64(p + byte);
    } else {
      for (size_t b = byte; b < in->size(); ++b)
        w |= uint64_t{p[b]} << (56 - 8 * (b - byte));
    }
    w <<= pos & 7;
    int len, bits;
    if ((w >> 63) == 0) {
      len = prev, bits = 1;
    } else if (((w >> 62) & 1) == 0) {
      len = ((w >> 61) & 1) == 0 ? prev + 1 : prev - 1, bits = 3;
    } else {
      len = static_cast<int>((w >> 58) & 15), bits = 6;
    }
    pos += static_cast<size_t>(bits);
    if (pos > avail || len < 0 || len > kMaxCodeBits) return false;
    code->len[s] = static_cast<uint8_t>(len);
    code->used += len != 0;
    prev = len;
  }
  in->remove_prefix((pos + 7) / 8);
  return code->len[code->last] != 0;
}

// Fills the lookup table: entry i is (length | symbol << 8) of the code
// that prefixes the kMaxCodeBits-bit window i. False unless the code is
// complete.
bool BuildTable(const HuffmanCode& code, uint16_t* table) {
  std::array<int, kMaxCodeBits + 2> start{};
  uint32_t kraft = 0;
  for (int s = 0; s <= code.last; ++s) {
    const int l = code.len[s];
    if (l != 0) ++start[l + 1], kraft += uint32_t{1} << (kMaxCodeBits - l);
  }
  if (kraft != kTableSize) return false;
  for (int l = 1; l <= kMaxCodeBits; ++l) start[l + 1] += start[l];
  std::array<uint8_t, 256> order;
  for (int s = 0; s <= code.last; ++s) {
    if (code.len[s] != 0) order[start[code.len[s]]++] = static_cast<uint8_t>(s);
  }
  // Each code's range starts at a multiple of its size, so ranges of 8 or
  // more entries fill with 16-byte aligned stores.
  size_t pos = 0;
  for (int i = 0; i < code.used; ++i) {
    const int l = code.len[order[i]];
    const uint16_t e = static_cast<uint16_t>(l | (order[i] << 8));
    const size_t n = size_t{1} << (kMaxCodeBits - l);
    if (n >= 8) {
      const uint64_t four = e * uint64_t{0x0001000100010001};
      uint64_t line[4] = {four, four, four, four};  // 16 entries
      if (n == 8) std::memcpy(table + pos, line, 16);
      for (size_t j = pos; j + 16 <= pos + n; j += 16) std::memcpy(table + j, line, 32);
    } else {
      for (size_t j = pos; j < pos + n; ++j) table[j] = e;
    }
    pos += n;
  }
  return true;
}

// The bit reader of one stream. The stream has consumed `pos` bits from
// `base` (its start included) up to the last refill; `buf` holds the next
// 56 bits at its top, then a sentinel 1 bit, then zeros, so that after codes
// shift it left the sentinel's position tells how many bits they took: no
// per-code counter, and a stream's dependency chain per code is one shift,
// one table load and one shift. Eight streams keep eight loads in flight.
constexpr uint64_t kEmptyBuf = 0x80;

inline uint64_t BitsUsed(uint64_t pos, uint64_t buf) {
  return pos + static_cast<uint64_t>(std::countr_zero(buf) - 7);
}

__attribute__((always_inline)) inline uint64_t Refill(const uint8_t* base, uint64_t* pos,
                                                      uint64_t buf) {
  *pos = BitsUsed(*pos, buf);
  const uint64_t w = LoadBE64(base + (*pos >> 3)) << (*pos & 7);
  return (w & ~uint64_t{0xff}) | kEmptyBuf;
}

__attribute__((always_inline)) inline uint8_t Next(const uint16_t* table, uint64_t* buf) {
  const uint16_t e = table[*buf >> (64 - kMaxCodeBits)];
  *buf <<= (e & 63);
  return static_cast<uint8_t>(e >> 8);
}

// Decodes m symbols, symbol i from stream i % kStreams, whose bit readers
// start at pos[s] (bits from `base`). pos[s] ends at the bits each used.
// REQUIRES: each stream may be read kReadSlack bytes past its start.
void DecodeStreams(const uint8_t* base, const uint16_t* table, size_t m, uint64_t* pos,
                   uint8_t* out) {
  static_assert(kStreams == 8);
  // One local per stream, so that all eight stay in registers.
  uint64_t b0 = kEmptyBuf, b1 = kEmptyBuf, b2 = kEmptyBuf, b3 = kEmptyBuf;
  uint64_t b4 = kEmptyBuf, b5 = kEmptyBuf, b6 = kEmptyBuf, b7 = kEmptyBuf;
  auto refill = [&]() __attribute__((always_inline)) {
    b0 = Refill(base, &pos[0], b0), b1 = Refill(base, &pos[1], b1);
    b2 = Refill(base, &pos[2], b2), b3 = Refill(base, &pos[3], b3);
    b4 = Refill(base, &pos[4], b4), b5 = Refill(base, &pos[5], b5);
    b6 = Refill(base, &pos[6], b6), b7 = Refill(base, &pos[7], b7);
  };
  auto round = [&](uint8_t * o) __attribute__((always_inline)) {
    o[0] = Next(table, &b0), o[1] = Next(table, &b1);
    o[2] = Next(table, &b2), o[3] = Next(table, &b3);
    o[4] = Next(table, &b4), o[5] = Next(table, &b5);
    o[6] = Next(table, &b6), o[7] = Next(table, &b7);
  };
  const size_t rounds = m / kStreams;
  size_t j = 0;
  for (; j + kCodesPerRefill <= rounds; j += kCodesPerRefill) {
    refill();
    for (int k = 0; k < kCodesPerRefill; ++k, out += kStreams) round(out);
  }
  refill();
  for (; j < rounds; ++j, out += kStreams) round(out);
  // The tail: one more code from the first m % kStreams streams. Decode a
  // whole round (the buffers hold enough bits) and keep what belongs.
  uint64_t before[kStreams], after[kStreams];
  auto used = [&](uint64_t * u) __attribute__((always_inline)) {
    u[0] = BitsUsed(pos[0], b0), u[1] = BitsUsed(pos[1], b1);
    u[2] = BitsUsed(pos[2], b2), u[3] = BitsUsed(pos[3], b3);
    u[4] = BitsUsed(pos[4], b4), u[5] = BitsUsed(pos[5], b5);
    u[6] = BitsUsed(pos[6], b6), u[7] = BitsUsed(pos[7], b7);
  };
  used(before);
  uint8_t tail[kStreams];
  round(tail);
  used(after);
  const size_t t = m % kStreams;
  for (size_t k = 0; k < kStreams; ++k) {
    if (k < t) out[k] = tail[k];
    pos[k] = k < t ? after[k] : before[k];
  }
}

}  // namespace

HuffmanCode BuildHuffmanCode(const uint8_t* s, size_t m) {
  assert(m >= 1 && m <= kMaxHuffmanSymbols);
  SymbolCounts freq{};
  for (size_t i = 0; i < m; ++i) ++freq[s[i]];
  return BuildHuffmanCode(freq);
}

size_t HuffmanBytesEstimate(const SymbolCounts& freq, const HuffmanCode& code) {
  size_t bytes = LengthsBytes(code);
  if (code.used == 1) return bytes;
  size_t bits = 0;
  for (int x = 0; x <= code.last; ++x) bits += size_t{freq[x]} * code.len[x];
  // Each stream rounds up by half a byte on average and has a size varint.
  return bytes + bits / 8 + kStreams * 3 / 2;
}

size_t HuffmanBytesQuickEstimate(const SymbolCounts& freq) {
  std::array<SymbolCount, 256> counts;
  size_t used = 0;
  for (uint32_t x = 0; x < 256; ++x) {
    if (freq[x] != 0) counts[used++] = {x, freq[x]};
  }
  return HuffmanBytesQuickEstimate(std::span(counts.data(), used));
}

// log2 of counts from a table: std::log2 per symbol and per candidate width
// dominated the encoding of small blocks. Same values, so same estimates.
double Log2(uint64_t x) {
  static const std::array<double, kMaxHuffmanSymbols + 1> kLog2 = [] {
    std::array<double, kMaxHuffmanSymbols + 1> t{};
    for (size_t i = 1; i < t.size(); ++i) t[i] = std::log2(static_cast<double>(i));
    return t;
  }();
  return x < kLog2.size() ? kLog2[x] : std::log2(static_cast<double>(x));
}

double EntropyBits(std::span<const SymbolCount> counts, uint64_t n) {
  double bits = static_cast<double>(n) * Log2(n);
  for (const SymbolCount& c : counts) bits -= c.count * Log2(c.count);
  return bits;
}

size_t HuffmanBytesQuickEstimate(std::span<const SymbolCount> counts) {
  auto log2 = Log2;
  if (counts.size() <= 1) return 1 + 1;  // a one-symbol code has no streams
  uint64_t n = 0;
  for (const SymbolCount& c : counts) n += c.count;
  const double log2n = log2(n);
  double bits = 0;
  size_t table_bits = 0;
  int prev = 0;
  uint32_t next = 0;  // the symbol after the previous one
  for (const SymbolCount& c : counts) {
    if (c.symbol > next) {  // a run of symbols without a code (length 0)
      table_bits += LengthCodeBits(prev, 0) + (c.symbol - next - 1);
      prev = 0;
    }
    const double ideal = log2n - log2(c.count);
    bits += ideal * c.count;
    // ideal >= 0, so adding 1/2 and truncating is lround (up to the clamp).
    const int len = std::clamp(static_cast<int>(ideal + 0.5), 1, kMaxCodeBits);
    table_bits += LengthCodeBits(prev, len);
    prev = len;
    next = c.symbol + 1;
  }
  return 1 + (table_bits + 7) / 8 + static_cast<size_t>(bits) / 8 + kStreams * 3 / 2;
}

HuffmanCode BuildHuffmanCode(const SymbolCounts& freq) {
  std::array<uint8_t, 256> syms;
  int n = 0;
  for (int x = 0; x < 256; ++x) {
    if (freq[x] != 0) syms[n++] = static_cast<uint8_t>(x);
  }
  HuffmanCode code;
  code.used = n;
  code.last = syms[n - 1];
  if (n == 1) {
    code.len[syms[0]] = 1;
    return code;
  }
  // By count, ties by symbol (a stable sort's order, without its buffer).
  std::sort(syms.begin(), syms.begin() + n, [&](uint8_t x, uint8_t y) {
    return freq[x] != freq[y] ? freq[x] < freq[y] : x < y;
  });
  std::array<uint32_t, 256> w;
  for (int i = 0; i < n; ++i) w[i] = freq[syms[i]];
  std::array<int, 64> num;
  CountDepths(w.data(), n, &num);
  LimitDepths(&num);
  // Shortest lengths to the most frequent symbols (the end of syms).
  int i = n - 1;
  for (int l = 1; l <= kMaxCodeBits; ++l) {
    for (int k = 0; k < num[l]; ++k) code.len[syms[i--]] = static_cast<uint8_t>(l);
  }
  return code;
}

size_t HuffmanBytes(const uint8_t* s, size_t m, const HuffmanCode& code) {
  size_t bytes = LengthsBytes(code);
  if (code.used == 1) return bytes;
  std::array<size_t, kStreams> bits{};
  for (size_t i = 0; i < m; ++i) bits[i % kStreams] += code.len[s[i]];
  for (size_t b : bits) {
    const size_t size = (b + 7) / 8;
    bytes += size + VarintBytes(size);
  }
  return bytes;
}

void EncodeHuffman(const uint8_t* s, size_t m, const HuffmanCode& code,
                   std::string* out) {
  assert(m >= 1 && m <= kMaxHuffmanSymbols);
  PutLengths(code, out);
  if (code.used == 1) return;
  const std::array<uint16_t, 256> codes = CanonicalCodes(code);
  // Stream sizes first (they precede the streams), then each stream written
  // in place, 32 bits at a time, into the bytes reserved for it.
  std::array<size_t, kStreams> bits{};
  for (size_t i = 0; i < m; ++i) bits[i % kStreams] += code.len[s[i]];
  size_t total = 0;
  for (size_t b : bits) {
    internal::PutVarint64(out, (b + 7) / 8);
    total += (b + 7) / 8;
  }
  const size_t start = out->size();
  out->resize(start + total + 8);  // slack for the 4-byte stores
  uint8_t* p = reinterpret_cast<uint8_t*>(out->data()) + start;
  for (int k = 0; k < kStreams; ++k) {
    uint64_t acc = 0;
    int n = 0;  // bits in acc, < 32 between codes
    uint8_t* q = p;
    for (size_t i = static_cast<size_t>(k); i < m; i += kStreams) {
      assert(code.len[s[i]] != 0);
      acc = (acc << code.len[s[i]]) | codes[s[i]];
      n += code.len[s[i]];
      if (n >= 32) {
        n -= 32;
        const uint32_t word = static_cast<uint32_t>(acc >> n);
        q[0] = static_cast<uint8_t>(word >> 24), q[1] = static_cast<uint8_t>(word >> 16);
        q[2] = static_cast<uint8_t>(word >> 8), q[3] = static_cast<uint8_t>(word);
        q += 4;
      }
    }
    for (; n >= 8; q++) n -= 8, *q = static_cast<uint8_t>(acc >> n);
    if (n > 0) *q++ = static_cast<uint8_t>(acc << (8 - n));
    assert(static_cast<size_t>(q - p) == (bits[k] + 7) / 8);
    p = q;
  }
  out->resize(start + total);
}

bool DecodeHuffman(std::string_view* in, size_t m, uint8_t* out) {
  assert(m >= 1 && m <= kMaxHuffmanSymbols);
  HuffmanCode code;
  if (!GetLengths(in, &code)) return false;
  if (code.used == 1) {
    if (code.len[code.last] != 1) return false;
    std::memset(out, code.last, m);
    return true;
  }
  alignas(64) uint16_t table[kTableSize];
  if (!BuildTable(code, table)) return false;
  std::array<uint64_t, kStreams> size;
  size_t total = 0;
  for (int k = 0; k < kStreams; ++k) {
    if (!internal::GetVarint64(in, &size[k]) ||
        size[k] > (kMaxCodeBits * StreamCount(m, k) + 7) / 8) {
      return false;
    }
    total += size[k];
  }
  if (total > in->size()) return false;
  // Decode in place when the input extends far enough past the streams for
  // the word loads; otherwise from a zero-padded copy.
  alignas(64) uint8_t copy[kStreams * kMaxStreamBytes + kReadSlack];
  const uint8_t* base = reinterpret_cast<const uint8_t*>(in->data());
  if (in->size() < total + kReadSlack) {
    std::memcpy(copy, base, total);
    std::memset(copy + total, 0, kReadSlack);
    base = copy;
  }
  std::array<uint64_t, kStreams> pos;
  for (int k = 0, at = 0; k < kStreams; at += static_cast<int>(size[k++])) {
    pos[k] = 8 * static_cast<uint64_t>(at);
  }
  DecodeStreams(base, table, m, pos.data(), out);
  for (int k = 0, at = 0; k < kStreams; at += static_cast<int>(size[k++])) {
    if ((pos[k] - 8 * static_cast<uint64_t>(at) + 7) / 8 != size[k]) return false;
  }
  in->remove_prefix(total);
  return true;
}

}  // namespace sredb::codec
