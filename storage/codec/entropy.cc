// zstd wrapper for the entropy stage; see entropy.h.
#include "storage/codec/entropy.h"

// For ZSTD_c_format / ZSTD_d_format (the magicless format). Only those enum
// values are used, which the shared library accepts through the stable
// ZSTD_CCtx_setParameter / ZSTD_DCtx_setParameter.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <cassert>
#include <memory>

namespace sredb::codec {
namespace {

// Level for sealing. Inputs are at most a few KiB and most of the gain is
// Huffman-coded literals, so level 3 compresses these blocks as well as
// level 9 did (codec size tests, to 0.001 B/value) for 10% fewer
// instructions per seal (callgrind on `sredb flush`).
constexpr int kZstdLevel = 3;

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx = [] {
    std::unique_ptr<ZSTD_CCtx, CCtxDeleter> c(ZSTD_createCCtx());
    ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, kZstdLevel);
    ZSTD_CCtx_setParameter(c.get(), ZSTD_c_format, ZSTD_f_zstd1_magicless);
    ZSTD_CCtx_setParameter(c.get(), ZSTD_c_contentSizeFlag, 0);
    ZSTD_CCtx_setParameter(c.get(), ZSTD_c_checksumFlag, 0);
    ZSTD_CCtx_setParameter(c.get(), ZSTD_c_dictIDFlag, 0);
    return c;
  }();
  return ctx.get();
}

ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx = [] {
    std::unique_ptr<ZSTD_DCtx, DCtxDeleter> d(ZSTD_createDCtx());
    ZSTD_DCtx_setParameter(d.get(), ZSTD_d_format, ZSTD_f_zstd1_magicless);
    return d;
  }();
  return ctx.get();
}

}  // namespace

void ZstdCompress(std::string_view src, std::string* out) {
  const size_t start = out->size();
  out->resize(start + ZSTD_compressBound(src.size()));
  const size_t n = ZSTD_compress2(ThreadCCtx(), out->data() + start, out->size() - start,
                                  src.data(), src.size());
  assert(!ZSTD_isError(n) && "compressBound is always enough");
  out->resize(start + (ZSTD_isError(n) ? 0 : n));
}

bool ZstdDecompress(std::string_view frame, char* dst, size_t dst_size) {
  if (frame.empty()) return false;
  const size_t n =
      ZSTD_decompressDCtx(ThreadDCtx(), dst, dst_size, frame.data(), frame.size());
  return !ZSTD_isError(n) && n == dst_size;
}

}  // namespace sredb::codec
