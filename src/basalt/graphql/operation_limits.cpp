// The Limits that need fragments expanded, per operation: fields, aliases, field depth and
// fragment spreads, counted over the operation's selections with every spread replaced by its
// fragment (a spread of a fragment already on the current path is a cycle, reported by
// 5.5.2.2, and not followed). The walk stops at the first limit crossed, so its work is bounded
// by the limits themselves, whatever the document.
//
// The subtrees of the introspection root fields (__schema, __type) are exempt from max_depth:
// the standard introspection query of graphql-js nests its type references deeper than the
// default depth, and what those fields read is the schema, not data. They still count for the
// fields, aliases and spreads limits, the parser's nesting limit bounds their depth, and the
// executor bounds the size of their answer (introspection.hpp).
#include <fmt/format.h>

#include <vector>

#include "basalt/graphql/validation_context.hpp"

namespace basalt::graphql::validation {

namespace {

struct LimitCrossed {};

class OperationCounter {
 public:
  explicit OperationCounter(Context& context)
      : context_(context), on_path_(context.document.fragments.size(), false) {}

  void count(std::span<const Selection> selections, std::uint32_t depth, bool meta = false) {
    for (const Selection& selection : selections) {
      switch (selection.kind) {
        case Selection::Kind::kField:
          if (!meta && depth > context_.limits.max_depth) {
            cross(selection.offset, fmt::format("The operation selects fields deeper than {} "
                                                "levels (fragments expanded).",
                                                context_.limits.max_depth));
          }
          if (++fields_ > context_.limits.max_fields) {
            cross(selection.offset, fmt::format("The operation selects more than {} fields "
                                                "(fragments expanded).",
                                                context_.limits.max_fields));
          }
          if (!selection.alias.empty() && ++aliases_ > context_.limits.max_aliases) {
            cross(selection.offset, fmt::format("The operation uses more than {} aliases "
                                                "(fragments expanded).",
                                                context_.limits.max_aliases));
          }
          count(
              selection.selections, depth + 1,
              meta || (depth == 1 && (selection.name == "__schema" || selection.name == "__type")));
          break;
        case Selection::Kind::kInlineFragment:
          count(selection.selections, depth, meta);
          break;
        case Selection::Kind::kFragmentSpread: {
          if (++spreads_ > context_.limits.max_fragment_spreads) {
            cross(selection.offset, fmt::format("The operation expands more than {} fragment "
                                                "spreads.",
                                                context_.limits.max_fragment_spreads));
          }
          int number = context_.fragment_number(selection.name);
          if (number < 0 || on_path_[number]) break;
          on_path_[number] = true;
          count(context_.document.fragments[number].selections, depth, meta);
          on_path_[number] = false;
          break;
        }
      }
    }
  }

 private:
  [[noreturn]] void cross(std::uint32_t offset, std::string message) {
    context_.report(std::move(message), {offset}, ErrorCode::kLimitExceeded);
    throw LimitCrossed{};
  }

  Context& context_;
  std::vector<bool> on_path_;
  std::size_t fields_ = 0;
  std::size_t aliases_ = 0;
  std::size_t spreads_ = 0;
};

}  // namespace

bool check_operation_limits(Context& context) {
  bool within = true;
  for (const OperationDefinition& operation : context.document.operations) {
    OperationCounter counter(context);
    try {
      counter.count(operation.selections, 1);
    } catch (const LimitCrossed&) {
      within = false;
    }
  }
  return within;
}

}  // namespace basalt::graphql::validation
