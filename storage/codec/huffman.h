// A canonical Huffman coder for the byte streams the block codecs shape
// (the high bits of frame-of-reference residuals, one byte per value). It
// replaced zstd: one small code table per block, filled in a few hundred
// cycles, and eight interleaved streams decoded by table lookup, so the
// table loads of the streams overlap. The count m of symbols is known to
// the caller.
//
//   huffman := u8 last | lengths | [8 x varint size | 8 streams]  if >= 2 codes
//   lengths := code lengths of symbols 0..last, MSB-first bit codes padded
//              with zero bits to a byte; each relative to the previous length
//              (initially 0): "0" same, "100" +1, "101" -1, "11" + 4 bits
//              literal (0..kMaxCodeBits); 0 means the symbol has no code
//   stream j (0..7) := the codes of symbols j, j + 8, j + 16, ... < m,
//              MSB-first, zero bits padding the last byte; `size` bytes
//
// Codes are canonical: by (length, symbol), each code the previous one plus
// one, shifted left to the longer length. Lengths are 1..kMaxCodeBits; with
// two or more codes their Kraft sum is exactly 1 (a complete code). A table
// with exactly one code (its length must be 1) means every symbol is that
// one; no stream sizes or streams follow. Every stream must end in its last
// byte: any other size, a length sequence that breaks these rules, or too
// few bytes is Corruption. storage/codec/README.md draws the same layout.
//
// Thread safety: reentrant.
#ifndef SREDB_STORAGE_CODEC_HUFFMAN_H_
#define SREDB_STORAGE_CODEC_HUFFMAN_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sredb::codec {

// Longest code; the decoder's lookup table has 2^kMaxCodeBits entries.
// (10 or 11 bits measured within 0.05% of the same sizes on the fleet
// shapes, for a larger table to fill per block and fewer codes per refill.)
inline constexpr int kMaxCodeBits = 9;
// Most symbols one call may code (the block size).
inline constexpr size_t kMaxHuffmanSymbols = 1024;

// A length-limited Huffman code for one block's symbol frequencies.
struct HuffmanCode {
  std::array<uint8_t, 256> len{};  // 0: no code
  int last = 0;                    // largest symbol with a code
  int used = 0;                    // symbols with a code
};

// The code of the symbols s[0..m). REQUIRES: 1 <= m <= kMaxHuffmanSymbols.
HuffmanCode BuildHuffmanCode(const uint8_t* s, size_t m);

// The same from the counts of each byte value (at least one nonzero).
using SymbolCounts = std::array<uint32_t, 256>;
HuffmanCode BuildHuffmanCode(const SymbolCounts& freq);

// HuffmanBytes to within a few bytes (stream padding), from the counts: for
// choosing among candidates without a pass over the symbols.
size_t HuffmanBytesEstimate(const SymbolCounts& freq, const HuffmanCode& code);
// About HuffmanBytesEstimate(freq, BuildHuffmanCode(freq)) without building
// the code: the order-0 entropy of the counts, and the length table of the
// ideal lengths round(log2(n / count)) clamped to the code's limits. For
// choosing among layouts; the chosen one is then built and measured.
size_t HuffmanBytesQuickEstimate(const SymbolCounts& freq);
// The same from the nonzero counts alone, in ascending symbol order (for
// small blocks, whose few symbols would not pay a pass over 256 counts).
struct SymbolCount {
  uint32_t symbol;
  uint32_t count;
};
size_t HuffmanBytesQuickEstimate(std::span<const SymbolCount> counts);
// The order-0 entropy in bits of n symbols with these counts (n = their
// sum): a lower bound of a Huffman code's bits.
double EntropyBits(std::span<const SymbolCount> counts, uint64_t n);

// Exact size in bytes of EncodeHuffman(s, m, code).
size_t HuffmanBytes(const uint8_t* s, size_t m, const HuffmanCode& code);

// Appends the layout above for s[0..m), coded with `code` (which must give
// every symbol of s a length, e.g. BuildHuffmanCode(s, m)).
void EncodeHuffman(const uint8_t* s, size_t m, const HuffmanCode& code, std::string* out);

// Decodes m symbols into out[0..m) from the front of `*in`, consuming them.
// False (Corruption for the caller) when the bytes break the layout.
// REQUIRES: 1 <= m <= kMaxHuffmanSymbols.
bool DecodeHuffman(std::string_view* in, size_t m, uint8_t* out);

}  // namespace sredb::codec

#endif  // SREDB_STORAGE_CODEC_HUFFMAN_H_
