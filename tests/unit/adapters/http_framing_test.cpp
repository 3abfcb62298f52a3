// The REST front door's request framing (adapters/rest/src/framing.cpp): what is whole, what
// is still arriving, and what is refused with which status, before any route sees it.
#include <gtest/gtest.h>

#include <string>

#include "framing.hpp"

namespace flashsale::rest {
namespace {

struct Case {
  const char* name;
  std::string bytes;
  Frame::Kind kind;
  int code = 0;            // when refused
  std::size_t length = 0;  // when complete; 0: the whole input
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class FramingTest : public ::testing::TestWithParam<Case> {};

TEST_P(FramingTest, Verdict) {
  const Case& c = GetParam();
  FramingLimits limits;
  limits.max_head_bytes = 256;
  limits.max_body_bytes = 64;
  const Frame frame = ScanRequest(c.bytes, limits);
  ASSERT_EQ(static_cast<int>(frame.kind), static_cast<int>(c.kind)) << frame.message;
  if (c.kind == Frame::Kind::kRefused) {
    EXPECT_EQ(frame.code, c.code) << frame.message;
    EXPECT_FALSE(frame.message.empty());
  }
  if (c.kind == Frame::Kind::kComplete) {
    EXPECT_EQ(frame.length, c.length == 0 ? c.bytes.size() : c.length);
  }
}

constexpr auto kWhole = Frame::Kind::kComplete;
constexpr auto kMore = Frame::Kind::kIncomplete;
constexpr auto kNo = Frame::Kind::kRefused;
const std::string kGet = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

INSTANTIATE_TEST_SUITE_P(
    Table, FramingTest,
    ::testing::Values(
        Case{"Get", kGet, kWhole}, Case{"Http10", "GET / HTTP/1.0\r\n\r\n", kWhole},
        Case{"LeadingEmptyLinesIgnored", "\r\n\r\n" + kGet, kWhole},
        Case{"PipelinedFirstOnly", kGet + kGet, kWhole, 0, kGet.size()},
        Case{"PostWithBody", "POST /p HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", kWhole},
        Case{"BodyStillArriving", "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\n{}", kMore},
        Case{"HeadStillArriving", "GET /health HTTP/1.1\r\nHost: x\r\n", kMore},
        Case{"RequestLineArriving", "GET /hea", kMore},
        Case{"CrAtTheEnd", "GET / HTTP/1.1\r", kMore},
        Case{"RepeatedEqualLengths", "POST /p HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n{}", kWhole},
        Case{"Chunked",
             "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", kWhole},
        Case{"ChunkedWithTrailer",
             "POST /p HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nx\r\n0\r\nT: v\r\n\r\n",
             kWhole},
        Case{"ChunkArriving", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{",
             kMore},
        // 400: malformed.
        Case{"BareLf", "GET / HTTP/1.1\nHost: x\n\n", kNo, 400},
        Case{"BareLfBeforeTheHeadEnds", "GET / HTTP/1.1\r\nHost: x\n", kNo, 400},
        Case{"BareCr", "GET / HTTP/1.1\rHost: x\r\n\r\n", kNo, 400},
        Case{"Http09", "GET /\r\n", kNo, 400},
        Case{"JunkAfterVersion", "GET / HTTP/1.1 junk\r\n\r\n", kNo, 400},
        Case{"JunkVersionEarly", "GET / XTTP", kNo, 400},
        Case{"EmptyTarget", "GET  HTTP/1.1\r\n\r\n", kNo, 400},
        Case{"AbsoluteFormTarget", "GET http://x/ HTTP/1.1\r\n\r\n", kNo, 400},
        Case{"ControlInTarget", std::string("GET /a\x01 HTTP/1.1\r\n\r\n"), kNo, 400},
        Case{"EmptyMethod", " / HTTP/1.1\r\n\r\n", kNo, 400},
        Case{"BadMethodChar", "G(T / HTTP/1.1\r\n\r\n", kNo, 400},
        Case{"SpaceBeforeColon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", kNo, 400},
        Case{"ObsFold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", kNo, 400},
        Case{"NoColon", "GET / HTTP/1.1\r\nJunk\r\n\r\n", kNo, 400},
        Case{"ControlInValue", std::string("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n"), kNo, 400},
        Case{"NegativeLength", "POST /p HTTP/1.1\r\nContent-Length: -1\r\n\r\n", kNo, 400},
        Case{"HugeLength", "POST /p HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
             kNo, 400},
        Case{"Uint64MaxLength", "POST /p HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n",
             kNo, 400},
        Case{"EmptyLength", "POST /p HTTP/1.1\r\nContent-Length: \r\n\r\n", kNo, 400},
        Case{"ConflictingLengths",
             "POST /p HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", kNo, 400},
        Case{"BothFramings",
             "POST /p HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", kNo,
             400},
        Case{"ChunkExtension",
             "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\n{}\r\n0\r\n\r\n", kNo,
             400},
        Case{"ChunkWithoutCrlf",
             "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n", kNo, 400},
        Case{"BadChunkSize", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", kNo,
             400},
        // 413 / 431: over the limits, decided before the body arrives.
        Case{"DeclaredBodyTooLarge", "POST /p HTTP/1.1\r\nContent-Length: 65\r\n\r\n", kNo, 413},
        Case{"ChunkTooLarge",
             "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n", kNo,
             413},
        Case{"HeadTooLarge", "GET / HTTP/1.1\r\nX: " + std::string(300, 'a'), kNo, 431},
        // 501 / 505: understood but not served.
        Case{"UnknownMethod", "BREW /pot HTTP/1.1\r\n\r\n", kNo, 501},
        Case{"HeadIsNotServed", "HEAD /health HTTP/1.1\r\n\r\n", kNo, 501},
        Case{"OptionsIsNotServed", "OPTIONS * HTTP/1.1\r\n\r\n", kNo, 400},
        Case{"TraceIsNotServed", "TRACE / HTTP/1.1\r\n\r\n", kNo, 501},
        Case{"OtherTransferCoding", "POST /p HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", kNo,
             501},
        Case{"Http2", "GET / HTTP/2.0\r\n\r\n", kNo, 505},
        Case{"Http12", "GET / HTTP/1.2\r\n\r\n", kNo, 505}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(FramingLimitsTest, EmptyLinesBeforeTheRequestAreSkipped) {
  const std::string get = "GET /health HTTP/1.1\r\n\r\n";
  const Frame frame = ScanRequest("\r\n\r\n" + get, FramingLimits{});
  ASSERT_EQ(frame.kind, Frame::Kind::kComplete);
  EXPECT_EQ(frame.start, 4U);
  EXPECT_EQ(frame.length, 4 + get.size());
}

TEST(FramingLimitsTest, TheBodyLimitIsOnTheBodyNotTheWholeRequest) {
  FramingLimits limits;
  limits.max_body_bytes = 4;
  const std::string head =
      "POST /p HTTP/1.1\r\nContent-Length: 4\r\nX-Padding: " + std::string(100, 'p') + "\r\n\r\n";
  const Frame frame = ScanRequest(head + "abcd", limits);
  ASSERT_EQ(frame.kind, Frame::Kind::kComplete);
  EXPECT_EQ(frame.length, head.size() + 4);
}

TEST(FramingLimitsTest, OneByteChunksCannotGrowTheBufferWithoutBound) {
  FramingLimits limits;
  limits.max_head_bytes = 64;
  limits.max_body_bytes = 1000;
  std::string bytes = "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2000; ++i) bytes += "1\r\nx\r\n";
  const Frame frame = ScanRequest(bytes, limits);
  ASSERT_EQ(frame.kind, Frame::Kind::kRefused);
  EXPECT_EQ(frame.code, 413);
}

}  // namespace
}  // namespace flashsale::rest
