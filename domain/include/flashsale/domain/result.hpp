#pragma once

#include <string>
#include <utility>
#include <variant>

#include "flashsale/domain/outcome.hpp"

namespace flashsale::domain {

/// Why something did not happen: an outcome plus a human-readable detail.
struct Error {
  Outcome outcome = Outcome::kInternal;
  std::string detail;
};

/// A value or an Error. Business outcomes travel as values, never as exceptions.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(state_); }
  /// kAccepted when ok, the error's outcome otherwise.
  Outcome outcome() const noexcept { return ok() ? Outcome::kAccepted : error().outcome; }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const { return error_; }
  Outcome outcome() const noexcept { return ok_ ? Outcome::kAccepted : error_.outcome; }

 private:
  Error error_;
  bool ok_ = true;
};

/// Shorthand for `Result<void>{}` in functions that return success.
inline Result<void> Ok() { return {}; }

}  // namespace flashsale::domain
