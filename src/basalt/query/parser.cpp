#include "basalt/query/parser.hpp"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "basalt/query/functions.hpp"
#include "basalt/query/identifier.hpp"
#include "basalt/query/lexer.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/text_scan.hpp"

namespace basalt::query {
namespace {

constexpr std::string_view kOperatorList =
    "=, !=, >, >=, <, <=, ~, !~ or one of them prefixed with ?";

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != b[i]) return false;
  }
  return true;
}

bool is_operand_start(TokenKind kind) noexcept {
  return kind == TokenKind::kIdentifier || kind == TokenKind::kFunction ||
         kind == TokenKind::kText || kind == TokenKind::kNumber;
}

std::uint8_t arg_kind(const Operand& operand) noexcept {
  if (std::holds_alternative<Text>(operand.value)) return kArgText;
  if (std::holds_alternative<Number>(operand.value)) return kArgNumber;
  if (std::holds_alternative<FunctionCall>(operand.value)) return kArgCall;
  return kArgIdentifier;  // Identifier, Null, Bool, Macro: written as identifiers
}

SourceRange span(std::uint32_t begin, std::uint32_t end) noexcept {
  return {begin, end - begin};
}

class Parser {
 public:
  Parser(std::string_view source, const ParseLimits& limits, Arena& arena)
      : lexer_(source), limits_(limits), arena_(arena) {}

  const Expr* parse() {
    advance();
    if (current_.kind == TokenKind::kEnd) {
      fail(ParseErrorCode::kEmpty, current_.offset, "empty filter: expected a comparison");
    }
    Expr root = parse_or();
    if (current_.kind == TokenKind::kCloseParen) {
      fail(ParseErrorCode::kUnbalancedParenthesis, current_.offset, "')' without a matching '('");
    }
    if (current_.kind != TokenKind::kEnd) {
      fail(ParseErrorCode::kUnexpectedToken, current_.offset,
           "expected && or || between comparisons, found " + describe(current_));
    }
    return arena_.make<Expr>(root);
  }

  std::size_t leaves() const noexcept { return leaves_; }

 private:
  void advance() { current_ = lexer_.next(); }

  Expr parse_or() {
    std::size_t mark = exprs_.size();
    exprs_.push_back(parse_and());
    while (current_.kind == TokenKind::kOr) {
      advance();
      exprs_.push_back(parse_and());
    }
    return finish_logical(LogicalOp::kOr, mark);
  }

  Expr parse_and() {
    std::size_t mark = exprs_.size();
    exprs_.push_back(parse_primary());
    while (current_.kind == TokenKind::kAnd) {
      advance();
      exprs_.push_back(parse_primary());
    }
    return finish_logical(LogicalOp::kAnd, mark);
  }

  // Pops the expressions pushed since `mark`: one stays itself, more become one Logical.
  Expr finish_logical(LogicalOp op, std::size_t mark) {
    std::size_t count = exprs_.size() - mark;
    if (count == 1) {
      Expr only = exprs_.back();
      exprs_.pop_back();
      return only;
    }
    auto children = arena_.copy(std::span<const Expr>(exprs_.data() + mark, count));
    exprs_.erase(exprs_.begin() + static_cast<std::ptrdiff_t>(mark), exprs_.end());
    Expr expr;
    expr.range = span(children.front().range.offset, children.back().range.end());
    expr.node = Logical{op, static_cast<std::uint32_t>(count), children.data()};
    return expr;
  }

  Expr parse_primary() {
    if (current_.kind != TokenKind::kOpenParen) return parse_comparison();
    Token open = current_;
    if (++depth_ > limits_.max_depth) {
      fail(ParseErrorCode::kTooDeep, open.offset,
           "parentheses nest deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    advance();
    Expr inner = parse_or();
    if (current_.kind == TokenKind::kEnd) {
      fail(ParseErrorCode::kUnbalancedParenthesis, current_.offset,
           "missing ')' to close the '(' at position " + std::to_string(open.offset));
    }
    if (current_.kind != TokenKind::kCloseParen) {
      fail(ParseErrorCode::kUnexpectedToken, current_.offset,
           "expected &&, || or ')', found " + describe(current_));
    }
    inner.range = span(open.offset, current_.offset + 1);
    --depth_;
    advance();
    return inner;
  }

  Expr parse_comparison() {
    if (!is_operand_start(current_.kind)) {
      fail(ParseErrorCode::kUnexpectedToken, current_.offset,
           "expected a comparison or '(', found " + describe(current_));
    }
    if (++leaves_ > limits_.max_leaves) {
      fail(ParseErrorCode::kTooManyLeaves, current_.offset,
           "too many comparisons: at most " + std::to_string(limits_.max_leaves) + " allowed");
    }
    Comparison comparison;
    comparison.left = parse_operand();
    if (current_.kind != TokenKind::kOperator) {
      fail(
          ParseErrorCode::kUnexpectedToken, current_.offset,
          "expected an operator (" + std::string(kOperatorList) + "), found " + describe(current_));
    }
    comparison.op = current_.op;
    Token op = current_;
    advance();
    if (!is_operand_start(current_.kind)) {
      fail(ParseErrorCode::kUnexpectedToken, current_.offset,
           "expected an identifier, function, text or number after '" + std::string(op.text) +
               "', found " + describe(current_));
    }
    comparison.right = parse_operand();
    Expr expr;
    expr.range = span(comparison.left.range.offset, comparison.right.range.end());
    expr.node = comparison;
    return expr;
  }

  // Precondition: is_operand_start(current_.kind).
  Operand parse_operand() {
    Token token = current_;
    advance();
    switch (token.kind) {
      case TokenKind::kText:
        return {token.range(), Text{text_value(token, arena_)}};
      case TokenKind::kNumber:
        return {token.range(), Number{token.number}};
      case TokenKind::kFunction:
        return parse_call(token);
      default:
        return identifier_operand(token);
    }
  }

  Operand identifier_operand(const Token& token) {
    if (auto macro = find_macro(token.text)) return {token.range(), *macro};
    if (iequals(token.text, "null")) return {token.range(), Null{}};
    if (iequals(token.text, "true")) return {token.range(), Bool{true}};
    if (iequals(token.text, "false")) return {token.range(), Bool{false}};
    return {token.range(), parse_identifier(token.text, token.offset, arena_)};
  }

  // `name` is the kFunction token; current_ is the token after its `(`.
  Operand parse_call(const Token& name) {
    const FunctionSignature* function = find_function(name.text);
    if (function == nullptr) {
      fail(ParseErrorCode::kUnknownFunction, name.offset,
           "unknown function '" + std::string(name.text) + "'; expected geoDistance or strftime");
    }
    if (++function_depth_ > kMaxFunctionDepth) {
      fail(ParseErrorCode::kTooDeep, name.offset,
           "function calls nest deeper than " + std::to_string(kMaxFunctionDepth) + " levels");
    }
    std::size_t mark = args_.size();
    bool want_arg = true;  // after `(` or `,`
    while (current_.kind != TokenKind::kCloseParen) {
      if (current_.kind == TokenKind::kEnd) {
        fail(ParseErrorCode::kUnbalancedParenthesis, current_.offset,
             "missing ')' to close the call of " + std::string(name.text) + "() at position " +
                 std::to_string(name.offset));
      }
      if (!want_arg) {
        fail(ParseErrorCode::kUnexpectedToken, current_.offset,
             "expected ',' or ')' after an argument of " + std::string(name.text) + "(), found " +
                 describe(current_));
      }
      if (!is_operand_start(current_.kind)) {
        fail(ParseErrorCode::kUnexpectedToken, current_.offset,
             "expected an argument of " + std::string(name.text) +
                 "() (identifier, function, text or number) or ')', found " + describe(current_));
      }
      args_.push_back(parse_operand());
      want_arg = current_.kind == TokenKind::kComma;
      if (want_arg) advance();
    }
    std::uint32_t end = current_.offset + 1;
    advance();
    --function_depth_;

    std::size_t count = args_.size() - mark;
    if (count < function->min_args || count > function->max_args) {
      std::string expected =
          function->min_args == function->max_args
              ? std::to_string(function->min_args)
              : std::to_string(function->min_args) + " to " + std::to_string(function->max_args);
      fail(ParseErrorCode::kFunctionArity, name.offset,
           std::string(name.text) + "() takes " + expected + " arguments, got " +
               std::to_string(count));
    }
    for (std::size_t i = 0; i < count; ++i) {
      const Operand& arg = args_[mark + i];
      if (!(arg_kind(arg) & function->accepts(i))) {
        fail(ParseErrorCode::kFunctionArgument, arg.range.offset,
             "argument " + std::to_string(i + 1) + " of " + std::string(name.text) + "() must be " +
                 describe_arg_kinds(function->accepts(i)));
      }
    }
    auto args = arena_.copy(std::span<const Operand>(args_.data() + mark, count));
    args_.erase(args_.begin() + static_cast<std::ptrdiff_t>(mark), args_.end());
    return {span(name.offset, end),
            FunctionCall{function->function, static_cast<std::uint32_t>(count), args.data()}};
  }

  Lexer lexer_;
  const ParseLimits& limits_;
  Arena& arena_;
  Token current_;
  std::vector<Expr> exprs_;    // children of the Logical nodes being built
  std::vector<Operand> args_;  // arguments of the calls being built
  std::size_t leaves_ = 0;
  std::size_t depth_ = 0;
  int function_depth_ = 0;
};

}  // namespace

Ast parse_filter(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_length) {
    fail(ParseErrorCode::kTooLong, limits.max_length,
         "filter is longer than " + std::to_string(limits.max_length) + " bytes");
  }
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
    fail(ParseErrorCode::kTooLong, std::numeric_limits<std::uint32_t>::max(),
         "filter is longer than 4 GiB");
  }
  // The first block holds the source copy and, for typical filters, every node; filters of
  // many short comparisons (`a=1&&b=2...`) grow the arena a few times.
  Arena arena(256 + text.size() * 16);
  std::string_view source = arena.copy(text);
  Parser parser(source, limits, arena);
  const Expr* root = parser.parse();
  std::size_t leaves = parser.leaves();
  return Ast(std::move(arena), source, root, leaves);
}

}  // namespace basalt::query
