#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "safedb/util/exit_code.h"

namespace safedb {

// An expected failure: what went wrong, in one line a user can act on, and the
// exit status it maps to. The library never prints; the CLI's top-level
// handler turns an Error into "safedb: error: <message>" and its exit code.
class Error {
 public:
  Error(ExitCode code, std::string message) : code_(code), message_(std::move(message)) {}

  // Named constructors for the common classes of failure.
  static Error usage(std::string message) { return {ExitCode::usage, std::move(message)}; }
  static Error input(std::string message) { return {ExitCode::usage, std::move(message)}; }

  ExitCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<prefix>: <message>", e.g. a file name.
  Error within(const std::string& prefix) const { return {code_, prefix + ": " + message_}; }

 private:
  ExitCode code_;
  std::string message_;
};

// Either a value or an Error. REQUIRES: value() only when ok(), error() only
// when !ok() (checked by assert in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> state_;
};

// Success or an Error, for operations that return nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace safedb
