// libFuzzer target: the REST front door's request framing (adapters/rest/src/framing.cpp), fed
// the raw bytes a client sends. No crash, no sanitizer report, and the verdict is coherent: a
// whole request is no longer than the bytes and is whole again when scanned alone, every
// shorter prefix of it is only incomplete (never refused: a valid request is never turned
// away half-way), and a refusal carries one of the framing status codes and a message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "framing.hpp"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using flashsale::rest::Frame;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  flashsale::rest::FramingLimits limits;
  limits.max_head_bytes = 512;  // small limits, so that the fuzzer reaches them
  limits.max_body_bytes = 256;
  const Frame frame = flashsale::rest::ScanRequest(bytes, limits);
  switch (frame.kind) {
    case Frame::Kind::kComplete: {
      Check(frame.length > 0 && frame.length <= size && frame.start < frame.length);
      Check(frame.length - frame.start <= flashsale::rest::MaxRequestBytes(limits));
      const Frame alone = flashsale::rest::ScanRequest(bytes.substr(0, frame.length), limits);
      Check(alone.kind == Frame::Kind::kComplete && alone.length == frame.length);
      for (std::size_t cut : {frame.length / 2, frame.length - 1}) {
        const Frame prefix = flashsale::rest::ScanRequest(bytes.substr(0, cut), limits);
        Check(prefix.kind == Frame::Kind::kIncomplete);
      }
      break;
    }
    case Frame::Kind::kRefused:
      Check(frame.code == 400 || frame.code == 413 || frame.code == 431 || frame.code == 501 ||
            frame.code == 505);
      Check(!frame.message.empty());
      break;
    case Frame::Kind::kIncomplete:
      break;
  }
  return 0;
}
