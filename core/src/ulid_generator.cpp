#include "flashsale/core/ulid_generator.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <random>
#include <string>

namespace flashsale::core {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// splitmix64: cheap, well-mixed 64-bit stream from a random seed.
std::uint64_t SplitMix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

UlidGenerator::UlidGenerator(const ports::Clock& clock) : clock_(clock) {
  std::random_device device;
  seed_state_ = (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::string UlidGenerator::NextUlid() {
  std::int64_t ms = domain::ToUnixMillis(clock_.Now());
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  {
    std::lock_guard lock(mu_);
    if (ms <= last_ms_) {
      // Same (or earlier: clock stepped back) millisecond: stay monotonic by incrementing.
      ms = last_ms_;
      if (++rand_lo_ == 0) rand_hi_ = (rand_hi_ + 1) & 0xFFFF;
    } else {
      last_ms_ = ms;
      rand_lo_ = SplitMix(seed_state_);
      rand_hi_ = SplitMix(seed_state_) & 0xFFFF;
    }
    hi = rand_hi_;
    lo = rand_lo_;
  }
  // 128 bits: 48-bit time | 16-bit hi | 64-bit lo, encoded as 26 base32 digits (130 bits).
  std::array<char, 26> out{};
  auto time = static_cast<std::uint64_t>(ms) & 0xFFFFFFFFFFFFULL;
  for (int i = 9; i >= 0; --i) {  // 10 chars for 48 bits (50 bits of room)
    out[static_cast<std::size_t>(i)] = kCrockford[time & 31];
    time >>= 5;
  }
  // 80 random bits = 16 chars of 5 bits.
  for (int i = 25; i >= 10; --i) {
    out[static_cast<std::size_t>(i)] = kCrockford[lo & 31];
    lo = (lo >> 5) | ((hi & 31) << 59);
    hi >>= 5;
  }
  return std::string(out.data(), out.size());
}

domain::OrderId UlidGenerator::Next() { return *domain::OrderId::Parse(NextUlid()); }

domain::AttemptId UlidGenerator::NextAttempt() { return *domain::AttemptId::Parse(NextUlid()); }

domain::CheckoutCode UlidGenerator::NextCheckoutCode(const domain::SaleId& sale) {
  // 128 bits from the kernel's CSPRNG (getrandom never returns short for <= 256 bytes once
  // the pool is initialised), as 26 base32 digits (130 bits of room).
  std::array<unsigned char, 16> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (errno != EINTR) {
      break;  // no getrandom (an old kernel, a seccomp filter): the C++ runtime's source
    }
  }
  if (got < bytes.size()) {
    std::random_device device;  // reads the OS's random source as well
    for (; got < bytes.size(); ++got) bytes[got] = static_cast<unsigned char>(device());
  }
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    hi = (hi << 8) | bytes[i];
    lo = (lo << 8) | bytes[8 + i];
  }
  std::array<char, domain::CheckoutCode::kSecretChars> secret{};
  for (std::size_t i = secret.size(); i-- > 0;) {
    secret[i] = kCrockford[lo & 31];
    lo = (lo >> 5) | ((hi & 31) << 59);
    hi >>= 5;
  }
  return *domain::CheckoutCode::Make(std::string_view(secret.data(), secret.size()), sale);
}

}  // namespace flashsale::core
