#include "basalt/query/sql_printer.hpp"

#include <algorithm>
#include <stdexcept>

#include "basalt/query/go_values.hpp"
#include "basalt/query/join_tree.hpp"

namespace basalt::query {

SqlPrinter::SqlPrinter(const db::Dialect& dialect, const FilterDialect& functions,
                       const SqlSource& base, std::size_t first_placeholder)
    : dialect_(dialect),
      functions_(functions),
      first_placeholder_(first_placeholder),
      base_key_(base.key) {
  used_aliases_.insert(std::string(base.alias));
  base_alias_ = dialect_.quote_identifier(base.alias);
  join_aliases_.emplace(base_key_, base_alias_);
}

std::string SqlPrinter::bind(db::Value value) {
  params_.push_back(std::move(value));
  return functions_.typed_placeholder(dialect_.placeholder(first_placeholder_ + params_.size() - 1),
                                      params_.back());
}

void SqlPrinter::print(std::string& out, const SqlNode& node, const RequestInfo& request) {
  const RequestInfo* saved = request_;
  request_ = &request;
  value(out, node);
  request_ = saved;
}

std::string SqlPrinter::alias(const SqlSource& source, const RequestInfo& request) {
  const RequestInfo* saved = request_;
  request_ = &request;
  std::string result;
  for (auto it = local_sources_.rbegin(); it != local_sources_.rend(); ++it) {
    if (it->first == &source) {
      result = it->second;
      break;
    }
  }
  if (result.empty()) {
    auto found = join_aliases_.find(std::string(source.key));
    result = found != join_aliases_.end() ? found->second : register_join(source);
  }
  request_ = saved;
  return result;
}

void SqlPrinter::register_joins(const SqlNode& node, const RequestInfo& request) {
  if ((node.op == SqlOp::kColumn || node.op == SqlOp::kEachValue) && node.source != nullptr) {
    alias(*node.source, request);
  }
  if (node.op == SqlOp::kNotExists) return;  // subquery sources are the subquery's
  if (node.op == SqlOp::kRuleHolds) {        // so are the rule's, but not a's
    register_joins(*node.a, request);
    return;
  }
  if (node.a != nullptr) register_joins(*node.a, request);
  if (node.b != nullptr) register_joins(*node.b, request);
  for (const SqlNode* arg : node.args()) register_joins(*arg, request);
}

Affinity SqlPrinter::operand_affinity(const SqlNode& node) {
  switch (node.op) {
    case SqlOp::kColumn:
    case SqlOp::kEachValue:
      return node.affinity;
    case SqlOp::kMatchValue:
      return operand_affinity(*node.match->value);  // a subquery column: its expression's
    default:
      return Affinity::kNone;
  }
}

bool SqlPrinter::plain_text(const SqlNode& node) {
  switch (node.op) {
    case SqlOp::kColumn:
      return node.plain_text;
    case SqlOp::kParam:
      return node.param.kind == ParamValue::Kind::kText;
    case SqlOp::kEmptyText:
    case SqlOp::kAuthId:
      return true;
    case SqlOp::kLower:
    case SqlOp::kCoalesceEmpty:
      return plain_text(*node.a);
    default:
      return false;
  }
}

PlainNumber SqlPrinter::plain_number(const SqlNode& node) {
  switch (node.op) {
    case SqlOp::kColumn:
      return node.number;
    case SqlOp::kParam:
      switch (node.param.kind) {
        case ParamValue::Kind::kInteger:
        case ParamValue::Kind::kBool:
          return PlainNumber::kInteger;
        case ParamValue::Kind::kReal:
          return PlainNumber::kReal;
        default:
          return PlainNumber::kNone;
      }
    case SqlOp::kInteger:
      return PlainNumber::kInteger;
    default:
      return PlainNumber::kNone;
  }
}

std::string SqlPrinter::text(const SqlNode& node) {
  std::string out;
  value(out, node);
  return out;
}

void SqlPrinter::value(std::string& out, const SqlNode& node) {
  if ((node.op == SqlOp::kColumn || node.op == SqlOp::kEachValue) && node.source != nullptr &&
      !node.source->key.empty() &&
      std::find(nulled_.begin(), nulled_.end(), node.source->key) != nulled_.end()) {
    out += "NULL";
    return;
  }
  switch (node.op) {
    case SqlOp::kColumn:
      out += alias(*node.source, *request_);
      out += '.';
      out += dialect_.quote_identifier(node.name);
      return;
    case SqlOp::kParam: {
      auto found = param_placeholders_.find(&node);
      if (found == param_placeholders_.end()) {
        found = param_placeholders_.emplace(&node, bind(node.param.to_db())).first;
      }
      out += found->second;
      return;
    }
    case SqlOp::kNull:
      out += "NULL";
      return;
    case SqlOp::kInteger:
      out += std::to_string(node.integer);
      return;
    case SqlOp::kEmptyText:
      out += "''";
      return;
    case SqlOp::kEachValue:
      out += alias(*node.source, *request_);
      out += '.';
      out += dialect_.quote_identifier(functions_.json_each_value());
      return;
    case SqlOp::kMatchValue:
      for (auto it = local_matches_.rbegin(); it != local_matches_.rend(); ++it) {
        if (it->first == node.match) {
          out += it->second;
          out += '.';
          out += dialect_.quote_identifier("multiMatchValue");
          return;
        }
      }
      throw std::logic_error("multi-match value outside its subquery");
    case SqlOp::kLower:
      functions_.lower(out, text(*node.a), plain_text(*node.a));
      return;
    case SqlOp::kCoalesceEmpty:
      functions_.coalesce_empty(out, text(*node.a), plain_text(*node.a));
      return;
    case SqlOp::kContains:
      functions_.contains_pattern(out, text(*node.a));
      return;
    case SqlOp::kJsonExtract:
      functions_.json_extract(out, text(*node.a), node.path, *this);
      return;
    case SqlOp::kJsonArrayLength:
      functions_.json_array_length(out, text(*node.a));
      return;
    case SqlOp::kGeoDistance:
    case SqlOp::kStrftime: {
      std::vector<std::string> args;
      args.reserve(node.arg_count);
      for (const SqlNode* arg : node.args()) args.push_back(text(*arg));
      if (node.op == SqlOp::kGeoDistance) {
        functions_.geo_distance(out, args);
      } else {
        functions_.strftime(out, args);
      }
      return;
    }
    case SqlOp::kTruth:
      out += '(';
      value(out, *node.a);
      out += ')';
      return;
    case SqlOp::kCaseWhen:
      out += "CASE WHEN ";
      value(out, *node.a);
      out += " THEN ";
      value(out, *node.b);
      out += " END";
      return;
    case SqlOp::kRuleHolds:
      rule_subquery(out, *node.a, *node.source, *node.b);
      return;
    case SqlOp::kAuthId: {
      std::string_view id = request_->auth_id();
      out += request_->auth ? bind(std::string(id)) : std::string("NULL");
      return;
    }
    case SqlOp::kCompare:
      if (node.compare == CompareOp::kLike || node.compare == CompareOp::kNotLike) {
        // In order, as below: the placeholders are numbered as the operands are printed, and
        // the order in which a call's arguments are evaluated differs between compilers.
        const std::string a = text(*node.a);
        const std::string b = text(*node.b);
        functions_.like(out, a, b, node.compare == CompareOp::kNotLike);
        return;
      }
      {
        // In order: the placeholders are numbered as the operands are printed.
        const std::string a = text(*node.a);
        const std::string b = text(*node.b);
        functions_.compare(
            out, node.compare,
            {a, operand_affinity(*node.a), plain_text(*node.a), plain_number(*node.a)},
            {b, operand_affinity(*node.b), plain_text(*node.b), plain_number(*node.b)});
        return;
      }
    case SqlOp::kIsNull:
    case SqlOp::kIsNotNull:
      value(out, *node.a);
      out += node.op == SqlOp::kIsNull ? " IS NULL" : " IS NOT NULL";
      return;
    case SqlOp::kAnd:
    case SqlOp::kOr: {
      out += '(';
      bool first = true;
      for (const SqlNode* child : node.args()) {
        if (!first) out += node.op == SqlOp::kAnd ? " AND " : " OR ";
        first = false;
        value(out, *child);
      }
      out += ')';
      return;
    }
    case SqlOp::kNot:
      out += "NOT (";
      value(out, *node.a);
      out += ')';
      return;
    case SqlOp::kNotExists: {
      out += "NOT EXISTS (SELECT 1 FROM (";
      subquery(out, *node.match, node.b);
      std::string first = dialect_.quote_identifier(unique_alias("__sm"));
      out += ") ";
      out += first;
      local_matches_.emplace_back(node.match, first);
      if (node.match2 != nullptr) {
        out += " LEFT JOIN (";
        subquery(out, *node.match2, node.arg_count > 0 ? node.args()[0] : nullptr);
        std::string second = dialect_.quote_identifier(unique_alias("__sm"));
        out += ") ";
        out += second;
        if (functions_.join_needs_condition()) out += " ON TRUE";
        local_matches_.emplace_back(node.match2, second);
      }
      out += " WHERE ";
      value(out, *node.a);
      out += ')';
      local_matches_.resize(local_matches_.size() - (node.match2 != nullptr ? 2 : 1));
      return;
    }
    case SqlOp::kInJsonEach: {
      std::string each = dialect_.quote_identifier(unique_alias("__je"));
      functions_.in_operand(out, text(*node.a));
      out += " IN (SELECT ";
      out += each;
      out += '.';
      out += dialect_.quote_identifier(functions_.json_each_value());
      out += " FROM ";
      functions_.json_each(out, text(*node.b), true);
      out += ' ';
      out += each;
      out += ')';
      return;
    }
    case SqlOp::kInBodyIds:
      in_list(out, node);
      return;
  }
  throw std::logic_error("unknown SQL node");
}

void SqlPrinter::in_list(std::string& out, const SqlNode& node) {
  functions_.in_operand(out, text(*node.a));
  out += " IN (";
  const boost::json::value* field = request_->body.if_contains(node.name);
  std::vector<std::string> ids =
      field != nullptr ? go_unique_strings(*field) : std::vector<std::string>{};
  if (ids.empty()) out += "NULL";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ", ";
    functions_.in_item(out, bind(std::move(ids[i])));
  }
  out += ')';
}

}  // namespace basalt::query
