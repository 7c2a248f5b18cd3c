// Small helpers of the query module's property tests: seeds and counts from the environment,
// and random picks.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <random>

namespace basalt::query::testing {

// `name` from the environment as a number (BASALT_PROPERTY_SEED, BASALT_PROPERTY_FILTERS let a
// longer local run override a test's defaults), or `fallback`.
inline unsigned env_or(const char* name, unsigned fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? static_cast<unsigned>(std::strtoul(value, nullptr, 10)) : fallback;
}

template <typename T, std::size_t N>
const T& pick(std::mt19937& rng, const T (&items)[N]) {
  return items[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

inline bool chance(std::mt19937& rng, double p) {
  return std::bernoulli_distribution(p)(rng);
}

}  // namespace basalt::query::testing
