#pragma once
/// Long inputs for the text limits: `s` written `n` times.
#include <cstddef>
#include <string>
#include <string_view>

namespace actas::testing {

inline std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

} // namespace actas::testing
