// libFuzzer target for the GraphQL language (src/basalt/graphql): parse_document on arbitrary
// bytes must give a Document or an error, never crash, hang, leak or trip a sanitizer. Every
// document that parses is walked and held to the invariants of ast.hpp, validated against the
// specification's example schema (testing/pet_schema.cpp), and for each operation of a valid
// document the variables are coerced from a fixed set of JSON values. Every error must carry
// offsets inside the document and serialize to JSON that parses.
//
// The limits are small (depth 6, 40 fields, 200 merge comparisons, …) so that short inputs reach
// every one of them.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "basalt/graphql/parser.hpp"
#include "basalt/graphql/testing/pet_schema.hpp"
#include "basalt/graphql/validator.hpp"
#include "basalt/graphql/variable_coercion.hpp"

namespace {

using namespace basalt::graphql;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

void require(bool condition, const char* what) {
  if (!condition) violated(what);
}

bool inside(std::string_view part, std::string_view source) {
  return part.data() >= source.data() && part.data() + part.size() <= source.data() + source.size();
}

void check_name(std::string_view name, std::string_view source) {
  require(!name.empty(), "a name is not empty");
  require(inside(name, source), "a name views the source");
}

void check_offset(std::uint32_t offset, std::string_view source) {
  require(offset < source.size(), "a node's offset is inside the document");
}

void check_value(const Value& value, std::string_view source, int depth) {
  require(depth < 200, "values nest within the nesting limit");
  check_offset(value.offset, source);
  switch (value.kind) {
    case Value::Kind::kVariable:
    case Value::Kind::kEnum:
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
      check_name(value.text, source);
      break;
    case Value::Kind::kList:
      for (const Value& item : value.items) check_value(item, source, depth + 1);
      break;
    case Value::Kind::kObject:
      for (const ObjectField& field : value.fields) {
        check_name(field.name, source);
        check_value(field.value, source, depth + 1);
      }
      break;
    default:
      break;
  }
}

void check_directives(std::span<const Directive> directives, std::string_view source) {
  for (const Directive& directive : directives) {
    check_name(directive.name, source);
    for (const Argument& argument : directive.arguments) {
      check_name(argument.name, source);
      check_value(argument.value, source, 0);
    }
  }
}

void check_selections(std::span<const Selection> selections, std::string_view source, int depth) {
  require(depth < 200, "selections nest within the nesting limit");
  for (const Selection& selection : selections) {
    check_offset(selection.offset, source);
    check_directives(selection.directives, source);
    switch (selection.kind) {
      case Selection::Kind::kField:
        check_name(selection.name, source);
        if (!selection.alias.empty()) check_name(selection.alias, source);
        for (const Argument& argument : selection.arguments) check_value(argument.value, source, 0);
        check_selections(selection.selections, source, depth + 1);
        break;
      case Selection::Kind::kFragmentSpread:
        check_name(selection.name, source);
        require(selection.name != "on", "a fragment spread is not named `on`");
        require(selection.selections.empty(), "a spread has no selections");
        break;
      case Selection::Kind::kInlineFragment:
        require(!selection.selections.empty(), "an inline fragment selects something");
        check_selections(selection.selections, source, depth + 1);
        break;
    }
  }
}

void check_document(const Document& document, std::string_view source) {
  require(!document.operations.empty() || !document.fragments.empty(),
          "a document defines something");
  for (const OperationDefinition& operation : document.operations) {
    require(!operation.selections.empty(), "an operation selects something");
    check_selections(operation.selections, source, 0);
    check_directives(operation.directives, source);
    for (const VariableDefinition& variable : operation.variables) {
      check_name(variable.name, source);
      require(variable.type != nullptr, "a variable has a type");
      if (variable.default_value != nullptr) check_value(*variable.default_value, source, 0);
    }
  }
  for (const FragmentDefinition& fragment : document.fragments) {
    check_name(fragment.name, source);
    check_name(fragment.type_condition, source);
    require(!fragment.selections.empty(), "a fragment selects something");
    check_selections(fragment.selections, source, 0);
  }
}

void check_errors(const std::vector<Error>& errors, std::string_view source) {
  for (const Error& error : errors) {
    require(!error.message.empty(), "an error has a message");
    for (std::uint32_t offset : error.offsets) {
      require(offset <= source.size(), "an error's offset is inside the document");
    }
  }
  std::string json = errors_json(errors, source);
  boost::system::error_code failed;
  boost::json::parse(json, failed);
  require(!failed, "errors serialize to JSON");
}

Limits fuzz_limits() {
  Limits limits;
  limits.max_document_bytes = 8192;
  limits.max_tokens = 2000;
  limits.max_depth = 6;
  limits.max_nesting = 16;
  limits.max_fields = 40;
  limits.max_aliases = 10;
  limits.max_list_items = 20;
  limits.max_fragment_spreads = 30;
  limits.max_merge_comparisons = 200;
  limits.max_errors = 20;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<Schema> schema = testing::make_pet_schema();
  static const Limits limits = fuzz_limits();
  static const boost::json::object variables =
      boost::json::parse(
          R"({"a": 1, "b": "x", "c": [true, null], "d": {"command": "SIT", "and": [{}]},
              "e": 2.5, "f": null, "g": "SIT", "id": 7, "x": [[1]]})")
          .as_object();
  std::string_view source(reinterpret_cast<const char*>(data), size);
  Error error;
  std::optional<Document> document = parse_document(source, limits, error);
  if (!document) {
    check_errors({error}, source);
    return 0;
  }
  check_document(*document, source);
  std::vector<Error> errors = validate(*document, *schema, limits);
  require(errors.size() <= limits.max_errors, "at most max_errors errors");
  check_errors(errors, source);
  if (!errors.empty()) return 0;
  for (const OperationDefinition& operation : document->operations) {
    boost::json::object coerced;
    std::vector<Error> coercion = coerce_variables(*schema, operation, &variables, limits, coerced);
    check_errors(coercion, source);
    if (coercion.empty()) {
      for (const VariableDefinition& variable : operation.variables) {
        bool has_value = coerced.contains(variable.name);
        bool required =
            variable.type->kind == TypeNode::Kind::kNonNull && variable.default_value == nullptr;
        if (required) require(has_value, "a required variable has a coerced value");
      }
    }
  }
  return 0;
}
