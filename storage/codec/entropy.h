// The zstd stage of int-block layout 2, which earlier builds wrote for
// entropy-coded high bytes; blocks now use the Huffman stage (huffman.h),
// and this one stays so that those streams still decode (and so that tests
// can build them).
//
// Frame: a zstd frame in the magicless format (ZSTD_f_zstd1_magicless), no
// content size, no checksum, no dictionary id; the enclosing block stores
// its length and the decompressed size is implied by the block's count.
//
// Thread safety: reentrant; each thread lazily creates its own contexts.
#ifndef SREDB_STORAGE_CODEC_ENTROPY_H_
#define SREDB_STORAGE_CODEC_ENTROPY_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace sredb::codec {

// Appends the frame for `src` to `*out`.
void ZstdCompress(std::string_view src, std::string* out);

// Decompresses `frame` into exactly `dst_size` bytes at `dst`. False when the
// frame is damaged, holds another size, or has bytes after its end.
bool ZstdDecompress(std::string_view frame, char* dst, size_t dst_size);

}  // namespace sredb::codec

#endif  // SREDB_STORAGE_CODEC_ENTROPY_H_
