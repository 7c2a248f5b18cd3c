#include "basalt/graphql/variable_coercion.hpp"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace basalt::graphql {

namespace {

namespace json = boost::json;

struct CoercionFailure {
  std::string message;
};

std::string shown(const json::value& value) {
  return shorten_for_message(json::serialize(value), 100);
}

// A JSON number as an integer, when it is one (doubles with no fraction included).
std::optional<std::int64_t> as_integer(const json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) {
    if (value.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(value.get_uint64());
  }
  if (value.is_double()) {
    double number = value.get_double();
    if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.0e15) {
      return static_cast<std::int64_t>(number);
    }
  }
  return std::nullopt;
}

class Coercer {
 public:
  explicit Coercer(const Limits& limits) : limits_(limits) {}

  // Input coercion of a JSON value (3.5, 3.9–3.12).
  json::value input(const json::value& value, TypeView type, const std::string& path,
                    std::uint32_t depth) {
    if (depth > limits_.max_nesting) {
      fail(path, fmt::format("the value nests deeper than {} levels", limits_.max_nesting));
    }
    if (type.non_null()) {
      if (value.is_null())
        fail(path, fmt::format("expected non-null type \"{}\", found null", type.to_string()));
      type = type.inner();
    }
    if (value.is_null()) return nullptr;
    if (type.list()) {
      json::array out;
      if (!value.is_array()) {
        out.push_back(input(value, type.inner(), path, depth + 1));
        return out;
      }
      const json::array& items = value.get_array();
      if (items.size() > limits_.max_list_items) {
        fail(path, fmt::format("a list has more than {} items", limits_.max_list_items));
      }
      out.reserve(items.size());
      for (std::size_t i = 0; i < items.size(); ++i) {
        out.push_back(input(items[i], type.inner(), fmt::format("{}[{}]", path, i), depth + 1));
      }
      return out;
    }
    const TypeDef& named = *type.named;
    switch (named.kind) {
      case TypeKind::kInputObject:
        return input_object(value, named, path, depth);
      case TypeKind::kEnum:
        if (!value.is_string() || !named.has_enum_value(value.get_string())) {
          fail(path,
               fmt::format("Enum \"{}\" cannot represent the value {}", named.name, shown(value)));
        }
        return value;
      default:
        return scalar(value, named, path);
    }
  }

  // A literal of the document (a default value) as JSON; it was validated already.
  json::value literal(const Value& value, TypeView type, const std::string& path) {
    if (type.non_null()) type = type.inner();
    if (value.kind == Value::Kind::kNull) return nullptr;
    if (type.list()) {
      json::array out;
      if (value.kind != Value::Kind::kList) {
        out.push_back(literal(value, type.inner(), path));
        return out;
      }
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        out.push_back(literal(value.items[i], type.inner(), fmt::format("{}[{}]", path, i)));
      }
      return out;
    }
    const TypeDef* named = type.named;
    if (named != nullptr && named->kind == TypeKind::kInputObject &&
        value.kind == Value::Kind::kObject) {
      json::object out;
      for (const ObjectField& field : value.fields) {
        const InputValueDef* definition = named->find_input_field(field.name);
        if (definition == nullptr) fail(path, fmt::format("unknown field \"{}\"", field.name));
        out[field.name] =
            literal(field.value, view(definition->type), path + "." + std::string(field.name));
      }
      for (const InputValueDef& definition : named->input_fields) {
        if (!out.contains(definition.name) && definition.default_json) {
          out[definition.name] = json::parse(*definition.default_json);
        }
      }
      return out;
    }
    return untyped_literal(value, named, path);
  }

  [[noreturn]] void fail(const std::string& path, std::string reason) {
    throw CoercionFailure{path.empty() ? std::move(reason)
                                       : fmt::format("at \"{}\": {}", path, reason)};
  }

 private:
  json::value untyped_literal(const Value& value, const TypeDef* named, const std::string& path) {
    switch (value.kind) {
      case Value::Kind::kInt: {
        std::int64_t number = 0;
        auto [end, error] =
            std::from_chars(value.text.data(), value.text.data() + value.text.size(), number);
        if (error != std::errc()) fail(path, "an integer out of range");
        if (named != nullptr && named->name == "Float") return static_cast<double>(number);
        if (named != nullptr && named->name == "ID") return json::string(value.text);
        return number;
      }
      case Value::Kind::kFloat:
        return std::strtod(std::string(value.text).c_str(), nullptr);
      case Value::Kind::kString:
      case Value::Kind::kEnum:
        return json::string(value.text);
      case Value::Kind::kBoolean:
        return value.boolean;
      case Value::Kind::kList: {
        json::array out;
        for (const Value& item : value.items) out.push_back(untyped_literal(item, nullptr, path));
        return out;
      }
      case Value::Kind::kObject: {
        json::object out;
        for (const ObjectField& field : value.fields) {
          out[field.name] = untyped_literal(field.value, nullptr, path);
        }
        return out;
      }
      default:
        return nullptr;
    }
  }

  json::value input_object(const json::value& value, const TypeDef& named, const std::string& path,
                           std::uint32_t depth) {
    if (!value.is_object()) {
      fail(path,
           fmt::format("expected an object of type \"{}\", found {}", named.name, shown(value)));
    }
    const json::object& given = value.get_object();
    for (const auto& entry : given) {
      if (named.find_input_field(entry.key()) == nullptr) {
        fail(path, fmt::format("the field \"{}\" is not defined by type \"{}\"",
                               std::string_view(entry.key()), named.name));
      }
    }
    json::object out;
    for (const InputValueDef& field : named.input_fields) {
      std::string field_path = path.empty() ? field.name : path + "." + field.name;
      auto found = given.find(field.name);
      if (found == given.end()) {
        if (field.default_json) {
          out[field.name] = json::parse(*field.default_json);
        } else if (view(field.type).non_null()) {
          fail(field_path, fmt::format("the field \"{}\" of required type \"{}\" was not provided",
                                       field.name, field.type.to_string()));
        }
        continue;
      }
      out[field.name] = input(found->value(), view(field.type), field_path, depth + 1);
    }
    return out;
  }

  json::value scalar(const json::value& value, const TypeDef& named, const std::string& path) {
    const std::string& name = named.name;
    if (name == "Int") {
      auto integer = as_integer(value);
      if (!integer)
        fail(path, fmt::format("Int cannot represent non-integer value: {}", shown(value)));
      if (*integer < INT32_MIN || *integer > INT32_MAX) {
        fail(path,
             fmt::format("Int cannot represent non 32-bit signed integer value: {}", shown(value)));
      }
      return *integer;
    }
    if (name == "Float") {
      if (!value.is_number()) {
        fail(path, fmt::format("Float cannot represent non numeric value: {}", shown(value)));
      }
      return value.to_number<double>();
    }
    if (name == "String") {
      if (!value.is_string()) {
        fail(path, fmt::format("String cannot represent a non string value: {}", shown(value)));
      }
      return value;
    }
    if (name == "Boolean") {
      if (!value.is_bool()) {
        fail(path, fmt::format("Boolean cannot represent a non boolean value: {}", shown(value)));
      }
      return value;
    }
    if (name == "ID") {
      if (value.is_string()) return value;
      auto integer = as_integer(value);
      if (!integer) {
        fail(path, fmt::format("ID cannot represent value: {}", shown(value)));
      }
      return json::string(std::to_string(*integer));
    }
    return value;  // a custom scalar takes any JSON value
  }

  const Limits& limits_;
};

}  // namespace

std::vector<Error> coerce_variables(const Schema& schema, const OperationDefinition& operation,
                                    const boost::json::object* provided, const Limits& limits,
                                    boost::json::object& coerced) {
  std::vector<Error> errors;
  Coercer coercer(limits);
  for (const VariableDefinition& variable : operation.variables) {
    // The variable's type as a view: its wrappers kept here for the loop body.
    std::string wrappers;
    const TypeNode* node = variable.type;
    while (node->kind != TypeNode::Kind::kNamed) {
      wrappers.push_back(node->kind == TypeNode::Kind::kNonNull ? 'N' : 'L');
      node = node->of_type;
    }
    TypeView type{wrappers, schema.find_type(node->name)};
    if (type.named == nullptr || !type.named->is_input()) {
      errors.push_back(
          {ErrorCode::kValidationFailed,
           fmt::format("Variable \"${}\" has an unknown or non-input type.", variable.name),
           {variable.offset}});
      continue;
    }
    const json::value* given = nullptr;
    if (provided != nullptr) {
      auto found = provided->find(variable.name);
      if (found != provided->end()) given = &found->value();
    }
    try {
      if (given == nullptr && variable.default_value != nullptr) {
        coerced[variable.name] = coercer.literal(*variable.default_value, type, "");
      } else if (type.non_null() && (given == nullptr || given->is_null())) {
        errors.push_back({ErrorCode::kValidationFailed,
                          given == nullptr
                              ? fmt::format("Variable \"${}\" of required type \"{}\" was not "
                                            "provided.",
                                            variable.name, type.to_string())
                              : fmt::format("Variable \"${}\" of non-null type \"{}\" must not be "
                                            "null.",
                                            variable.name, type.to_string()),
                          {variable.offset}});
      } else if (given != nullptr) {
        coerced[variable.name] = coercer.input(*given, type, "", 0);
      }
    } catch (CoercionFailure& failure) {
      errors.push_back({ErrorCode::kValidationFailed,
                        fmt::format("Variable \"${}\" got an invalid value; {}.", variable.name,
                                    failure.message),
                        {variable.offset}});
    }
    if (errors.size() >= limits.max_errors) break;
  }
  return errors;
}

}  // namespace basalt::graphql
