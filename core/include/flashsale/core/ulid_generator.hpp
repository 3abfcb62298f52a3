#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "flashsale/ports/clock.hpp"
#include "flashsale/ports/id_generator.hpp"

namespace flashsale::core {

/// ULIDs (26 characters of Crockford base32: 48-bit milliseconds + 80 random bits), strictly
/// increasing within one generator (the random part is incremented within a millisecond) and
/// unique across processes with overwhelming probability. Thread-safe.
class UlidGenerator final : public ports::IdGenerator {
 public:
  explicit UlidGenerator(const ports::Clock& clock);
  domain::OrderId Next() override;
  domain::AttemptId NextAttempt() override;
  /// The secret comes from getrandom(2), not from the ULID stream.
  domain::CheckoutCode NextCheckoutCode(const domain::SaleId& sale) override;

 private:
  std::string NextUlid();

  const ports::Clock& clock_;
  std::mutex mu_;
  std::int64_t last_ms_ = -1;
  std::uint64_t rand_hi_ = 0;  // top 16 of the 80 random bits
  std::uint64_t rand_lo_ = 0;  // low 64 bits
  std::uint64_t seed_state_;
};

}  // namespace flashsale::core
