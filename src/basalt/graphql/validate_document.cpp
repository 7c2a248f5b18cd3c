// Document-wide rules: operation name uniqueness (5.2.1.1), lone anonymous operation (5.2.2.1),
// fragment name uniqueness (5.5.1.1), fragments must be used (5.5.1.4), fragment spreads must
// not form cycles (5.5.2.2).
#include <fmt/format.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "basalt/graphql/validation_context.hpp"

namespace basalt::graphql::validation {

namespace {

void unique_operation_names(Context& context) {
  std::unordered_map<std::string_view, std::uint32_t> seen;
  for (const OperationDefinition& operation : context.document.operations) {
    if (operation.name.empty()) continue;
    auto [at, inserted] = seen.emplace(operation.name, operation.offset);
    if (!inserted) {
      context.report(fmt::format("There can be only one operation named \"{}\".", operation.name),
                     {at->second, operation.offset});
    }
  }
}

void lone_anonymous_operation(Context& context) {
  const auto& operations = context.document.operations;
  if (operations.size() < 2) return;
  for (const OperationDefinition& operation : operations) {
    if (operation.name.empty()) {
      context.report("This anonymous operation must be the only defined operation.",
                     {operation.offset});
    }
  }
}

void unique_fragment_names(Context& context) {
  const auto& fragments = context.document.fragments;
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    const Context::FragmentEntry* first = nullptr;
    auto found = context.fragment_index.find(fragments[i].name);
    if (found != context.fragment_index.end()) first = &found->second;
    if (first != nullptr && first->number != static_cast<int>(i)) {
      context.report(fmt::format("There can be only one fragment named \"{}\".", fragments[i].name),
                     {first->definition->offset, fragments[i].offset});
    }
  }
}

// Fragments reached from any operation through spreads (transitively); those not reached are
// unused.
void fragments_used(Context& context) {
  const auto& fragments = context.document.fragments;
  std::vector<bool> reached(fragments.size(), false);
  std::vector<int> pending;
  auto reach = [&](const DefinitionUses& uses) {
    for (std::string_view name : uses.spreads) {
      int number = context.fragment_number(name);
      if (number >= 0 && !reached[number]) {
        reached[number] = true;
        pending.push_back(number);
      }
    }
  };
  for (const DefinitionUses& uses : context.operation_uses) reach(uses);
  while (!pending.empty()) {
    int number = pending.back();
    pending.pop_back();
    reach(context.fragment_uses[number]);
  }
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    // A duplicate name is reported by unique_fragment_names; only the first counts here.
    if (context.fragment_number(fragments[i].name) != static_cast<int>(i)) continue;
    if (!reached[i]) {
      context.report(fmt::format("Fragment \"{}\" is never used.", fragments[i].name),
                     {fragments[i].offset});
    }
  }
}

// Depth-first over the spread graph with an explicit stack (a chain of thousands of fragments
// must not grow the thread's stack); an edge back to a fragment on the current path is a cycle.
void no_fragment_cycles(Context& context) {
  const auto& fragments = context.document.fragments;
  enum class Mark : std::uint8_t { kNew, kOnPath, kDone };
  std::vector<Mark> marks(fragments.size(), Mark::kNew);
  struct Frame {
    int number;
    std::size_t next_spread;
  };
  std::vector<Frame> path;
  for (std::size_t start = 0; start < fragments.size(); ++start) {
    if (marks[start] != Mark::kNew) continue;
    marks[start] = Mark::kOnPath;
    path.push_back({static_cast<int>(start), 0});
    while (!path.empty()) {
      Frame& frame = path.back();
      const auto& spreads = context.fragment_uses[frame.number].spreads;
      if (frame.next_spread >= spreads.size()) {
        marks[frame.number] = Mark::kDone;
        path.pop_back();
        continue;
      }
      std::string_view name = spreads[frame.next_spread++];
      int target = context.fragment_number(name);
      if (target < 0) continue;
      if (marks[target] == Mark::kOnPath) {
        context.has_fragment_cycle = true;
        std::string via;
        bool in_cycle = false;
        for (const Frame& step : path) {
          if (step.number == target) in_cycle = true;
          if (in_cycle && step.number != target) {
            via += via.empty() ? "" : ", ";
            via += fmt::format("\"{}\"", fragments[step.number].name);
          }
        }
        context.report(
            via.empty()
                ? fmt::format("Cannot spread fragment \"{}\" within itself.", name)
                : fmt::format("Cannot spread fragment \"{}\" within itself via {}.", name, via),
            {fragments[target].offset});
        continue;
      }
      if (marks[target] == Mark::kNew) {
        marks[target] = Mark::kOnPath;
        path.push_back({target, 0});
      }
    }
  }
}

}  // namespace

void check_document_rules(Context& context) {
  unique_operation_names(context);
  lone_anonymous_operation(context);
  unique_fragment_names(context);
  no_fragment_cycles(context);
  fragments_used(context);
}

}  // namespace basalt::graphql::validation
