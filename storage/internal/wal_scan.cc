#include "storage/internal/wal_scan.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

namespace sredb::internal {
namespace {

constexpr uint64_t kBlockSize = 32768;
constexpr uint64_t kHeaderSize = 7;  // fixed32 crc | fixed16 length | u8 type
constexpr uint8_t kFullType = 1, kFirstType = 2, kLastType = 4;

// CRC-32C (Castagnoli, reflected 0x82F63B78), as RocksDB's log records use.
uint32_t Crc32c(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

// RocksDB stores crc32c masked, so that a crc of data holding crcs differs.
uint32_t Masked(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

uint32_t LoadLe(std::string_view b, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v |= static_cast<uint32_t>(static_cast<uint8_t>(b[i])) << (8 * i);
  return v;
}

// The type of the sound record at `p` (which must leave a header's room
// before `end`, the end of its block or of the file), or 0.
uint8_t SoundRecordAt(std::string_view bytes, uint64_t p, uint64_t end) {
  const uint32_t length = LoadLe(bytes.substr(p + 4, 2), 2);
  const auto type = static_cast<uint8_t>(bytes[p + 6]);
  if (type < kFullType || type > kLastType || p + kHeaderSize + length > end) return 0;
  const uint32_t crc = Crc32c(bytes.substr(p + 6, 1 + length));
  return Masked(crc) == LoadLe(bytes.substr(p, 4), 4) ? type : 0;
}

bool AllZero(std::string_view b) {
  return b.find_first_not_of('\0') == std::string_view::npos;
}

}  // namespace

WalScan ScanWal(std::string_view bytes) {
  WalScan scan;
  for (uint64_t block = 0; block < bytes.size(); block += kBlockSize) {
    const uint64_t end = std::min<uint64_t>(block + kBlockSize, bytes.size());
    uint64_t p = block;
    while (p + kHeaderSize <= end) {
      if (const uint8_t type = SoundRecordAt(bytes, p, end)) {
        if (type == kFullType || type == kFirstType) {
          ++scan.batches;
          if (scan.damaged) ++scan.batches_after;
        }
        p += kHeaderSize + LoadLe(bytes.substr(p + 4, 2), 2);
        continue;
      }
      // Zeros are padding or preallocated space: nothing more in this block.
      if (AllZero(bytes.substr(p, end - p))) break;
      if (!scan.damaged) {
        scan.damaged = true;
        scan.damage_offset = p;
      }
      // Resynchronise inside the block: a sound record after the damage has
      // a matching crc32c, which garbage has with odds of 2^-32.
      do {
        ++p;
      } while (p + kHeaderSize <= end && SoundRecordAt(bytes, p, end) == 0);
    }
    // A tail cut inside a header or a record is damage too.
    if (p < end && !scan.damaged && !AllZero(bytes.substr(p, end - p))) {
      scan.damaged = true;
      scan.damage_offset = p;
    }
  }
  return scan;
}

Result<WalScan> ScanWalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError("reading " + path);
  return ScanWal(bytes);
}

Status CheckWalDamageIsTail(const std::string& dir, bool* damaged) {
  *damaged = false;
  std::vector<std::pair<uint64_t, std::string>> logs;  // by log number
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= 4 || !name.ends_with(".log") ||
        name.find_first_not_of("0123456789") != name.size() - 4)
      continue;
    logs.emplace_back(std::stoull(name.substr(0, name.size() - 4)), name);
  }
  if (ec) return Status::IOError("listing " + dir + ": " + ec.message());
  std::sort(logs.begin(), logs.end());
  std::string first;  // the first damaged log
  uint64_t offset = 0, after = 0;
  for (const auto& [number, name] : logs) {
    auto scan = ScanWalFile(dir + "/" + name);
    if (!scan.ok()) return scan.status();
    if (first.empty()) {
      if (!scan->damaged) continue;
      first = name;
      offset = scan->damage_offset;
      after = scan->batches_after;
    } else {
      after += scan->batches;
    }
  }
  *damaged = !first.empty();
  if (after == 0) return Status::OK();
  return Status::Corruption(
      "write-ahead log " + first + " of " + dir + " is damaged at byte " +
      std::to_string(offset) + " with " + std::to_string(after) +
      " later write batches intact after the damage; recovering would drop them, so "
      "the database is not opened (keep a copy of the directory before repairing it)");
}

}  // namespace sredb::internal
