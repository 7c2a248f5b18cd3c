#include "basalt/graphql/parser.hpp"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "basalt/graphql/lexer.hpp"

namespace basalt::graphql {

namespace {

bool is_type_system_keyword(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kKeywords = {
      "schema", "scalar", "type", "interface", "union", "enum", "input", "directive", "extend"};
  for (std::string_view keyword : kKeywords) {
    if (name == keyword) return true;
  }
  return false;
}

// Lists are gathered on per-kind stacks and copied into the arena when complete; a nested list
// of the same kind is pushed and popped above the outer one's items, so one stack serves every
// level and the parser allocates on the heap only while a stack grows.
template <typename T>
std::span<const T> take(std::vector<T>& stack, std::size_t from, query::Arena& arena) {
  std::span<const T> items =
      arena.copy(std::span<const T>(stack.data() + from, stack.size() - from));
  stack.resize(from);
  return items;
}

class Parser {
 public:
  Parser(std::string_view source, const Limits& limits, query::Arena& arena)
      : lexer_(source, arena, limits.max_tokens), arena_(arena), limits_(limits) {
    advance();
  }

  void parse(Document& document) {
    if (token_.kind == TokenKind::kEnd) fail_unexpected();
    while (token_.kind != TokenKind::kEnd) parse_definition();
    document.operations = take(operations_, 0, arena_);
    document.fragments = take(fragments_, 0, arena_);
  }

 private:
  void advance() { token_ = lexer_.next(); }

  [[noreturn]] void fail(std::uint32_t at, std::string message) {
    throw ParseFailure{Error{ErrorCode::kParseFailed, "Syntax Error: " + std::move(message), {at}}};
  }

  [[noreturn]] void fail_limit(std::uint32_t at, std::string message) {
    throw ParseFailure{Error{ErrorCode::kLimitExceeded, std::move(message), {at}}};
  }

  std::string describe(const Token& token) {
    switch (token.kind) {
      case TokenKind::kEnd:
        return "<EOF>";
      case TokenKind::kName:
        return fmt::format("Name \"{}\"", token.text);
      case TokenKind::kInt:
      case TokenKind::kFloat:
        return fmt::format("{} \"{}\"", token_kind_text(token.kind), token.text);
      case TokenKind::kString:
        return token.block ? "BlockString" : "String";
      default:
        return fmt::format("\"{}\"", token_kind_text(token.kind));
    }
  }

  [[noreturn]] void fail_unexpected() {
    fail(token_.offset, "Unexpected " + describe(token_) + ".");
  }

  [[noreturn]] void fail_expected(std::string_view what) {
    fail(token_.offset, fmt::format("Expected {}, found {}.", what, describe(token_)));
  }

  bool peek(TokenKind kind) const { return token_.kind == kind; }

  bool skip(TokenKind kind) {
    if (token_.kind != kind) return false;
    advance();
    return true;
  }

  Token expect(TokenKind kind) {
    if (token_.kind != kind) fail_expected(fmt::format("\"{}\"", token_kind_text(kind)));
    Token taken = token_;
    advance();
    return taken;
  }

  Token expect_name() {
    if (token_.kind != TokenKind::kName) fail_expected("Name");
    Token taken = token_;
    advance();
    return taken;
  }

  bool peek_keyword(std::string_view keyword) const {
    return token_.kind == TokenKind::kName && token_.text == keyword;
  }

  // Entered before every recursive descent; the matching leave() runs on the way out.
  void enter(std::uint32_t at) {
    if (++nesting_ > limits_.max_nesting) {
      fail_limit(at, fmt::format("The document nests deeper than {} levels.", limits_.max_nesting));
    }
  }
  void leave() { --nesting_; }

  void parse_definition() {
    if (peek(TokenKind::kBraceL)) {
      OperationDefinition operation;
      operation.offset = token_.offset;
      operation.selections = parse_selection_set(1);
      operations_.push_back(operation);
      return;
    }
    if (peek(TokenKind::kString)) {
      throw ParseFailure{Error{ErrorCode::kValidationFailed,
                               "A description belongs to a type-system definition, which is not "
                               "executable; only operations and fragments can be sent.",
                               {token_.offset}}};
    }
    if (token_.kind == TokenKind::kName) {
      if (token_.text == "query" || token_.text == "mutation" || token_.text == "subscription") {
        parse_operation();
        return;
      }
      if (token_.text == "fragment") {
        parse_fragment();
        return;
      }
      if (is_type_system_keyword(token_.text)) {
        throw ParseFailure{Error{ErrorCode::kValidationFailed,
                                 fmt::format("The \"{}\" definition is not executable; only "
                                             "operations and fragments can be sent.",
                                             token_.text),
                                 {token_.offset}}};
      }
    }
    fail_unexpected();
  }

  void parse_operation() {
    OperationDefinition operation;
    operation.offset = token_.offset;
    operation.type = token_.text == "query"      ? OperationType::kQuery
                     : token_.text == "mutation" ? OperationType::kMutation
                                                 : OperationType::kSubscription;
    advance();
    if (peek(TokenKind::kName)) operation.name = expect_name().text;
    if (peek(TokenKind::kParenL)) operation.variables = parse_variable_definitions();
    operation.directives = parse_directives(false);
    operation.selections = parse_selection_set(1);
    operations_.push_back(operation);
  }

  void parse_fragment() {
    FragmentDefinition fragment;
    fragment.offset = token_.offset;
    advance();
    if (peek_keyword("on")) fail_unexpected();
    fragment.name = expect_name().text;
    if (!peek_keyword("on")) fail_expected("\"on\"");
    advance();
    Token condition = expect_name();
    fragment.type_condition = condition.text;
    fragment.type_condition_offset = condition.offset;
    fragment.directives = parse_directives(false);
    fragment.selections = parse_selection_set(1);
    fragments_.push_back(fragment);
  }

  std::span<const VariableDefinition> parse_variable_definitions() {
    expect(TokenKind::kParenL);
    std::size_t from = variables_.size();
    do {
      VariableDefinition variable;
      variable.offset = token_.offset;
      expect(TokenKind::kDollar);
      variable.name = expect_name().text;
      expect(TokenKind::kColon);
      variable.type = parse_type();
      if (skip(TokenKind::kEquals)) variable.default_value = arena_.make<Value>(parse_value(true));
      variable.directives = parse_directives(true);
      variables_.push_back(variable);
    } while (!skip(TokenKind::kParenR));
    return take(variables_, from, arena_);
  }

  const TypeNode* parse_type() {
    TypeNode type;
    type.offset = token_.offset;
    if (skip(TokenKind::kBracketL)) {
      enter(type.offset);
      type.kind = TypeNode::Kind::kList;
      type.of_type = parse_type();
      expect(TokenKind::kBracketR);
      leave();
    } else {
      type.name = expect_name().text;
    }
    const TypeNode* parsed = arena_.make<TypeNode>(type);
    if (peek(TokenKind::kBang)) {
      TypeNode non_null;
      non_null.kind = TypeNode::Kind::kNonNull;
      non_null.offset = type.offset;
      non_null.of_type = parsed;
      advance();
      parsed = arena_.make<TypeNode>(non_null);
    }
    return parsed;
  }

  // `field_depth` is the depth of the fields this set selects (1 for an operation's).
  std::span<const Selection> parse_selection_set(std::uint32_t field_depth) {
    if (!peek(TokenKind::kBraceL)) fail_expected("\"{\"");
    enter(token_.offset);
    advance();
    std::size_t from = selections_.size();
    do {
      Selection selection = peek(TokenKind::kSpread) ? parse_fragment_selection(field_depth)
                                                     : parse_field(field_depth);
      selections_.push_back(selection);
    } while (!skip(TokenKind::kBraceR));
    leave();
    return take(selections_, from, arena_);
  }

  Selection parse_field(std::uint32_t field_depth) {
    Selection field;
    field.kind = Selection::Kind::kField;
    field.offset = token_.offset;
    field.name = expect_name().text;
    if (skip(TokenKind::kColon)) {
      field.alias = field.name;
      field.name = expect_name().text;
    }
    if (peek(TokenKind::kParenL)) field.arguments = parse_arguments(false);
    field.directives = parse_directives(false);
    if (peek(TokenKind::kBraceL)) {
      if (field_depth + 1 > limits_.max_depth) {
        fail_limit(token_.offset,
                   fmt::format("The query is deeper than {} levels of fields.", limits_.max_depth));
      }
      field.selections = parse_selection_set(field_depth + 1);
    }
    return field;
  }

  Selection parse_fragment_selection(std::uint32_t field_depth) {
    Selection selection;
    selection.offset = token_.offset;
    expect(TokenKind::kSpread);
    if (peek(TokenKind::kName) && token_.text != "on") {
      selection.kind = Selection::Kind::kFragmentSpread;
      selection.name = expect_name().text;
      selection.directives = parse_directives(false);
      return selection;
    }
    selection.kind = Selection::Kind::kInlineFragment;
    if (peek_keyword("on")) {
      advance();
      selection.name = expect_name().text;
    }
    selection.directives = parse_directives(false);
    selection.selections = parse_selection_set(field_depth);
    return selection;
  }

  std::span<const Argument> parse_arguments(bool constant) {
    expect(TokenKind::kParenL);
    std::size_t from = arguments_.size();
    do {
      Argument argument;
      argument.offset = token_.offset;
      argument.name = expect_name().text;
      expect(TokenKind::kColon);
      argument.value = parse_value(constant);
      arguments_.push_back(argument);
    } while (!skip(TokenKind::kParenR));
    return take(arguments_, from, arena_);
  }

  std::span<const Directive> parse_directives(bool constant) {
    if (!peek(TokenKind::kAt)) return {};
    std::size_t from = directives_.size();
    while (peek(TokenKind::kAt)) {
      Directive directive;
      directive.offset = token_.offset;
      advance();
      directive.name = expect_name().text;
      if (peek(TokenKind::kParenL)) directive.arguments = parse_arguments(constant);
      directives_.push_back(directive);
    }
    return take(directives_, from, arena_);
  }

  Value parse_value(bool constant) {
    Value value;
    value.offset = token_.offset;
    switch (token_.kind) {
      case TokenKind::kDollar: {
        if (constant) {
          fail(token_.offset,
               "Unexpected variable in a constant value (a default value or a "
               "variable definition's directive).");
        }
        advance();
        value.kind = Value::Kind::kVariable;
        value.text = expect_name().text;
        return value;
      }
      case TokenKind::kInt:
        value.kind = Value::Kind::kInt;
        break;
      case TokenKind::kFloat:
        value.kind = Value::Kind::kFloat;
        break;
      case TokenKind::kString:
        value.kind = Value::Kind::kString;
        value.block = token_.block;
        break;
      case TokenKind::kName:
        if (token_.text == "true" || token_.text == "false") {
          value.kind = Value::Kind::kBoolean;
          value.boolean = token_.text == "true";
        } else if (token_.text == "null") {
          value.kind = Value::Kind::kNull;
        } else {
          value.kind = Value::Kind::kEnum;
        }
        break;
      case TokenKind::kBracketL:
        return parse_list(constant);
      case TokenKind::kBraceL:
        return parse_object(constant);
      default:
        fail_unexpected();
    }
    value.text = token_.text;
    advance();
    return value;
  }

  Value parse_list(bool constant) {
    Value value;
    value.kind = Value::Kind::kList;
    value.offset = token_.offset;
    enter(token_.offset);
    advance();
    std::size_t from = values_.size();
    while (!skip(TokenKind::kBracketR)) {
      if (values_.size() - from >= limits_.max_list_items) {
        fail_limit(value.offset,
                   fmt::format("A list literal has more than {} items.", limits_.max_list_items));
      }
      values_.push_back(parse_value(constant));
    }
    leave();
    value.items = take(values_, from, arena_);
    return value;
  }

  Value parse_object(bool constant) {
    Value value;
    value.kind = Value::Kind::kObject;
    value.offset = token_.offset;
    enter(token_.offset);
    advance();
    std::size_t from = object_fields_.size();
    while (!skip(TokenKind::kBraceR)) {
      ObjectField field;
      field.offset = token_.offset;
      field.name = expect_name().text;
      expect(TokenKind::kColon);
      field.value = parse_value(constant);
      object_fields_.push_back(field);
    }
    leave();
    value.fields = take(object_fields_, from, arena_);
    return value;
  }

  Lexer lexer_;
  query::Arena& arena_;
  const Limits& limits_;
  Token token_;
  std::uint32_t nesting_ = 0;
  std::vector<OperationDefinition> operations_;
  std::vector<FragmentDefinition> fragments_;
  std::vector<VariableDefinition> variables_;
  std::vector<Selection> selections_;
  std::vector<Argument> arguments_;
  std::vector<Directive> directives_;
  std::vector<Value> values_;
  std::vector<ObjectField> object_fields_;
};

}  // namespace

std::optional<Document> parse_document(std::string_view source, const Limits& limits,
                                       Error& error) {
  // Offsets are 32-bit: a larger document is refused whatever the limit says.
  if (source.size() > limits.max_document_bytes || source.size() >= UINT32_MAX) {
    error = Error{ErrorCode::kLimitExceeded,
                  fmt::format("The document is larger than {} bytes.", limits.max_document_bytes),
                  {}};
    return std::nullopt;
  }
  Document document;
  document.source = source;
  try {
    Parser parser(source, limits, document.arena);
    parser.parse(document);
  } catch (ParseFailure& failure) {
    error = std::move(failure.error);
    return std::nullopt;
  }
  return document;
}

}  // namespace basalt::graphql
