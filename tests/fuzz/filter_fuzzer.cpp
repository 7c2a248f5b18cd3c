// libFuzzer target for the filter language (DESIGN.md §7): parse_filter and parse_sort on
// arbitrary bytes must return a well-formed result or throw ParseError, never crash, hang,
// leak or trip a sanitizer. Every returned tree is walked and checked against the invariants
// ast.hpp promises, so a parser bug that builds a bad tree fails here too.
//
// The lead extends this to resolve + compile once those exist.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "basalt/query/functions.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/sort.hpp"

namespace {

using namespace basalt::query;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

void require(bool condition, const char* what) {
  if (!condition) violated(what);
}

void check_range(SourceRange range, std::string_view source) {
  require(range.offset <= source.size() && range.length <= source.size() - range.offset,
          "node range inside the source");
}

void check_identifier(const Identifier& identifier, std::string_view source) {
  bool bare = identifier.root == IdentifierRoot::kRequestContext ||
              identifier.root == IdentifierRoot::kRequestMethod;
  require(bare == identifier.path().empty(), "path empty exactly for context/method");
  require(!bare || identifier.modifier == Modifier::kNone, "no modifier on context/method");
  for (std::string_view segment : identifier.path()) {
    require(!segment.empty(), "no empty path segment");
    require(segment.find_first_of(".:") == std::string_view::npos, "segments are split");
    require(segment.data() >= source.data() &&
                segment.data() + segment.size() <= source.data() + source.size(),
            "segments point into the Ast's source");
  }
  require((identifier.root == IdentifierRoot::kCollection) == !identifier.collection.empty(),
          "collection name exactly for @collection");
}

void check_operand(const Operand& operand, std::string_view source, int call_depth) {
  check_range(operand.range, source);
  if (const auto* identifier = std::get_if<Identifier>(&operand.value)) {
    check_identifier(*identifier, source);
  } else if (const auto* call = std::get_if<FunctionCall>(&operand.value)) {
    require(call_depth < kMaxFunctionDepth, "calls nest at most kMaxFunctionDepth levels");
    const FunctionSignature& function = signature(call->function);
    require(call->args().size() >= function.min_args && call->args().size() <= function.max_args,
            "call arity matches the signature");
    for (const Operand& arg : call->args()) check_operand(arg, source, call_depth + 1);
  }
}

std::size_t check_expr(const Expr& expr, std::string_view source, std::size_t depth,
                       std::size_t max_depth) {
  require(depth <= 2 * max_depth + 2, "tree depth bounded by the parenthesis limit");
  check_range(expr.range, source);
  if (const auto* comparison = std::get_if<Comparison>(&expr.node)) {
    check_operand(comparison->left, source, 0);
    check_operand(comparison->right, source, 0);
    return 1;
  }
  const auto& logical = std::get<Logical>(expr.node);
  require(logical.children().size() >= 2, "logical nodes have two children or more");
  std::size_t leaves = 0;
  for (const Expr& child : logical.children()) {
    if (const auto* inner = std::get_if<Logical>(&child.node)) {
      // A child of the same operator only comes from parentheses, which widen its range.
      require(inner->op != logical.op || source[child.range.offset] == '(',
              "same-operator children come from parentheses");
      // && binds tighter: an unparenthesised || never sits under an &&.
      require(logical.op != LogicalOp::kAnd || inner->op != LogicalOp::kOr ||
                  source[child.range.offset] == '(',
              "precedence");
    }
    leaves += check_expr(child, source, depth + 1, max_depth);
  }
  return leaves;
}

void fuzz_filter(std::string_view text, const ParseLimits& limits) {
  try {
    Ast ast = parse_filter(text, limits);
    require(ast.source() == text, "the Ast keeps a copy of the text");
    require(text.size() <= limits.max_length, "length limit");
    std::size_t leaves = check_expr(ast.root(), ast.source(), 0, limits.max_depth);
    require(leaves == ast.leaf_count(), "leaf_count counts comparisons");
    require(leaves <= limits.max_leaves, "leaf limit");
    require(!to_string(ast).empty(), "printable");
  } catch (const ParseError& error) {
    require(error.position() <= std::max(text.size(), limits.max_length), "error position");
    require(!error.message().empty(), "error message");
  }
}

void fuzz_sort(std::string_view text) {
  try {
    Sort sort = parse_sort(text);
    require(sort.fields().size() <= kMaxSortFields, "sort field limit");
    for (const SortField& field : sort.fields()) {
      check_range(field.range, sort.source());
      require(field.range.length <= kMaxSortFieldLength, "sort field length limit");
      if (field.kind == SortKind::kField) check_identifier(field.identifier, sort.source());
    }
    to_string(sort);
  } catch (const ParseError& error) {
    require(error.position() <= text.size(), "sort error position");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_filter(text, ParseLimits::client_filter());
  // Rules: no length limit; a tight depth so deep nesting is reached with short inputs too.
  fuzz_filter(text, ParseLimits{ParseLimits::kUnlimited, 200, 8});
  fuzz_sort(text);
  return 0;
}
