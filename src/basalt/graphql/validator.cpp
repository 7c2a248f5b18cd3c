#include "basalt/graphql/validator.hpp"

#include <fmt/format.h>

#include "basalt/graphql/validation_context.hpp"

namespace basalt::graphql {

namespace validation {

TypeView Context::variable_type(const TypeNode* type) {
  std::string wrappers;
  while (type->kind != TypeNode::Kind::kNamed) {
    wrappers.push_back(type->kind == TypeNode::Kind::kNonNull ? 'N' : 'L');
    type = type->of_type;
  }
  const std::string& stored = type_storage.emplace_back(std::move(wrappers));
  return TypeView{stored, schema.find_type(type->name)};
}

namespace {

void print_into(const Value& value, std::string& out) {
  if (out.size() > 200) return;  // a message quotes the start of a huge value only
  switch (value.kind) {
    case Value::Kind::kVariable:
      out += '$';
      out += value.text;
      return;
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
    case Value::Kind::kEnum:
      out += value.text;
      return;
    case Value::Kind::kString:
      out += '"';
      for (char c : value.text) {
        if (c == '"' || c == '\\') {
          out += '\\';
          out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
      }
      out += '"';
      return;
    case Value::Kind::kBoolean:
      out += value.boolean ? "true" : "false";
      return;
    case Value::Kind::kNull:
      out += "null";
      return;
    case Value::Kind::kList:
      out += '[';
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ", ";
        print_into(value.items[i], out);
      }
      out += ']';
      return;
    case Value::Kind::kObject:
      out += '{';
      for (std::size_t i = 0; i < value.fields.size(); ++i) {
        if (i > 0) out += ", ";
        out += value.fields[i].name;
        out += ": ";
        print_into(value.fields[i].value, out);
      }
      out += '}';
      return;
  }
}

}  // namespace

std::string print_value(const Value& value) {
  std::string out;
  print_into(value, out);
  return shorten_for_message(std::move(out), 200);
}

bool same_value(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::kBoolean:
      return a.boolean == b.boolean;
    case Value::Kind::kNull:
      return true;
    case Value::Kind::kList:
      if (a.items.size() != b.items.size()) return false;
      for (std::size_t i = 0; i < a.items.size(); ++i) {
        if (!same_value(a.items[i], b.items[i])) return false;
      }
      return true;
    case Value::Kind::kObject:
      // The order of an object's fields does not matter (graphql-js compares them sorted).
      if (a.fields.size() != b.fields.size()) return false;
      for (const ObjectField& field : a.fields) {
        bool found = false;
        for (const ObjectField& other : b.fields) {
          if (other.name == field.name) {
            found = same_value(field.value, other.value);
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    default:
      return a.text == b.text;
  }
}

bool types_overlap(const TypeDef& a, const TypeDef& b) {
  if (&a == &b) return true;
  for (const TypeDef* object : a.possible_types) {
    if (b.is_possible(object)) return true;
  }
  return false;
}

}  // namespace validation

std::vector<Error> validate(const Document& document, const Schema& schema, const Limits& limits) {
  validation::Context context(document, schema, limits);
  for (std::size_t i = 0; i < document.fragments.size(); ++i) {
    context.fragment_index.emplace(
        document.fragments[i].name,
        validation::Context::FragmentEntry{&document.fragments[i], static_cast<int>(i)});
  }
  try {
    // The bounds first: a document over one gets only that answer, and nothing quadratic runs.
    if (!validation::check_operation_limits(context)) return std::move(context.errors);
    validation::check_definitions(context);
    validation::check_document_rules(context);
    validation::check_variables(context);
    validation::check_subscriptions(context);
    if (!context.has_fragment_cycle) validation::check_field_merging(context);
  } catch (const validation::StopValidation&) {
  }
  return std::move(context.errors);
}

}  // namespace basalt::graphql
