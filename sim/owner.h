// Owner: who acts on the world's stores and locks. The world decides by it whose home a path is
// in, whose clock error a write's expiry allows for, which consumer a read or a refresh is
// judged for, and whose name the trace shows.
#pragma once

#include <cstddef>
#include <cstdint>

namespace credsim::sim {

// A consumer (through its SimIo), the login helper of a consumer's scripted relogin (it writes
// that consumer's home), the dead process of a killed consumer (its Claude lock directory stays
// until the janitor clears it), or the world itself.
struct Owner {
  enum class Kind : uint8_t { kConsumer, kLoginHelper, kDeadProcess, kWorld };
  Kind kind = Kind::kWorld;
  size_t index = 0;  // the consumer, for every kind but kWorld

  static constexpr Owner Consumer(size_t i) { return {Kind::kConsumer, i}; }
  static constexpr Owner LoginHelper(size_t i) { return {Kind::kLoginHelper, i}; }
  static constexpr Owner DeadProcess(size_t i) { return {Kind::kDeadProcess, i}; }
  static constexpr Owner TheWorld() { return {}; }

  constexpr bool is_consumer() const { return kind == Kind::kConsumer; }
  friend constexpr bool operator==(const Owner&, const Owner&) = default;
};

}  // namespace credsim::sim
