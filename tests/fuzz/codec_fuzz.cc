// libFuzzer target: the column codecs' decoders (storage/codec/codec.h).
// Input: one selector byte choosing the decoder, then the column stream.
// Contracts checked beyond memory safety: a stream that decodes consumes
// part of its input and holds PeekCount values; re-encoding the values and
// decoding them again gives them back bit for bit; the fast-path decoders
// agree with the vector ones.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "storage/codec/codec.h"
#include "tests/fuzz/fuzz_util.h"

namespace sredb::fuzz {
namespace {

template <typename T>
bool SameValue(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, float>) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;  // bit-exact: NaN payloads, -0.0
  } else {
    return a == b;
  }
}

template <typename T>
using Decoder = Status (*)(std::string_view*, std::vector<T>*);

// Decodes `stream` with `decode`; when it decodes, checks the count and a
// round trip through `encode`. Returns the values (empty on error).
template <typename T, typename Encode>
std::vector<T> RoundTrip(std::string_view stream, Decoder<T> decode, Encode encode) {
  std::vector<T> values;
  std::string_view in = stream;
  if (!decode(&in, &values).ok()) return {};
  SREDB_FUZZ_CHECK(in.size() < stream.size(), "a stream consumes its header");
  uint64_t count = 0;
  SREDB_FUZZ_CHECK(codec::PeekCount(stream, &count).ok() && count == values.size(),
                   "PeekCount agrees with the decoder");
  if constexpr (std::is_same_v<T, uint8_t>) {
    if (decode == codec::DecodeBools) {
      for (uint8_t b : values) SREDB_FUZZ_CHECK(b <= 1, "bools are 0 or 1");
    }
  }
  std::string again;
  encode(values, &again);
  std::vector<T> back;
  std::string_view again_in = again;
  Status s = decode(&again_in, &back);
  SREDB_FUZZ_CHECK(s.ok(), s.ToString());
  SREDB_FUZZ_CHECK(again_in.empty(), "the decoder consumes what the encoder wrote");
  SREDB_FUZZ_CHECK(back.size() == values.size(), "round trip keeps the count");
  for (size_t i = 0; i < values.size(); ++i) {
    SREDB_FUZZ_CHECK(SameValue(back[i], values[i]), "round trip keeps every value");
  }
  return values;
}

// The fast path into a caller buffer must agree with the vector decoder.
void CheckFastPath(std::string_view stream, const std::vector<int64_t>& want, bool ok,
                   Status (*decode_to)(std::string_view*, int64_t*, size_t, size_t*)) {
  constexpr size_t kCapacity = 4 * codec::kBlockValues;
  std::vector<int64_t> buf(kCapacity);
  size_t count = 0;
  std::string_view in = stream;
  Status s = decode_to(&in, buf.data(), kCapacity, &count);
  if (s.IsResourceExhausted()) {
    SREDB_FUZZ_CHECK(in.size() == stream.size(), "ResourceExhausted consumes nothing");
    return;
  }
  if (!ok || !s.ok()) {
    // Only a stream too long for the buffer may be told apart.
    SREDB_FUZZ_CHECK(ok == s.ok() || want.size() > kCapacity, s.ToString());
    return;
  }
  SREDB_FUZZ_CHECK(count == want.size(), "fast path count");
  SREDB_FUZZ_CHECK(std::equal(want.begin(), want.end(), buf.begin()), "fast path values");
}

void Fuzz(uint8_t selector, std::string_view stream) {
  auto strings_encode = [](const std::vector<std::string>& v, std::string* out) {
    std::vector<std::string_view> views(v.begin(), v.end());
    codec::EncodeStrings(views, out);
  };
  switch (selector % 6) {
    case 0: {
      std::vector<int64_t> v = RoundTrip<int64_t>(
          stream, codec::DecodeTimestamps,
          [](const auto& x, std::string* out) { codec::EncodeTimestamps(x, out); });
      std::vector<int64_t> dummy;
      std::string_view in = stream;
      const bool ok = codec::DecodeTimestamps(&in, &dummy).ok();
      CheckFastPath(stream, v, ok, codec::DecodeTimestampsTo);
      break;
    }
    case 1: {
      std::vector<int64_t> v = RoundTrip<int64_t>(
          stream, codec::DecodeInts,
          [](const auto& x, std::string* out) { codec::EncodeInts(x, out); });
      std::vector<int64_t> dummy;
      std::string_view in = stream;
      const bool ok = codec::DecodeInts(&in, &dummy).ok();
      CheckFastPath(stream, v, ok, codec::DecodeIntsTo);
      break;
    }
    case 2:
      RoundTrip<float>(stream, codec::DecodeFloats, [](const auto& x, std::string* out) {
        codec::EncodeFloats(x, out);
      });
      break;
    case 3:
      RoundTrip<uint8_t>(stream, codec::DecodeBools, [](const auto& x, std::string* out) {
        codec::EncodeBools(x, out);
      });
      break;
    case 4:
      RoundTrip<uint8_t>(
          stream, codec::DecodeSmallEnums,
          [](const auto& x, std::string* out) { codec::EncodeSmallEnums(x, out); });
      break;
    case 5:
      RoundTrip<std::string>(stream, codec::DecodeStrings, strings_encode);
      break;
  }
}

}  // namespace
}  // namespace sredb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  sredb::fuzz::Fuzz(data[0],
                    std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
