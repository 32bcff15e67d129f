// Bit packing: every width 0..64 round-trips at every tail length, and the
// unpacker never reads past the packed bytes.
#include <gtest/gtest.h>

#include <random>

#include "storage/codec/bitpack.h"

namespace sredb::codec {
namespace {

TEST(BitPack, EveryWidthRoundTrips) {
  std::mt19937_64 rng(7);
  for (int w = 0; w <= 64; ++w) {
    for (size_t n : {0, 1, 7, 8, 9, 63, 64, 65, 1023, 1024}) {
      std::vector<uint64_t> v(n);
      for (auto& x : v) x = rng() & LowMask(w);
      if (n > 0) v[0] = LowMask(w);  // the widest value
      std::string packed;
      PackBits(v.data(), n, w, &packed);
      ASSERT_EQ(packed.size(), PackedBytes(n, w));
      // An exact-size heap copy lets ASan catch any read past the end.
      std::unique_ptr<char[]> exact(new char[packed.size() + 1]);
      std::copy(packed.begin(), packed.end(), exact.get());
      std::vector<uint64_t> got(n);
      UnpackBits(std::string_view(exact.get(), packed.size()), n, w, got.data());
      ASSERT_EQ(got, v) << "width " << w << " n " << n;
    }
  }
}

TEST(BitPack, AppendsAfterExistingBytes) {
  std::string out = "xy";
  const uint64_t v[3] = {5, 0, 7};
  PackBits(v, 3, 3, &out);
  ASSERT_EQ(out.size(), 2 + PackedBytes(3, 3));
  EXPECT_EQ(out.substr(0, 2), "xy");
  uint64_t got[3];
  UnpackBits(std::string_view(out).substr(2), 3, 3, got);
  EXPECT_EQ(got[0], 5u);
  EXPECT_EQ(got[1], 0u);
  EXPECT_EQ(got[2], 7u);
}

TEST(BitPack, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(~uint64_t{0}), 64);
}

}  // namespace
}  // namespace sredb::codec
