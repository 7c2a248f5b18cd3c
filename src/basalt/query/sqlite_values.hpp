// SQLite 3.40's value semantics, as the Evaluator needs them to answer exactly what the SQL
// would: type conversions by affinity, comparisons, LIKE, and text rendering of numbers
// (datatype3.html §4.2-4.3, vdbe.c OP_Eq/OP_Lt, func.c likeFunc, vdbemem.c).
//
// Values are db::Value: NULL, INTEGER (int64), REAL (double), TEXT; BLOBs do not occur in
// records and compare above everything.
//
// Known gap: text->number conversion uses strtod (correctly rounded) where SQLite 3.40 has its
// own algorithm, and number->text uses printf("%.15g") where SQLite has its own digit loop;
// the two can differ in the last digit for inputs with more than ~15 significant digits.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "basalt/db/value.hpp"
#include "basalt/query/sql_node.hpp"

namespace basalt::query::sqlite {

// CAST(real AS TEXT): "%!.15g" ("5.0", "0.1", "1.0e+20", "Inf"); -0.0 is "0.0".
std::string real_to_text(double value);
// sqlite3_value_text: INTEGER and REAL rendered, TEXT as is. NULL gives "" (check first).
std::string to_text(const db::Value& value);

// sqlite3AtoF's verdict on a text: 0 not a number, 1 an integer literal, 2 a real literal
// (leading/trailing blanks allowed), -1 a number followed by something else.
struct ParsedNumber {
  int kind = 0;
  double value = 0;
};
ParsedNumber parse_number(std::string_view text);

// NUMERIC affinity applied to an operand (applyNumericAffinity): a TEXT holding a whole
// integer or real literal becomes INTEGER or REAL; anything else is unchanged.
db::Value numeric_affinity(db::Value value);
// TEXT affinity applied to an operand: INTEGER and REAL become their text.
db::Value text_affinity(db::Value value);
// The value a column of `affinity` holds when `value` is stored in it (REAL stays REAL; no
// INTEGER/REAL distinction is kept for numeric columns beyond what the value has).
db::Value column_value(db::Value value, Affinity affinity);

// sqlite3MemCompare for two non-NULL values: <0, 0, >0 (numbers < text < blob; text by bytes).
int compare_values(const db::Value& a, const db::Value& b);

// a <op> b with SQLite's comparison affinity for operands of the given affinities; nullopt
// is SQL NULL. `op` is not kLike/kNotLike.
std::optional<bool> compare(CompareOp op, db::Value a, Affinity a_affinity, db::Value b,
                            Affinity b_affinity);

// value LIKE pattern ESCAPE '\': ASCII case-insensitive, '%' any run, '_' one character.
std::optional<bool> like(const db::Value& value, const db::Value& pattern);

// LOWER(value): ASCII only, as SQLite without ICU.
db::Value lower(const db::Value& value);

// The argument of a math function (sqlite3_value_numeric_type): a number, or a text that is a
// whole number literal; nullopt (the function returns NULL) for anything else.
std::optional<double> math_argument(const db::Value& value);

}  // namespace basalt::query::sqlite
