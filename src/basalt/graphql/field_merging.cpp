// Field selection merging (5.3.2): fields that share a response name in one selection set
// (fragments expanded) must be the same field with the same arguments, unless their parents are
// different object types (then they are mutually exclusive), and must in every case have
// results of the same shape; and so on down, with the merged subselections.
//
// How: one level at a time. The fields of a level are grouped by response name and each pair of
// a group compared; the subselections of a whole group then form the next level's set. A field
// carries its ancestry (the parent type of each field above it that was an object), so two
// fields below a mutually exclusive pair stay exclusive, as the specification's pairwise
// recursion has it. Fields that are the same field under the same parent, ancestry and arguments
// are compared once (ancestry nodes are interned, so this holds for their children too): a
// thousand `id`s cost a thousand steps, not half a million. Every comparison (finding the
// representatives included) is one unit of Limits::max_merge_comparisons; crossing it is a
// limit-exceeded error. Runs only on documents within the other Limits and without fragment
// cycles, so the expanded tree is finite and bounded by Limits::max_fields.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "basalt/graphql/validation_context.hpp"

namespace basalt::graphql::validation {

namespace {

struct Collected {
  const Selection* field;
  const TypeDef* parent;       // null when unknown
  const FieldDef* definition;  // null when unknown
  std::uint32_t ancestry;      // index into FieldMerging::ancestry_
};

struct AncestryNode {
  std::uint32_t up;
  const TypeDef* object_parent;  // the parent of the field above, when it is an object type
};

struct BudgetSpent {};

bool same_arguments(std::span<const Argument> a, std::span<const Argument> b) {
  if (a.size() != b.size()) return false;
  for (const Argument& argument : a) {
    auto match = std::find_if(b.begin(), b.end(),
                              [&](const Argument& other) { return other.name == argument.name; });
    if (match == b.end() || !same_value(argument.value, match->value)) return false;
  }
  return true;
}

// SameResponseShape for one level: the wrappers and, for leaves, the named type agree.
bool same_shape(TypeView a, TypeView b) {
  while (true) {
    if (a.non_null() || b.non_null()) {
      if (!(a.non_null() && b.non_null())) return false;
      a = a.inner();
      b = b.inner();
      continue;
    }
    if (a.list() || b.list()) {
      if (!(a.list() && b.list())) return false;
      a = a.inner();
      b = b.inner();
      continue;
    }
    if (a.named->is_leaf() || b.named->is_leaf()) return a.named == b.named;
    return true;
  }
}

bool is_object(const TypeDef* type) {
  return type != nullptr && type->kind == TypeKind::kObject;
}

class FieldMerging {
 public:
  explicit FieldMerging(Context& context) : context_(context) { ancestry_.push_back({0, nullptr}); }

  void check(const TypeDef* root, std::span<const Selection> selections) {
    std::vector<Collected> level;
    collect(root, selections, 0, level);
    merge(level);
  }

 private:
  void collect(const TypeDef* parent, std::span<const Selection> selections, std::uint32_t ancestry,
               std::vector<Collected>& out) {
    for (const Selection& selection : selections) {
      switch (selection.kind) {
        case Selection::Kind::kField: {
          const FieldDef* definition = nullptr;
          if (parent != nullptr) {
            definition = parent->find_field(selection.name);
            if (definition == nullptr)
              definition = context_.schema.meta_field(*parent, selection.name);
          }
          out.push_back({&selection, parent, definition, ancestry});
          break;
        }
        case Selection::Kind::kInlineFragment: {
          const TypeDef* type = parent;
          if (!selection.name.empty()) type = context_.schema.find_type(selection.name);
          collect(type, selection.selections, ancestry, out);
          break;
        }
        case Selection::Kind::kFragmentSpread: {
          const FragmentDefinition* fragment = context_.fragment(selection.name);
          if (fragment == nullptr) break;
          collect(context_.schema.find_type(fragment->type_condition), fragment->selections,
                  ancestry, out);
          break;
        }
      }
    }
  }

  bool exclusive(const Collected& a, const Collected& b) const {
    if (a.parent != b.parent && is_object(a.parent) && is_object(b.parent)) return true;
    std::uint32_t x = a.ancestry;
    std::uint32_t y = b.ancestry;
    while (x != y) {
      const AncestryNode& nx = ancestry_[x];
      const AncestryNode& ny = ancestry_[y];
      if (nx.object_parent != nullptr && ny.object_parent != nullptr &&
          nx.object_parent != ny.object_parent) {
        return true;
      }
      x = nx.up;
      y = ny.up;
    }
    return false;
  }

  void conflict(const Collected& a, const Collected& b, const std::string& reason) {
    context_.report(fmt::format("Fields \"{}\" conflict because {}. Use different aliases on the "
                                "fields to fetch both if this was intentional.",
                                a.field->response_name(), reason),
                    {a.field->offset, b.field->offset});
  }

  void spend(const Collected& at) {
    if (++comparisons_ > context_.limits.max_merge_comparisons) {
      context_.report(fmt::format("Checking that the document's fields merge needs more than {} "
                                  "comparisons.",
                                  context_.limits.max_merge_comparisons),
                      {at.field->offset}, ErrorCode::kLimitExceeded);
      throw BudgetSpent{};
    }
  }

  // The same field under the same parent and ancestry with the same arguments: whatever `a`
  // is compared with, `b` gives the same answer, so only one of them is compared.
  static bool equivalent(const Collected& a, const Collected& b) {
    return a.ancestry == b.ancestry && a.parent == b.parent && a.field->name == b.field->name &&
           same_arguments(a.field->arguments, b.field->arguments);
  }

  // Ancestry nodes are interned by value, so the children of equivalent fields share theirs and
  // stay equivalent one level down.
  std::uint32_t ancestry_node(std::uint32_t up, const TypeDef* object_parent) {
    auto [at, added] = ancestry_index_.try_emplace({up, object_parent},
                                                   static_cast<std::uint32_t>(ancestry_.size()));
    if (added) ancestry_.push_back({up, object_parent});
    return at->second;
  }

  void compare(const Collected& a, const Collected& b) {
    spend(a);
    if (!exclusive(a, b)) {
      if (a.field->name != b.field->name) {
        conflict(
            a, b,
            fmt::format("\"{}\" and \"{}\" are different fields", a.field->name, b.field->name));
        return;
      }
      if (!same_arguments(a.field->arguments, b.field->arguments)) {
        conflict(a, b, "they have differing arguments");
        return;
      }
    }
    if (a.definition != nullptr && b.definition != nullptr &&
        !same_shape(view(a.definition->type), view(b.definition->type))) {
      conflict(a, b,
               fmt::format("they return conflicting types \"{}\" and \"{}\"",
                           a.definition->type.to_string(), b.definition->type.to_string()));
    }
  }

  void merge(std::vector<Collected>& level) {
    std::stable_sort(level.begin(), level.end(), [](const Collected& a, const Collected& b) {
      return a.field->response_name() < b.field->response_name();
    });
    for (std::size_t begin = 0; begin < level.size();) {
      std::size_t end = begin + 1;
      while (end < level.size() &&
             level[end].field->response_name() == level[begin].field->response_name()) {
        ++end;
      }
      // One representative per class of equivalent fields; the pairs are compared among those.
      std::vector<std::size_t> representatives;
      for (std::size_t i = begin; i < end; ++i) {
        bool seen = false;
        for (std::size_t r : representatives) {
          spend(level[i]);
          if (equivalent(level[r], level[i])) {
            seen = true;
            break;
          }
        }
        if (!seen) representatives.push_back(i);
      }
      for (std::size_t i = 0; i < representatives.size(); ++i) {
        for (std::size_t j = i + 1; j < representatives.size(); ++j) {
          compare(level[representatives[i]], level[representatives[j]]);
        }
      }
      // Every field's subselections (not only the representatives') form the next level.
      std::vector<Collected> below;
      for (std::size_t i = begin; i < end; ++i) {
        const Collected& field = level[i];
        if (field.field->selections.empty()) continue;
        std::uint32_t node =
            ancestry_node(field.ancestry, is_object(field.parent) ? field.parent : nullptr);
        const TypeDef* type = field.definition != nullptr ? field.definition->type.named : nullptr;
        collect(type != nullptr && type->is_composite() ? type : nullptr, field.field->selections,
                node, below);
      }
      if (!below.empty()) merge(below);
      begin = end;
    }
  }

  Context& context_;
  std::vector<AncestryNode> ancestry_;
  std::map<std::pair<std::uint32_t, const TypeDef*>, std::uint32_t> ancestry_index_;
  std::size_t comparisons_ = 0;
};

}  // namespace

void check_field_merging(Context& context) {
  FieldMerging merging(context);
  try {
    for (const OperationDefinition& operation : context.document.operations) {
      merging.check(context.schema.root(operation.type), operation.selections);
    }
  } catch (const BudgetSpent&) {
  }
}

}  // namespace basalt::graphql::validation
