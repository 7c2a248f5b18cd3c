#include "basalt/query/postgres_functions.hpp"

#include <string_view>

namespace basalt::query {
namespace {

// The types a raw column or parameter can have on PostgreSQL besides jsonb and basalt_v; a
// function written for basalt_v gets a forwarding overload for each (through basalt_sv), so a
// call resolves whatever the column's type.
constexpr std::string_view kRawTypes[] = {"text", "double precision", "bigint", "integer",
                                          "boolean"};

// The SQL functions, in dependency order. Every string is one statement.
constexpr std::string_view kStatements[] = {
    R"sql(DO $$ BEGIN CREATE TYPE basalt_v AS (v text);
EXCEPTION WHEN duplicate_object THEN NULL; END $$)sql",
    R"sql(DO $$ BEGIN CREATE TYPE basalt_sort_key AS (r smallint, n double precision, s text COLLATE "C");
EXCEPTION WHEN duplicate_object THEN NULL; END $$)sql",

    // JSON text as SQLite's JSON functions write it: no blanks. (jsonb keeps no key order: keys
    // come out in jsonb's order, see docs/postgres.md.)
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_text(j jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN CASE jsonb_typeof(j)
    WHEN 'object' THEN '{' || COALESCE((SELECT string_agg(to_jsonb(e.key)::text || ':' ||
        basalt_json_text(e.value), ',') FROM jsonb_each(j) e), '') || '}'
    WHEN 'array' THEN '[' || COALESCE((SELECT string_agg(basalt_json_text(e.value), ','
        ORDER BY e.n) FROM jsonb_array_elements(j) WITH ORDINALITY e(value, n)), '') || ']'
    ELSE j::text END;
END $$)sql",

    // Leaves: a column or parameter as SQLite reads it.
    R"sql(CREATE OR REPLACE FUNCTION basalt_sv(x text) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL THEN NULL ELSE ROW('t' || x)::basalt_v END $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_sv(x bigint) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL THEN NULL ELSE ROW('i' || x::text)::basalt_v END $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_sv(x integer) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL THEN NULL ELSE ROW('i' || x::text)::basalt_v END $$)sql",
    // NaN is NULL, as SQLite stores it. The text is the shortest exact one (extra_float_digits
    // at its default of 1 or more).
    R"sql(CREATE OR REPLACE FUNCTION basalt_sv(x double precision) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL OR x = 'NaN'::float8 THEN NULL ELSE ROW('r' || x::text)::basalt_v END $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_sv(x boolean) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL THEN NULL WHEN x THEN ROW('i1')::basalt_v ELSE ROW('i0')::basalt_v END $$)sql",
    // A JSON column read as a value: SQLite holds its JSON text.
    R"sql(CREATE OR REPLACE FUNCTION basalt_sv(x jsonb) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL THEN NULL ELSE ROW('t' || basalt_json_text(x))::basalt_v END $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_sv(x basalt_v) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT x $$)sql",

    // CAST(real AS TEXT): "%!.15g" ("5.0", "0.1", "1.0e+20", "Inf"), -0.0 is "0.0".
    R"sql(CREATE OR REPLACE FUNCTION basalt_real_text(r double precision) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET extra_float_digits = 0 AS $$
DECLARE t text; e integer;
BEGIN
  IF r = 0 THEN RETURN '0.0'; END IF;
  IF r = 'Infinity'::float8 THEN RETURN 'Inf'; END IF;
  IF r = '-Infinity'::float8 THEN RETURN '-Inf'; END IF;
  t := r::text;  -- %.15g with extra_float_digits = 0
  e := strpos(t, 'e');
  IF e = 0 THEN
    IF strpos(t, '.') = 0 THEN t := t || '.0'; END IF;
  ELSIF strpos(left(t, e - 1), '.') = 0 THEN
    t := left(t, e - 1) || '.0' || substr(t, e);
  END IF;
  RETURN t;
END $$)sql",
    // sqlite3_value_text: numbers rendered, text as it is.
    R"sql(CREATE OR REPLACE FUNCTION basalt_text(x basalt_v) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE left((x).v, 1) WHEN 'r' THEN basalt_real_text(substr((x).v, 2)::float8)
  ELSE substr((x).v, 2) END $$)sql",

    // NUMERIC affinity (applyNumericAffinity): a text that is a whole integer literal (blanks
    // around allowed) becomes an INTEGER when it fits, a real literal a REAL; the rest stays.
    R"sql(CREATE OR REPLACE FUNCTION basalt_text_number(x basalt_v) RETURNS basalt_v
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE t text; n numeric; mantissa text; exponent numeric;
BEGIN
  t := substr((x).v, 2);
  IF t !~ '^[\t\n\v\f\r ]*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?[\t\n\v\f\r ]*$' THEN
    RETURN x;
  END IF;
  t := btrim(t, chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || ' ');
  IF t ~ '^[-+]?[0-9]+$' THEN
    n := t::numeric;
    IF n BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
      RETURN ROW('i' || n::bigint::text)::basalt_v;
    END IF;
  END IF;
  -- A real: out-of-range literals become what strtod gives (infinity or zero), which
  -- PostgreSQL's float8 input refuses.
  mantissa := substring(t from '^[-+]?[0-9.]+');
  exponent := COALESCE(substring(t from '[eE]([-+]?[0-9]+)$')::numeric, 0);
  IF mantissa::numeric = 0 THEN
    RETURN ROW('r' || CASE WHEN left(t, 1) = '-' THEN '-0' ELSE '0' END)::basalt_v;
  END IF;
  IF exponent > 400 THEN
    RETURN ROW('r' || CASE WHEN left(t, 1) = '-' THEN '-Infinity' ELSE 'Infinity' END)::basalt_v;
  END IF;
  IF exponent < -400 THEN
    RETURN ROW('r' || CASE WHEN left(t, 1) = '-' THEN '-0' ELSE '0' END)::basalt_v;
  END IF;
  n := abs(t::numeric);
  IF n > 1.7976931348623158e308 THEN
    RETURN ROW('r' || CASE WHEN left(t, 1) = '-' THEN '-Infinity' ELSE 'Infinity' END)::basalt_v;
  END IF;
  IF n < 2.4703282292062328e-324 THEN
    RETURN ROW('r' || CASE WHEN left(t, 1) = '-' THEN '-0' ELSE '0' END)::basalt_v;
  END IF;
  RETURN ROW('r' || t::float8::text)::basalt_v;
END $$)sql",
    // Numbers and NULL pass through inline (an SQL function the planner inlines); only a text
    // goes through the parser above.
    R"sql(CREATE OR REPLACE FUNCTION basalt_numeric(x basalt_v) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL OR left((x).v, 1) <> 't' THEN x ELSE basalt_text_number(x) END $$)sql",
    // TEXT affinity: numbers become their text.
    R"sql(CREATE OR REPLACE FUNCTION basalt_textaff(x basalt_v) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL OR left((x).v, 1) = 't' THEN x
  ELSE ROW('t' || basalt_text(x))::basalt_v END $$)sql",

    // sqlite3MemCompare: NULL if either is NULL; numbers before text; numbers by value (an
    // INTEGER against a REAL as doubles); text by bytes (BINARY collation).
    R"sql(CREATE OR REPLACE FUNCTION basalt_cmp(a basalt_v, b basalt_v) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
  WHEN a IS NULL OR b IS NULL THEN NULL
  WHEN left((a).v, 1) = 't' AND left((b).v, 1) = 't' THEN
    CASE WHEN substr((a).v, 2) COLLATE "C" < substr((b).v, 2) COLLATE "C" THEN -1
         WHEN substr((a).v, 2) COLLATE "C" > substr((b).v, 2) COLLATE "C" THEN 1 ELSE 0 END
  WHEN left((a).v, 1) = 't' THEN 1
  WHEN left((b).v, 1) = 't' THEN -1
  WHEN left((a).v, 1) = 'i' AND left((b).v, 1) = 'i' THEN
    CASE WHEN substr((a).v, 2)::bigint < substr((b).v, 2)::bigint THEN -1
         WHEN substr((a).v, 2)::bigint > substr((b).v, 2)::bigint THEN 1 ELSE 0 END
  ELSE
    CASE WHEN substr((a).v, 2)::float8 < substr((b).v, 2)::float8 THEN -1
         WHEN substr((a).v, 2)::float8 > substr((b).v, 2)::float8 THEN 1 ELSE 0 END
  END $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_is(a basalt_v, b basalt_v) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL
  ELSE basalt_cmp(a, b) = 0 END $$)sql",

    // LIKE ... ESCAPE '\': ASCII letters fold (lower() under "C" folds nothing else); a
    // pattern ending in a lone escape matches nothing (SQLite), where PostgreSQL would fail.
    R"sql(CREATE OR REPLACE FUNCTION basalt_like(x basalt_v, p basalt_v) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL OR p IS NULL THEN NULL
  WHEN basalt_text(p) ~ '(^|[^\\])(\\\\)*\\$' THEN FALSE
  ELSE lower(basalt_text(x) COLLATE "C") LIKE lower(basalt_text(p) COLLATE "C") ESCAPE '\' END $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_lower(x basalt_v) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL THEN NULL
  ELSE ROW('t' || lower(basalt_text(x) COLLATE "C"))::basalt_v END $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_concat_pct(x basalt_v) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL THEN NULL ELSE ROW('t%' || basalt_text(x) || '%')::basalt_v END $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_coalesce_empty(x basalt_v) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT COALESCE(x, ROW('t')::basalt_v) $$)sql",

    // JSON. A JSON value as json_extract() and json_each.value give it: a string unquoted,
    // numbers (an integer literal that fits is an INTEGER, others REAL), true/false as 1/0,
    // null as NULL, arrays and objects as their JSON text.
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_value(j jsonb) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE jsonb_typeof(j)
  WHEN 'string' THEN ROW('t' || (j #>> '{}'))::basalt_v
  WHEN 'number' THEN basalt_numeric(ROW('t' || j::text)::basalt_v)
  WHEN 'boolean' THEN CASE WHEN j = 'true'::jsonb THEN ROW('i1')::basalt_v ELSE ROW('i0')::basalt_v END
  WHEN 'null' THEN NULL
  WHEN 'array' THEN ROW('t' || basalt_json_text(j))::basalt_v
  WHEN 'object' THEN ROW('t' || basalt_json_text(j))::basalt_v
  END $$)sql",
    // The document a text holds, NULL when it is no JSON (json_valid() false).
    R"sql(CREATE OR REPLACE FUNCTION basalt_try_jsonb(t text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF t IS NULL OR t !~ '^[\t\n\r ]*[\[{"0-9tfn-]' THEN RETURN NULL; END IF;
  RETURN t::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$)sql",
    // The JSON document SQLite's JSON functions see in a value: a text parsed (NULL when it is
    // no JSON), a number as a JSON number.
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_doc(x basalt_v) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE left((x).v, 1) WHEN 't' THEN basalt_try_jsonb(substr((x).v, 2))
  WHEN 'i' THEN substr((x).v, 2)::jsonb
  WHEN 'r' THEN CASE WHEN substr((x).v, 2) IN ('Infinity', '-Infinity') THEN NULL
                     ELSE basalt_real_text(substr((x).v, 2)::float8)::jsonb END
  END $$)sql",

    // json_extract at a path of steps 'k<key>' (an object member) or 'i<index>' (an array item):
    // NULL where a step does not apply, as SQLite's $.key on an array or $[0] on an object.
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_at(doc jsonb, path text[]) RETURNS basalt_v
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE cur jsonb := doc; step text;
BEGIN
  IF doc IS NULL THEN RETURN NULL; END IF;
  FOREACH step IN ARRAY path LOOP
    IF left(step, 1) = 'i' THEN
      IF jsonb_typeof(cur) <> 'array' OR substr(step, 2)::numeric > 2147483647 THEN
        RETURN NULL;
      END IF;
      cur := cur -> substr(step, 2)::integer;
    ELSE
      IF jsonb_typeof(cur) <> 'object' THEN RETURN NULL; END IF;
      cur := cur -> substr(step, 2);
    END IF;
    IF cur IS NULL THEN RETURN NULL; END IF;
  END LOOP;
  RETURN basalt_json_value(cur);
END $$)sql",
    // PocketBase's (CASE WHEN json_valid(x) THEN json_extract(x, path) ELSE
    // json_extract(json_object('pb', x), '$.pb' || path) END): a value that is no JSON is
    // itself at the empty path and NULL below it.
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_extract(x jsonb, path text[]) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT basalt_json_at(x, path) $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_extract(x basalt_v, path text[]) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL THEN NULL
  WHEN basalt_json_doc(x) IS NOT NULL THEN basalt_json_at(basalt_json_doc(x), path)
  WHEN cardinality(path) = 0 THEN x END $$)sql",

    // json_each's items as jsonb (basalt_json_each gives them as basalt_v in its column `value`;
    // its second column keeps PostgreSQL from expanding the composite into columns of its own).
    // `normalize`: PocketBase's CASE WHEN <valid array> THEN x ELSE json_array(x) END first (a
    // non-array, a non-JSON text or NULL is one item: the value itself, a column's JSON text as a
    // string).
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_items(x jsonb, wrap boolean) RETURNS SETOF jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 4 AS $$
SELECT e FROM jsonb_array_elements(x) e WHERE jsonb_typeof(x) = 'array'
UNION ALL SELECT CASE WHEN x IS NULL THEN 'null'::jsonb ELSE to_jsonb(basalt_json_text(x)) END
  WHERE wrap AND (x IS NULL OR jsonb_typeof(x) <> 'array')
UNION ALL SELECT e FROM jsonb_each(x) AS m(k, e)
  WHERE NOT wrap AND jsonb_typeof(x) = 'object'
UNION ALL SELECT x WHERE NOT wrap AND jsonb_typeof(x) NOT IN ('array', 'object') $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_items(x basalt_v, wrap boolean) RETURNS SETOF jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 4 AS $$
SELECT e FROM jsonb_array_elements(basalt_json_doc(x)) e
  WHERE jsonb_typeof(basalt_json_doc(x)) = 'array'
UNION ALL SELECT CASE WHEN x IS NULL THEN 'null'::jsonb
    WHEN left((x).v, 1) = 't' THEN to_jsonb(substr((x).v, 2)) ELSE basalt_json_doc(x) END
  WHERE wrap AND (x IS NULL OR jsonb_typeof(basalt_json_doc(x)) IS DISTINCT FROM 'array')
UNION ALL SELECT e FROM basalt_json_items(basalt_json_doc(x), false) e
  WHERE NOT wrap AND jsonb_typeof(basalt_json_doc(x)) IS DISTINCT FROM 'array' $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_each(x jsonb, wrap boolean)
RETURNS TABLE(value basalt_v, item bigint) LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 4 AS $$
SELECT basalt_json_value(e), 0::bigint FROM basalt_json_items(x, wrap) e $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_each(x basalt_v, wrap boolean)
RETURNS TABLE(value basalt_v, item bigint) LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 4 AS $$
SELECT basalt_json_value(e), 0::bigint FROM basalt_json_items(x, wrap) e $$)sql",

    // json_array_length of PocketBase's normalized array: 0 for '' and NULL, the item count of
    // an array, 1 for anything else.
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_length(x jsonb) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT ROW('i' || CASE WHEN x IS NULL THEN 0 WHEN jsonb_typeof(x) = 'array'
  THEN jsonb_array_length(x) ELSE 1 END)::basalt_v $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION basalt_json_length(x basalt_v) RETURNS basalt_v
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT ROW('i' || CASE WHEN x IS NULL OR (x).v = 't' THEN 0
  WHEN jsonb_typeof(basalt_json_doc(x)) = 'array' THEN jsonb_array_length(basalt_json_doc(x))
  ELSE 1 END)::basalt_v $$)sql",

    // A math function's argument: a number, or a text that is a number literal; NULL else.
    R"sql(CREATE OR REPLACE FUNCTION basalt_math_arg(x basalt_v) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN left((basalt_numeric(x)).v, 1) IN ('i', 'r')
  THEN substr((basalt_numeric(x)).v, 2)::float8 END $$)sql",
    // PocketBase's haversine (the SQLite spelling): NULL where acos() leaves its domain.
    R"sql(CREATE OR REPLACE FUNCTION basalt_geo_distance(lon_a basalt_v, lat_a basalt_v,
  lon_b basalt_v, lat_b basalt_v) RETURNS basalt_v
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE x1 float8 := basalt_math_arg(lon_a); y1 float8 := basalt_math_arg(lat_a);
  x2 float8 := basalt_math_arg(lon_b); y2 float8 := basalt_math_arg(lat_b); c float8;
BEGIN
  IF x1 IS NULL OR y1 IS NULL OR x2 IS NULL OR y2 IS NULL THEN RETURN NULL; END IF;
  c := cos(radians(y1)) * cos(radians(y2)) * cos(radians(x2) - radians(x1)) +
       sin(radians(y1)) * sin(radians(y2));
  IF c IS NULL OR c = 'NaN'::float8 OR c > 1 OR c < -1 THEN RETURN NULL; END IF;
  RETURN basalt_sv(6371 * acos(c));
END $$)sql",

    // strftime(format, time, modifiers...) for the time values and modifiers PocketBase's
    // datetime text needs: 'now', 'YYYY-MM-DD[ HH:MM[:SS[.fff]]][Z]' (T or blank), a number as a
    // Julian day; modifiers '[+-]N days|hours|minutes|seconds|months|years', 'start of
    // day|month|year', 'unixepoch' (after a number), 'utc'/'localtime' (no-ops: UTC). Formats
    // %d %f %H %j %J %m %M %s %S %w %W %Y %%. Anything else gives NULL, as SQLite does for what
    // it does not know (docs/postgres.md lists what is missing).
    R"sql(CREATE OR REPLACE FUNCTION basalt_strftime(fmt basalt_v, args basalt_v[]) RETURNS basalt_v
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  ts timestamp; f text; out text := ''; i integer; c text; m text; n numeric; jd float8;
  parts text[];
BEGIN
  IF fmt IS NULL THEN RETURN NULL; END IF;
  f := basalt_text(fmt);
  IF cardinality(args) = 0 OR (args[1] IS NOT NULL AND lower(basalt_text(args[1])) = 'now') THEN
    ts := date_trunc('milliseconds', statement_timestamp() AT TIME ZONE 'UTC');
  ELSIF args[1] IS NULL THEN
    RETURN NULL;
  ELSIF left((args[1]).v, 1) IN ('i', 'r') OR left((basalt_numeric(args[1])).v, 1) IN ('i', 'r') THEN
    n := substr((basalt_numeric(args[1])).v, 2)::float8::numeric;
    IF cardinality(args) >= 2 AND args[2] IS NOT NULL AND lower(basalt_text(args[2])) = 'unixepoch' THEN
      n := n / 86400 + 2440587.5;
      args := args[2:];
    END IF;
    -- PostgreSQL's timestamps start a year after Julian day 0 and end in 294276: outside
    -- that (SQLite goes from day 0 to 9999-12-31) the answer is NULL.
    IF n < 366 OR n > 5373484.5 THEN RETURN NULL; END IF;
    ts := timestamp '1970-01-01' + make_interval(secs => ((n - 2440587.5) * 86400)::float8);
  ELSE
    parts := regexp_match(basalt_text(args[1]),
      '^\s*(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?)?\s*(Z|[-+]\d\d:\d\d)?\s*$');
    IF parts IS NULL THEN RETURN NULL; END IF;
    BEGIN
      ts := make_timestamp(parts[1]::int, parts[2]::int, parts[3]::int, COALESCE(parts[4], '0')::int,
        COALESCE(parts[5], '0')::int, (COALESCE(parts[6], '0') || COALESCE(parts[7], ''))::float8);
    EXCEPTION WHEN others THEN RETURN NULL;
    END;
    IF parts[8] IS NOT NULL AND parts[8] <> 'Z' THEN
      ts := ts - (parts[8] || ':00')::interval;
    END IF;
  END IF;
  FOR i IN 2 .. cardinality(args) LOOP
    IF args[i] IS NULL THEN RETURN NULL; END IF;
    m := lower(btrim(basalt_text(args[i])));
    IF m IN ('utc', 'localtime') THEN CONTINUE; END IF;
    IF m = 'start of day' THEN ts := date_trunc('day', ts);
    ELSIF m = 'start of month' THEN ts := date_trunc('month', ts);
    ELSIF m = 'start of year' THEN ts := date_trunc('year', ts);
    ELSIF m ~ '^[-+]?\d+(\.\d*)?\s+(day|hour|minute|second|month|year)s?$' THEN
      parts := regexp_match(m, '^([-+]?\d+(?:\.\d*)?)\s+(day|hour|minute|second|month|year)s?$');
      IF parts[2] IN ('month', 'year') AND parts[1] !~ '^[-+]?\d+$' THEN RETURN NULL; END IF;
      ts := ts + (parts[1] || ' ' || parts[2])::interval;
    ELSE
      RETURN NULL;
    END IF;
  END LOOP;
  jd := extract(epoch FROM ts)::float8 / 86400 + 2440587.5;
  i := 1;
  WHILE i <= length(f) LOOP
    c := substr(f, i, 1);
    IF c <> '%' THEN out := out || c; i := i + 1; CONTINUE; END IF;
    c := substr(f, i + 1, 1);
    i := i + 2;
    out := out || CASE c
      WHEN 'd' THEN to_char(ts, 'DD') WHEN 'H' THEN to_char(ts, 'HH24')
      WHEN 'm' THEN to_char(ts, 'MM') WHEN 'M' THEN to_char(ts, 'MI')
      WHEN 'S' THEN to_char(ts, 'SS') WHEN 'Y' THEN to_char(ts, 'YYYY')
      WHEN 'f' THEN to_char(ts, 'SS.MS') WHEN 'j' THEN to_char(ts, 'DDD')
      WHEN 'w' THEN extract(dow FROM ts)::text
      WHEN 'W' THEN lpad(((extract(doy FROM ts)::int + 6 - ((extract(dow FROM ts)::int + 6) % 7)) / 7)::text, 2, '0')
      WHEN 's' THEN floor(extract(epoch FROM ts))::bigint::text
      WHEN 'J' THEN basalt_text(basalt_sv(jd))
      WHEN '%' THEN '%'
      END;
    IF out IS NULL THEN RETURN NULL; END IF;
  END LOOP;
  RETURN ROW('t' || out)::basalt_v;
END $$)sql",

    // ORDER BY key with SQLite's order: NULL first, then numbers by value, then text by bytes.
    R"sql(CREATE OR REPLACE FUNCTION basalt_sort(x basalt_v) RETURNS basalt_sort_key
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x IS NULL THEN ROW(0, NULL, NULL)::basalt_sort_key
  WHEN left((x).v, 1) = 't' THEN ROW(2, NULL, substr((x).v, 2))::basalt_sort_key
  ELSE ROW(1, substr((x).v, 2)::float8, NULL)::basalt_sort_key END $$)sql",
};

// Functions over basalt_v that also take a raw column or parameter of `kRawTypes`:
// name, the parameters after the first, the arguments passed on after the first, the result.
struct Forward {
  std::string_view name;
  std::string_view rest_params;
  std::string_view rest_args;
  std::string_view returns;
};
constexpr Forward kForwards[] = {
    {"basalt_json_extract", ", path text[]", ", path", "basalt_v"},
    {"basalt_json_each", ", wrap boolean", ", wrap", "TABLE(value basalt_v, item bigint)"},
    {"basalt_json_length", "", "", "basalt_v"},
};

}  // namespace

const std::vector<std::string>& postgres_filter_functions() {
  static const std::vector<std::string> statements = [] {
    std::vector<std::string> out(std::begin(kStatements), std::end(kStatements));
    for (const Forward& forward : kForwards) {
      for (std::string_view type : kRawTypes) {
        const bool set = forward.returns.starts_with("TABLE");
        out.push_back("CREATE OR REPLACE FUNCTION " + std::string(forward.name) + "(x " +
                      std::string(type) + std::string(forward.rest_params) + ") RETURNS " +
                      std::string(forward.returns) +
                      (set ? " LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 4 AS $$ SELECT "
                           : " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ") +
                      (set ? std::string("* FROM ") : std::string()) + std::string(forward.name) +
                      "(basalt_sv(x)" + std::string(forward.rest_args) + ") $$");
      }
    }
    return out;
  }();
  return statements;
}

}  // namespace basalt::query
