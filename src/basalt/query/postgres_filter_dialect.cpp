#include "basalt/query/postgres_filter_dialect.hpp"

#include <stdexcept>
#include <type_traits>
#include <variant>

#include "basalt/query/postgres_functions.hpp"

namespace basalt::query {
namespace {

void append_value(std::string& out, std::string_view expression) {
  out += "basalt_sv(";
  out += expression;
  out += ')';
}

// SQLite's comparison affinity for two operands (sqlite3CompareAffinity, as the evaluator's
// sqlite::compare applies it): two columns compare numerically if either is numeric and as
// they are otherwise; a column and an expression use the column's affinity.
Affinity comparison_affinity(Affinity a, Affinity b) {
  if (a != Affinity::kNone && b != Affinity::kNone) {
    return a == Affinity::kNumeric || b == Affinity::kNumeric ? Affinity::kNumeric
                                                              : Affinity::kNone;
  }
  return a != Affinity::kNone ? a : b;
}

void append_operand(std::string& out, std::string_view expression, Affinity affinity) {
  switch (affinity) {
    case Affinity::kNumeric:
      out += "basalt_numeric(";
      append_value(out, expression);
      out += ')';
      return;
    case Affinity::kText:
      out += "basalt_textaff(";
      append_value(out, expression);
      out += ')';
      return;
    default:
      append_value(out, expression);
      return;
  }
}

// A PlainNumber operand in its native type: a REAL column as double precision, an INTEGER
// one or a number parameter as it is typed, a bool column (BOOLEAN here) as 0 or 1.
void append_number(std::string& out, const FilterDialect::Operand& operand) {
  out += "((";
  out += operand.sql;
  switch (operand.number) {
    case PlainNumber::kReal:
      out += ")::double precision)";
      return;
    case PlainNumber::kBool:
      out += ")::integer)";
      return;
    default:
      out += ")::bigint)";
      return;
  }
}

// A comparison operator of PostgreSQL with the same meaning as SQLite's for two values of one
// type (LIKE is no comparison here).
std::string_view native_operator(CompareOp op) {
  switch (op) {
    case CompareOp::kIs:
      return " IS NOT DISTINCT FROM ";
    case CompareOp::kIsNot:
      return " IS DISTINCT FROM ";
    case CompareOp::kEq:
      return " = ";
    case CompareOp::kLt:
      return " < ";
    case CompareOp::kLte:
      return " <= ";
    case CompareOp::kGt:
      return " > ";
    case CompareOp::kGte:
      return " >= ";
    case CompareOp::kLike:
    case CompareOp::kNotLike:
      break;
  }
  throw std::logic_error("LIKE is no comparison for FilterDialect::compare");
}

// `flag = number`, a BOOLEAN column against a number (`published = true` binds 1), with
// SQLite's meaning (the column read as 0/1) but spelled so that the column stands alone
// against an expression of the number only: an index on the column serves it, and the planner
// estimates it from the column's statistics (`(flag)::integer = 1` defeats both):
//   (flag = (n = 1)) AND (n IN (0, 1) OR (flag IS NULL AND NULL))
// n in {0, 1}: the first part is the comparison. n any other number: false, or NULL when flag
// is NULL (as `NULL = 2`). n NULL: NULL. The second part folds away for a constant n.
void append_bool_equals_number(std::string& out, const FilterDialect::Operand& flag,
                               const FilterDialect::Operand& number) {
  std::string n;
  append_number(n, number);
  out += "(((";
  out += flag.sql;
  out += ") = (";
  out += n;
  out += " = 1)) AND (";
  out += n;
  out += " IN (0, 1) OR ((";
  out += flag.sql;
  out += ") IS NULL AND NULL)))";
}

// `flag < n` (and <=, >, >=), a BOOLEAN column against a number, with SQLite's meaning (the
// column read as 0/1) and the column alone against expressions of the number, as above:
//   flag <  n:  (flag <= (n > 1))  AND (n > 0  OR (flag IS NULL AND NULL))
//   flag <= n:  (flag <= (n >= 1)) AND (n >= 0 OR (flag IS NULL AND NULL))
//   flag >  n:  (flag >= (n >= 0)) AND (n < 1  OR (flag IS NULL AND NULL))
//   flag >= n:  (flag >= (n > 0))  AND (n <= 1 OR (flag IS NULL AND NULL))
// The first part picks the values of {false, true} (0, 1) that pass once some do; the second
// is false where none does (NULL for a NULL flag, as `NULL < n`); n NULL gives NULL. `op` is
// read with the flag on the left.
void append_bool_range(std::string& out, const FilterDialect::Operand& flag,
                       const FilterDialect::Operand& number, CompareOp op) {
  std::string n;
  append_number(n, number);
  std::string_view flag_op;
  std::string_view pick;
  std::string_view some;
  switch (op) {
    case CompareOp::kLt:
      flag_op = " <= ";
      pick = " > 1";
      some = " > 0";
      break;
    case CompareOp::kLte:
      flag_op = " <= ";
      pick = " >= 1";
      some = " >= 0";
      break;
    case CompareOp::kGt:
      flag_op = " >= ";
      pick = " >= 0";
      some = " < 1";
      break;
    case CompareOp::kGte:
      flag_op = " >= ";
      pick = " > 0";
      some = " <= 1";
      break;
    default:
      throw std::logic_error("append_bool_range takes a range operator");
  }
  out += "(((";
  out += flag.sql;
  out += ')';
  out += flag_op;
  out += '(';
  out += n;
  out += pick;
  out += ")) AND (";
  out += n;
  out += some;
  out += " OR ((";
  out += flag.sql;
  out += ") IS NULL AND NULL)))";
}

// The operator with its operands swapped: `n < flag` is `flag > n`.
CompareOp swapped(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return CompareOp::kGt;
    case CompareOp::kLte:
      return CompareOp::kGte;
    case CompareOp::kGt:
      return CompareOp::kLt;
    case CompareOp::kGte:
      return CompareOp::kLte;
    default:
      return op;
  }
}

}  // namespace

std::string postgres_json_path(std::span<const JsonPathStep> path) {
  std::string out = "{";
  for (const JsonPathStep& step : path) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += step.index ? 'i' : 'k';
    for (char c : step.key) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

void PostgresFilterDialect::json_each(std::string& out, std::string_view array,
                                      bool normalize) const {
  out += "basalt_json_each(";
  out += array;
  out += normalize ? ", TRUE)" : ", FALSE)";
}

void PostgresFilterDialect::json_extract(std::string& out, std::string_view value,
                                         std::span<const JsonPathStep> path,
                                         ParamBinder& binder) const {
  out += "basalt_json_extract(";
  out += value;
  out += ", (";
  out += binder.bind(postgres_json_path(path));
  out += ")::text[])";
}

void PostgresFilterDialect::json_array_length(std::string& out, std::string_view value) const {
  out += "basalt_json_length(";
  out += value;
  out += ')';
}

void PostgresFilterDialect::like(std::string& out, std::string_view value, std::string_view pattern,
                                 bool negate) const {
  out += negate ? "(NOT basalt_like(" : "basalt_like(";
  append_value(out, value);
  out += ", ";
  append_value(out, pattern);
  out += negate ? "))" : ")";
}

void PostgresFilterDialect::contains_pattern(std::string& out, std::string_view value) const {
  out += "basalt_concat_pct(";
  append_value(out, value);
  out += ')';
}

void PostgresFilterDialect::geo_distance(std::string& out,
                                         std::span<const std::string> args) const {
  if (args.size() != 4) throw std::invalid_argument("geoDistance takes 4 arguments");
  out += "basalt_geo_distance(";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    append_value(out, args[i]);
  }
  out += ')';
}

void PostgresFilterDialect::strftime(std::string& out, std::span<const std::string> args) const {
  if (args.empty()) throw std::invalid_argument("strftime takes a format");
  out += "basalt_strftime(";
  append_value(out, args[0]);
  out += ", ARRAY[";
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (i > 1) out += ", ";
    append_value(out, args[i]);
  }
  out += "]::basalt_v[])";
}

std::string PostgresFilterDialect::typed_placeholder(std::string placeholder,
                                                     const db::Value& value) const {
  return std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::int64_t>) {
          return placeholder + "::bigint";
        } else if constexpr (std::is_same_v<T, double>) {
          return placeholder + "::double precision";
        } else if constexpr (std::is_same_v<T, db::Blob>) {
          return placeholder + "::bytea";
        } else {
          return placeholder + "::text";  // text, and NULL (a NULL text)
        }
      },
      value);
}

void PostgresFilterDialect::compare(std::string& out, CompareOp op, const Operand& a,
                                    const Operand& b) const {
  if (a.plain_text && b.plain_text) {
    // Two TEXT values compare as text on SQLite whatever their affinities; PostgreSQL's
    // equality of text is byte equality, and "C" orders by bytes as BINARY does. Natively,
    // so that joins on ids use indexes and hash joins.
    // The casts give a NULL (a join printed as missing) a type a collation can apply to.
    out += "((";
    out += a.sql;
    out += ")::text";
    switch (op) {
      case CompareOp::kIs:
        out += " IS NOT DISTINCT FROM ";
        break;
      case CompareOp::kIsNot:
        out += " IS DISTINCT FROM ";
        break;
      case CompareOp::kEq:
        out += " = ";
        break;
      case CompareOp::kLt:
        out += " COLLATE \"C\" < ";
        break;
      case CompareOp::kLte:
        out += " COLLATE \"C\" <= ";
        break;
      case CompareOp::kGt:
        out += " COLLATE \"C\" > ";
        break;
      case CompareOp::kGte:
        out += " COLLATE \"C\" >= ";
        break;
      case CompareOp::kLike:
      case CompareOp::kNotLike:
        throw std::logic_error("LIKE is no comparison for FilterDialect::compare");
    }
    out += '(';
    out += b.sql;
    out += ")::text)";
    return;
  }
  if (a.number == PlainNumber::kBool && b.number == PlainNumber::kBool) {
    // Two BOOLEAN columns: false < true as 0 < 1, and NULL as NULL, natively.
    out += "((";
    out += a.sql;
    out += ')';
    out += native_operator(op);
    out += '(';
    out += b.sql;
    out += "))";
    return;
  }
  if (op == CompareOp::kEq &&
      (a.number == PlainNumber::kBool) != (b.number == PlainNumber::kBool) &&
      a.number != PlainNumber::kNone && b.number != PlainNumber::kNone) {
    append_bool_equals_number(out, a.number == PlainNumber::kBool ? a : b,
                              a.number == PlainNumber::kBool ? b : a);
    return;
  }
  if ((op == CompareOp::kLt || op == CompareOp::kLte || op == CompareOp::kGt ||
       op == CompareOp::kGte) &&
      (a.number == PlainNumber::kBool) != (b.number == PlainNumber::kBool) &&
      a.number != PlainNumber::kNone && b.number != PlainNumber::kNone) {
    if (a.number == PlainNumber::kBool) {
      append_bool_range(out, a, b, op);
    } else {
      append_bool_range(out, b, a, swapped(op));
    }
    return;
  }
  if (a.number != PlainNumber::kNone && b.number != PlainNumber::kNone) {
    // Two numbers compare by value whatever their affinities (an INTEGER against a REAL as
    // doubles, two INTEGERs exactly), which PostgreSQL's own operators do; NULL gives NULL.
    out += '(';
    append_number(out, a);
    switch (op) {
      case CompareOp::kIs:
        out += " IS NOT DISTINCT FROM ";
        break;
      case CompareOp::kIsNot:
        out += " IS DISTINCT FROM ";
        break;
      case CompareOp::kEq:
        out += " = ";
        break;
      case CompareOp::kLt:
        out += " < ";
        break;
      case CompareOp::kLte:
        out += " <= ";
        break;
      case CompareOp::kGt:
        out += " > ";
        break;
      case CompareOp::kGte:
        out += " >= ";
        break;
      case CompareOp::kLike:
      case CompareOp::kNotLike:
        throw std::logic_error("LIKE is no comparison for FilterDialect::compare");
    }
    append_number(out, b);
    out += ')';
    return;
  }
  const Affinity affinity = comparison_affinity(a.affinity, b.affinity);
  if (op == CompareOp::kEq && a.plain_text != b.plain_text &&
      (affinity == Affinity::kNone || affinity == Affinity::kText)) {
    // A TEXT value (an id, a text field) equals another value exactly when that value, after
    // the comparison's affinity, is TEXT with the same bytes: its basalt_v is 't' followed by
    // the text (and NULL on either side gives NULL, as basalt_cmp does). Spelled as an
    // equality of two plain expressions, each of one side only, a join on it (a relation's
    // json_each item against the target's id) can be a hash join instead of a nested loop
    // over basalt_cmp.
    const Operand& text = a.plain_text ? a : b;
    const Operand& other = a.plain_text ? b : a;
    out += "((";
    append_operand(out, other.sql, affinity);
    out += ").v = 't' || (";
    out += text.sql;
    out += ")::text)";
    return;
  }
  std::string operands;
  append_operand(operands, a.sql, affinity);
  operands += ", ";
  append_operand(operands, b.sql, affinity);
  switch (op) {
    case CompareOp::kIs:
      out += "basalt_is(" + operands + ")";
      return;
    case CompareOp::kIsNot:
      out += "(NOT basalt_is(" + operands + "))";
      return;
    case CompareOp::kEq:
      out += "(basalt_cmp(" + operands + ") = 0)";
      return;
    case CompareOp::kLt:
      out += "(basalt_cmp(" + operands + ") < 0)";
      return;
    case CompareOp::kLte:
      out += "(basalt_cmp(" + operands + ") <= 0)";
      return;
    case CompareOp::kGt:
      out += "(basalt_cmp(" + operands + ") > 0)";
      return;
    case CompareOp::kGte:
      out += "(basalt_cmp(" + operands + ") >= 0)";
      return;
    case CompareOp::kLike:
    case CompareOp::kNotLike:
      break;
  }
  throw std::logic_error("LIKE is no comparison for FilterDialect::compare");
}

void PostgresFilterDialect::lower(std::string& out, std::string_view value, bool plain_text) const {
  if (plain_text) {
    out += "lower((";  // "C": ASCII letters only, as SQLite's lower()
    out += value;
    out += ")::text COLLATE \"C\")";
    return;
  }
  out += "basalt_lower(";
  append_value(out, value);
  out += ')';
}

void PostgresFilterDialect::coalesce_empty(std::string& out, std::string_view value,
                                           bool plain_text) const {
  if (plain_text) {
    out += "COALESCE(";
    out += value;
    out += ", '')";
    return;
  }
  out += "basalt_coalesce_empty(";
  append_value(out, value);
  out += ')';
}

void PostgresFilterDialect::in_operand(std::string& out, std::string_view value) const {
  append_value(out, value);
}

void PostgresFilterDialect::in_item(std::string& out, std::string_view placeholder) const {
  append_value(out, placeholder);
}

void PostgresFilterDialect::sort_key(std::string& out, const Operand& value) const {
  // A TEXT or a number on every engine sorts natively (sort_direction puts NULL first as
  // SQLite does), so an index can serve the order; anything else through SQLite's order of
  // storage classes.
  if (value.plain_text) {
    out += "((";
    out += value.sql;
    out += ")::text COLLATE \"C\")";
  } else if (value.number == PlainNumber::kBool) {
    out += "((";  // false before true, as 0 before 1: the column itself, so an index serves it
    out += value.sql;
    out += "))";
  } else if (value.number != PlainNumber::kNone) {
    append_number(out, value);
  } else {
    out += "basalt_sort(";
    append_value(out, value.sql);
    out += ')';
  }
}

const std::vector<std::string>& PostgresFilterDialect::setup_statements() const {
  return postgres_filter_functions();
}

}  // namespace basalt::query
