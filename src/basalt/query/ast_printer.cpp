// The canonical text forms of ast.hpp's to_string overloads.
#include <charconv>
#include <cstdio>

#include "basalt/query/ast.hpp"

namespace basalt::query {
namespace {

std::string_view root_prefix(IdentifierRoot root) noexcept {
  switch (root) {
    case IdentifierRoot::kField:
      return "";
    case IdentifierRoot::kRequestContext:
      return "@request.context";
    case IdentifierRoot::kRequestMethod:
      return "@request.method";
    case IdentifierRoot::kRequestAuth:
      return "@request.auth";
    case IdentifierRoot::kRequestBody:
      return "@request.body";
    case IdentifierRoot::kRequestQuery:
      return "@request.query";
    case IdentifierRoot::kRequestHeaders:
      return "@request.headers";
    case IdentifierRoot::kCollection:
      return "@collection";
  }
  return "";
}

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_number(std::string& out, double value) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_identifier(std::string& out, const Identifier& identifier) {
  out += root_prefix(identifier.root);
  if (identifier.root == IdentifierRoot::kCollection) {
    out += '.';
    out += identifier.collection;
    if (!identifier.alias.empty()) {
      out += ':';
      out += identifier.alias;
    }
  }
  bool first = identifier.root == IdentifierRoot::kField;
  for (std::string_view segment : identifier.path()) {
    if (!first) out += '.';
    out += segment;
    first = false;
  }
  if (identifier.modifier != Modifier::kNone) {
    out += ':';
    out += to_string(identifier.modifier);
  }
}

void append_operand(std::string& out, const Operand& operand) {
  struct Visitor {
    std::string& out;
    void operator()(const Identifier& v) { append_identifier(out, v); }
    void operator()(const Text& v) { append_quoted(out, v.value); }
    void operator()(const Number& v) { append_number(out, v.value); }
    void operator()(const Null&) { out += "null"; }
    void operator()(const Bool& v) { out += v.value ? "true" : "false"; }
    void operator()(Macro v) { out += to_string(v); }
    void operator()(const FunctionCall& v) {
      out += '(';
      out += to_string(v.function);
      for (const Operand& arg : v.args()) {
        out += ' ';
        append_operand(out, arg);
      }
      out += ')';
    }
  };
  std::visit(Visitor{out}, operand.value);
}

void append_expr(std::string& out, const Expr& expr) {
  if (const auto* comparison = std::get_if<Comparison>(&expr.node)) {
    out += '(';
    out += to_string(comparison->op);
    out += ' ';
    append_operand(out, comparison->left);
    out += ' ';
    append_operand(out, comparison->right);
    out += ')';
    return;
  }
  const auto& logical = std::get<Logical>(expr.node);
  out += '(';
  out += to_string(logical.op);
  for (const Expr& child : logical.children()) {
    out += ' ';
    append_expr(out, child);
  }
  out += ')';
}

}  // namespace

std::string to_string(const Ast& ast) {
  return to_string(ast.root());
}

std::string to_string(const Expr& expr) {
  std::string out;
  append_expr(out, expr);
  return out;
}

std::string to_string(const Operand& operand) {
  std::string out;
  append_operand(out, operand);
  return out;
}

std::string to_string(const Identifier& identifier) {
  std::string out;
  append_identifier(out, identifier);
  return out;
}

}  // namespace basalt::query
