#include "basalt/graphql/unused_placeholders.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace basalt::graphql {

void drop_unused_placeholders(std::string& sql, db::Params& params) {
  std::vector<std::size_t> renumbered(params.size() + 1, 0);
  struct Use {
    std::size_t begin, end, number;
  };
  std::vector<Use> uses;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      const std::size_t close = sql.find(c, i + 1);
      if (close == std::string::npos) return;  // not ours to judge: leave the text as it is
      i = close;
      continue;
    }
    if (c != '$' || i + 1 >= sql.size() || sql[i + 1] < '0' || sql[i + 1] > '9') continue;
    std::size_t end = i + 1;
    std::size_t number = 0;
    while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') {
      number = number * 10 + static_cast<std::size_t>(sql[end] - '0');
      if (number > params.size()) return;
      ++end;
    }
    if (number == 0) return;
    renumbered[number] = 1;
    uses.push_back({i, end, number});
    i = end - 1;
  }
  if (std::all_of(renumbered.begin() + 1, renumbered.end(), [](std::size_t u) { return u; })) {
    return;
  }
  std::size_t next = 0;
  db::Params kept;
  for (std::size_t n = 1; n < renumbered.size(); ++n) {
    if (renumbered[n] == 0) continue;
    renumbered[n] = ++next;
    kept.push_back(std::move(params[n - 1]));
  }
  std::string out;
  std::size_t copied = 0;
  for (const Use& use : uses) {
    out.append(sql, copied, use.begin - copied);
    out += '$' + std::to_string(renumbered[use.number]);
    copied = use.end;
  }
  out.append(sql, copied);
  sql = std::move(out);
  params = std::move(kept);
}

}  // namespace basalt::graphql
