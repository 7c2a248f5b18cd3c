// REST/GraphQL parity over the records scenarios (docs/graphql.md, "Tests"; tests/scenarios/README.md).
//
// Each tests/scenarios/records/*.scenario file runs against a fresh server exactly as
// records_scenario_test runs it (setup lines, steps as their callers, `$name = path` bindings),
// and every record read among its steps — `GET /api/collections/<c>/records` (a list) and
// `GET …/records/<id>` (a view) — is asked through GraphQL too, as the same caller, and the two
// answers compared:
//   - REST 200 list  -> `<c>(where, order_by, limit, offset)` returns the same ids in the same
//     order, and every scalar field REST shows has the same value (an auth record's `email`
//     that REST leaves out must be null); `expand` paths are selected as nested `{ id }` and
//     must name the same related records (null / [] where REST expands nothing).
//   - REST 200 view  -> `<c>_by_pk(id)` returns the record, compared the same way.
//   - REST 404 view  -> `<c>_by_pk` is null (the record is hidden or missing).
//   - REST 403 (a locked rule) or 404 (unknown collection) -> the root field is not in the
//     caller's schema: a `validation-failed` error.
// `filter` is translated into `where` and `sort` into `order_by` where GraphQL has the same
// meaning; a read that cannot be said in GraphQL (a `@request`/`@collection` macro, a
// modifier such as `:lower`, an all-of comparison over a multi-valued path, a filter REST
// refuses as invalid, …) is listed with its reason, never silently skipped. The checks under
// each step are records_scenario_test's business, not this runner's.
//
// Usage: node tests/scenarios/records_graphql_parity.mjs [file.scenario …]
// (E2E_BASALT_BINARY names the binary; default build/release/basalt). Exit 1 on any mismatch.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from '../e2e/server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const superuser = { email: 'parity@example.com', password: 'parity password 123' };
const userPassword = 'scenario user password';

class Untranslatable extends Error {}

// ---- the scenario text, as scenario_text.cpp reads it ----

function substitute(text, vars) {
  return text.replace(/\$([A-Za-z0-9_]+)/g, (whole, name) => {
    if (!(name in vars)) throw new Error(`unknown variable $${name}`);
    return vars[name];
  });
}

// The query string split on lone `&` (a filter's `&&` stays), as encode_target() does.
function queryParams(query) {
  const params = {};
  let start = 0;
  for (let i = 0; i <= query.length; i += 1) {
    const lone = i < query.length && query[i] === '&' && query[i - 1] !== '&' && query[i + 1] !== '&';
    if (i < query.length && !lone) continue;
    const part = query.slice(start, i);
    const eq = part.indexOf('=');
    if (part) params[eq < 0 ? part : part.slice(0, eq)] = eq < 0 ? '' : part.slice(eq + 1);
    start = i + 1;
  }
  return params;
}

function encodeTarget(target) {
  const q = target.indexOf('?');
  if (q < 0) return target;
  const params = queryParams(target.slice(q + 1));
  return `${target.slice(0, q)}?${Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')}`;
}

function findPath(root, path) {
  if (path === 'json') return root;
  if (path.startsWith('json.')) path = path.slice(5);
  let current = root;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[Number(step)] : current[step];
  }
  return current;
}

// ---- PocketBase filters and sorts into `where` and `order_by` ----

function tokenize(filter) {
  const tokens = [];
  const re = /\s*(?:(\|\||&&|\(|\))|(!=|>=|<=|!~|\?=|\?!=|\?>=|\?<=|\?>|\?<|\?~|\?!~|=|>|<|~)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([@A-Za-z_][\w.:@]*))/y;
  let rest = filter.trim();
  re.lastIndex = 0;
  while (re.lastIndex < rest.length) {
    const at = re.lastIndex;
    const m = re.exec(rest);
    if (!m || m.index !== at) throw new Untranslatable(`cannot read the filter near "${rest.slice(at, at + 20)}"`);
    if (m[1]) tokens.push({ kind: m[1] });
    else if (m[2]) tokens.push({ kind: 'op', value: m[2] });
    else if (m[3]) tokens.push({ kind: 'lit', value: m[3].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (m[4]) tokens.push({ kind: 'lit', value: Number(m[4]) });
    else tokens.push({ kind: 'ident', value: m[5] });
    while (re.lastIndex < rest.length && /\s/.test(rest[re.lastIndex])) re.lastIndex += 1;
  }
  return tokens;
}

const complementOps = { '=': '!=', '!=': '=', '>': '<=', '>=': '<', '<': '>=', '<=': '>', '~': '!~', '!~': '~' };
const plainOps = { '=': '_eq', '!=': '_neq', '>': '_gt', '>=': '_gte', '<': '_lt', '<=': '_lte', '~': '_like', '!~': '_nlike' };

// A path of the collection into its nested where/order_by object, checking each step against
// the schema; `anyOf`: the operator is a `?` one (at least one related value).
function pathShape(schema, collection, path, anyOf, context, lenient = false) {
  const steps = path.split('.');
  let current = schema.byName[collection];
  let multi = false;
  const keys = [];
  for (let i = 0; i < steps.length; i += 1) {
    const step = steps[i];
    if (step.includes(':')) throw new Untranslatable(`the modifier in "${path}" has no GraphQL form`);
    if (step.startsWith('@')) throw new Untranslatable(`"${path}" reads a macro GraphQL has no input for`);
    const via = /^(\w+)_via_(\w+)$/.exec(step);
    if (via && context === 'sort') {
      throw new Untranslatable(`"${path}" sorts through the back-relation ${step}: order_by has no back-relation fields (REST sorts through them)`);
    }
    if (via) {
      const target = schema.byName[via[1]];
      if (!target) throw new Untranslatable(`unknown back-relation ${step}`);
      const field = target.fields.find((f) => f.name === via[2]);
      if (!field || field.type !== 'relation') throw new Untranslatable(`unknown back-relation ${step}`);
      if (!(field.maxSelect === 1 && isUniqueOn(target, field.name))) multi = true;
      keys.push(step);
      current = target;
      continue;
    }
    let field = step === 'id' ? { name: 'id', type: 'text' } : current?.fields.find((f) => f.name === step);
    if (!field && lenient) field = { name: step, type: 'text', maxSelect: 1 };
    if (!field) throw new Untranslatable(`unknown field "${step}" in ${path}`);
    keys.push(step);
    if (i < steps.length - 1) {
      if (field.type !== 'relation') throw new Untranslatable(`"${path}" walks into a non-relation`);
      if (field.maxSelect !== 1) multi = true;
      current = schema.byId[field.collectionId];
    } else if (['select', 'file', 'relation'].includes(field.type) && field.maxSelect !== 1) {
      multi = true;
    } else if (field.type === 'json' || field.type === 'geoPoint') {
      throw new Untranslatable(`${field.type} fields have no comparison in where`);
    }
  }
  // A plain operator on a multi-valued path is an all-of comparison: where says it as the
  // `_not` of the complementary "at least one" comparison, which the server pushes down into
  // exactly the REST form (docs/graphql.md, "`where`").
  if (multi && !anyOf && context === 'filter') keys.allOf = true;
  if (multi && context === 'sort') throw new Untranslatable(`sorting by the multi-valued "${path}"`);
  return keys;
}

function sortsAnAuthEmail(schema, collection, path) {
  let current = schema.byName[collection];
  const steps = path.split('.');
  for (const step of steps.slice(0, -1)) {
    const field = current?.fields.find((f) => f.name === step);
    current = field && schema.byId[field.collectionId];
  }
  return current?.type === 'auth';
}

function isUniqueOn(collection, field) {
  return (collection.indexes ?? []).some((index) => new RegExp(`UNIQUE INDEX[^(]*\\(\\s*\`?${field}\`?\\s*\\)`, 'i').test(index));
}

function nest(keys, leaf) {
  return keys.reduceRight((inner, key) => ({ [key]: inner }), leaf);
}

function translateFilter(schema, collection, filter, lenient = false) {
  const tokens = tokenize(filter);
  let pos = 0;
  const peek = () => tokens[pos];
  function expression() {
    const terms = [conjunction()];
    while (peek()?.kind === '||') { pos += 1; terms.push(conjunction()); }
    return terms.length === 1 ? terms[0] : { _or: terms };
  }
  function conjunction() {
    const terms = [primary()];
    while (peek()?.kind === '&&') { pos += 1; terms.push(primary()); }
    return terms.length === 1 ? terms[0] : { _and: terms };
  }
  function primary() {
    const token = tokens[pos++];
    if (!token) throw new Untranslatable('the filter ends early (REST refuses it)');
    if (token.kind === '(') {
      const inner = expression();
      if (tokens[pos++]?.kind !== ')') throw new Untranslatable('unbalanced parentheses (REST refuses it)');
      return inner;
    }
    const op = tokens[pos++];
    const right = tokens[pos++];
    if (token.kind === 'ident' && token.value.startsWith('@')) throw new Untranslatable(`"${token.value}" reads a macro GraphQL has no input for`);
    if (token.kind !== 'ident' || op?.kind !== 'op' || !right) throw new Untranslatable('not a `path op value` comparison');
    if (right.kind !== 'lit' && !(right.kind === 'ident' && ['true', 'false', 'null'].includes(right.value))) {
      throw new Untranslatable(`the right side "${right.value}" is not a literal (paths and macros on both sides have no where form)`);
    }
    const value = right.kind === 'lit' ? right.value : JSON.parse(right.value);
    const anyOf = op.value.startsWith('?');
    const operator = anyOf ? op.value.slice(1) : op.value;
    const name = plainOps[operator];
    if (!name) throw new Untranslatable(`operator ${op.value}`);
    const keys = pathShape(schema, collection, token.value, anyOf, 'filter', lenient);
    if (keys.allOf) {
      if (value === null) {
        if (operator === '=') return { _not: nest(keys, { _is_null: false }) };
        if (operator === '!=') return { _not: nest(keys, { _is_null: true }) };
        throw new Untranslatable(`${op.value} null`);
      }
      return { _not: nest(keys, { [plainOps[complementOps[operator]]]: value }) };
    }
    if (value === null) {
      if (operator === '=') return nest(keys, { _is_null: true });
      if (operator === '!=') return nest(keys, { _is_null: false });
      throw new Untranslatable(`${op.value} null`);
    }
    return nest(keys, { [name]: value });
  }
  const where = expression();
  if (pos !== tokens.length) throw new Untranslatable('trailing tokens (REST refuses it)');
  return where;
}

function translateSort(schema, collection, sort, isSuperuser, lenient) {
  return sort.split(',').map((term) => {
    term = term.trim();
    const desc = term.startsWith('-');
    const path = term.replace(/^[-+]/, '');
    if (path.startsWith('@')) throw new Untranslatable(`sort by ${path} has no order_by form`);
    const keys = pathShape(schema, collection, path, false, 'sort', lenient);
    if (!isSuperuser && keys[keys.length - 1] === 'email' && path.split('.').length >= 1 && sortsAnAuthEmail(schema, collection, path)) {
      throw new Untranslatable('order_by has no `email` for non-superusers (docs/graphql.md: an order would tell hidden emails apart); REST sorts hidden emails as empty');
    }
    return nest(keys, desc ? 'desc' : 'asc');
  });
}

// A JS value as a GraphQL input literal (enum values for order_by directions).
function literal(value) {
  if (value === 'asc' || value === 'desc') return value;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

// ---- selections and comparison ----

// Scalar fields the caller's type has (hidden ones only for superusers; password and tokenKey
// never), relations and geoPoints left out (compared through `expand` and not at all).
function scalarFields(collection, isSuperuser) {
  const fields = [];
  for (const field of collection.fields) {
    if (['password', 'relation', 'geoPoint'].includes(field.type) || field.name === 'tokenKey') continue;
    if (field.hidden && !isSuperuser) continue;
    fields.push(field.name);
  }
  return fields;
}

// `expand=a,b.c` as a tree: { a: {}, b: { c: {} } }.
function expandTree(expand) {
  const tree = {};
  for (const path of (expand ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    let node = tree;
    for (const step of path.split('.')) node = node[step] ??= {};
  }
  return tree;
}

// Nested lists get REST's own bounds as limits (a multiple relation's maxSelect; a
// back-relation's 1,000), so the GraphQL fan-out bound sees what REST's expand would return.
function selection(schema, collection, fields, tree) {
  const nested = Object.entries(tree).map(([name, sub]) => {
    const via = /^(\w+)_via_(\w+)$/.exec(name);
    let target;
    let limit = '';
    if (via) {
      target = schema.byName[via[1]];
      limit = '(limit: 1000)';
    } else {
      const field = collection?.fields.find((f) => f.name === name);
      target = field && schema.byId[field.collectionId];
      if (field?.maxSelect > 1) limit = `(limit: ${field.maxSelect})`;
    }
    return `${name}${limit} { ${selection(schema, target, ['id'], sub)} }`;
  });
  return [...fields, ...nested].join(' ');
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// The differences between REST's record and GraphQL's, as text ('' when none).
function compareRecord(rest, graph, fields, tree, at) {
  const problems = [];
  if (!graph || rest.id !== graph.id) return [`${at}: REST id ${rest?.id}, GraphQL ${JSON.stringify(graph?.id ?? graph)}`];
  for (const field of fields) {
    const restValue = field in rest ? rest[field] : null; // an email REST leaves out is null here
    if (!sameJson(restValue, graph[field])) {
      problems.push(`${at}.${field}: REST ${JSON.stringify(restValue)}, GraphQL ${JSON.stringify(graph[field])}`);
    }
  }
  for (const [name, sub] of Object.entries(tree)) {
    const restExpanded = rest.expand?.[name];
    const graphValue = graph[name];
    const restList = restExpanded === undefined ? null : [restExpanded].flat();
    const graphList = graphValue === null || graphValue === undefined ? null : [graphValue].flat();
    const restIds = (restList ?? []).map((r) => r.id);
    const graphIds = (graphList ?? []).map((r) => r.id);
    if (!sameJson(restIds, graphIds)) {
      problems.push(`${at}.${name}: REST expands ${JSON.stringify(restIds)}, GraphQL ${JSON.stringify(graphIds)}`);
      continue;
    }
    (restList ?? []).forEach((r, i) => problems.push(...compareRecord(r, graphList[i], ['id'], sub, `${at}.${name}[${i}]`)));
  }
  return problems;
}

// ---- one file ----

async function runFile(file, totals) {
  const server = await startServer({ superuser });
  const vars = {};
  const tokens = {};
  const outcome = { compared: 0, mismatches: [], untranslatable: [], writes: 0 };
  const send = async (method, target, token, body) => {
    const response = await fetch(server.url + encodeTarget(target), {
      method,
      headers: { ...(token ? { Authorization: token } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body,
    });
    const text = await response.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: response.status, json };
  };
  try {
    const signIn = async (collection, identity, password) => {
      const answer = await send('POST', `/api/collections/${collection}/auth-with-password`, '', JSON.stringify({ identity, password }));
      if (answer.status !== 200) throw new Error(`sign-in of ${identity} failed: ${answer.status}`);
      return answer.json.token;
    };
    tokens.superuser = await signIn('_superusers', superuser.email, superuser.password);
    const setup = async (target, body) => {
      const answer = await send('POST', target, tokens.superuser, body);
      if (answer.status !== 200) throw new Error(`setup POST ${target} failed: ${answer.status} ${JSON.stringify(answer.json)}`);
      return answer.json;
    };
    let last;
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let index = 0; index < lines.length; index += 1) {
      const text = lines[index].trim();
      if (!text || text.startsWith('#')) continue;
      const [word] = text.split(/\s+/, 1);
      let rest = text.slice(word.length).trim();
      if (word === 'COLLECTION') {
        await setup('/api/collections', substitute(rest, vars));
      } else if (word === 'USER') {
        const [name] = rest.split(/\s+/, 1);
        const extra = rest.slice(name.length).trim();
        const body = extra ? JSON.parse(substitute(extra, vars)) : {};
        const email = `${name}@scenario.test`;
        Object.assign(body, { email, password: userPassword, passwordConfirm: userPassword });
        vars[name] = (await setup('/api/collections/users/records', JSON.stringify(body))).id;
        tokens[`user:${name}`] = await signIn('users', email, userPassword);
      } else if (word === 'RECORD') {
        const [collection, name] = rest.split(/\s+/, 2);
        const json = rest.slice(rest.indexOf(name) + name.length).trim();
        vars[name] = (await setup(`/api/collections/${collection}/records`, substitute(json, vars))).id;
      } else if (word === 'AS') {
        const [who, method] = rest.split(/\s+/, 2);
        rest = rest.slice(rest.indexOf(method) + method.length).trim();
        const brace = rest.indexOf(' {');
        const target = substitute(brace < 0 ? rest : rest.slice(0, brace), vars).trim();
        const body = brace < 0 ? undefined : substitute(rest.slice(brace).trim(), vars);
        const token = who === 'guest' ? '' : tokens[who];
        if (token === undefined) throw new Error(`unknown caller ${who}`);
        last = await send(method, target, token, body);
        const where = `${basename(file)}:${index + 1}`;
        if (method !== 'GET') {
          outcome.writes += 1;
        } else {
          await compareRead({ send, tokens, who, token, target, rest: last, where, outcome });
        }
      } else if (word.startsWith('$')) {
        const path = rest.replace(/^=\s*/, '');
        const value = last?.json === undefined ? undefined : findPath(last.json, path);
        if (typeof value !== 'string') break; // as the C++ runner: the rest of the file is skipped
        vars[word.slice(1)] = value;
      }
    }
  } finally {
    await server.stop();
  }
  totals.push({ file: basename(file), ...outcome });
}

async function schemaOf(send, superuserToken) {
  const answer = await send('GET', '/api/collections?perPage=500', superuserToken);
  const byName = {};
  const byId = {};
  for (const collection of answer.json.items) {
    byName[collection.name] = collection;
    byId[collection.id] = collection;
  }
  return { byName, byId };
}

async function compareRead({ send, tokens, who, token, target, rest, where, outcome }) {
  const mark = target.indexOf('?');
  const path = mark < 0 ? target : target.slice(0, mark);
  const query = mark < 0 ? '' : target.slice(mark + 1);
  const match = /^\/api\/collections\/([^/]+)\/records(?:\/([^/]+))?$/.exec(path);
  if (!match) return; // not a record read (collections API, files, …): nothing to compare
  const collectionKey = decodeURIComponent(match[1]);
  const id = match[2] && decodeURIComponent(match[2]);
  const untranslatable = (reason) => outcome.untranslatable.push({ where, request: `AS ${who} GET ${target}`, reason });
  const schema = await schemaOf(send, tokens.superuser);
  const collection = schema.byId[collectionKey] ??
    Object.values(schema.byName).find((c) => c.name.toLowerCase() === collectionKey.toLowerCase());
  const isSuperuser = who === 'superuser';
  const graphql = async (document) => {
    const answer = await send('POST', '/api/graphql', token, JSON.stringify({ query: document }));
    return answer.json;
  };

  // The collection missing (404) or the rule locked (403): no root field in this caller's schema.
  if (rest.status === 403 || rest.status === 404) {
    const restMessage = rest.json?.message ?? '';
    const refusedFilter = rest.status === 403 && /filter by @/i.test(restMessage);
    if (refusedFilter) return untranslatable(`REST refuses the filter or sort (${rest.status} "${restMessage}"); where has no @request/@collection form to refuse`);
    if (rest.status === 404 && collection && id && (collection.viewRule !== null || isSuperuser)) {
      // A view of a record the caller may not see, or that does not exist: `_by_pk` is null.
      const answer = await graphql(`{ v: ${collection.name}_by_pk(id: ${JSON.stringify(id)}) { id } }`);
      outcome.compared += 1;
      if (answer?.data?.v !== null || answer?.errors) outcome.mismatches.push({ where, request: `AS ${who} GET ${target}`, problems: [`REST 404, GraphQL ${JSON.stringify(answer)}`] });
      return;
    }
    const name = collection?.name ?? collectionKey;
    if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) return untranslatable(`"${name}" is not a GraphQL name`);
    const answer = await graphql(id ? `{ v: ${name}_by_pk(id: ${JSON.stringify(id)}) { id } }` : `{ v: ${name} { id } }`);
    outcome.compared += 1;
    const refused = answer?.errors?.some((e) => e.extensions?.code === 'validation-failed') && answer.data === undefined;
    if (!refused) outcome.mismatches.push({ where, request: `AS ${who} GET ${target}`, problems: [`REST ${rest.status}, GraphQL answered ${JSON.stringify(answer).slice(0, 300)}`] });
    return;
  }
  if (!collection) return untranslatable('the collection is unknown to the superuser');
  // REST refuses an expand (a hidden relation field, its expand bounds): the same nested
  // selection must be refused too — unless only REST's bounds refuse it (GraphQL's are its own:
  // 6 levels, the fan-out bound), which is listed.
  async function compareRefusedExpand() {
    const expand = queryParams(query).expand;
    if (!expand) return untranslatable(`REST answers 400 (${rest.json?.message ?? ''}) without a filter, sort or expand`);
    const refusedSelect = selection(schema, collection, ['id'], expandTree(expand));
    const document = id ? `{ v: ${collection.name}_by_pk(id: ${JSON.stringify(id)}) { ${refusedSelect} } }` : `{ v: ${collection.name}(limit: ${Number(queryParams(query).perPage ?? 30)}) { ${refusedSelect} } }`;
    const answer = await graphql(document);
    if (answer?.errors) {
      outcome.compared += 1;
      return undefined;
    }
    return untranslatable(`REST refuses the expand (400 "${rest.json?.message ?? ''}"); GraphQL's own bounds (6 levels, 2,000,000 records of fan-out) let the same selection run`);
  }
  if (rest.status === 400 && !id) {
    // A filter or sort REST refuses (unknown or hidden field): the same where / order_by must be
    // refused by GraphQL too. A syntax error has no where form at all.
    const refusedParams = queryParams(query);
    const refusedArgs = [];
    try {
      if (refusedParams.filter) refusedArgs.push(`where: ${literal(translateFilter(schema, collection.name, refusedParams.filter, true))}`);
      if (refusedParams.sort) refusedArgs.push(`order_by: ${literal(translateSort(schema, collection.name, refusedParams.sort, isSuperuser, true))}`);
    } catch (error) {
      if (error instanceof Untranslatable) return untranslatable(`REST refuses it (400) and it has no where/order_by form: ${error.message}`);
      throw error;
    }
    if (refusedArgs.length === 0) return compareRefusedExpand();
    const refusedAnswer = await graphql(`{ v: ${collection.name}(${refusedArgs.join(', ')}) { id } }`);
    outcome.compared += 1;
    if (!refusedAnswer?.errors) outcome.mismatches.push({ where, request: `AS ${who} GET ${target}`, problems: [`REST 400, GraphQL answered ${JSON.stringify(refusedAnswer).slice(0, 300)}`] });
    return;
  }
  if (rest.status === 400 && id) return compareRefusedExpand();
  if (rest.status !== 200) return untranslatable(`REST answers ${rest.status} (${rest.json?.message ?? ''})`);

  const params = queryParams(query);
  if (params.fields) return untranslatable('`fields` projects REST\'s answer; GraphQL selects instead');
  const fields = scalarFields(collection, isSuperuser);
  let tree;
  try {
    tree = expandTree(params.expand);
    for (const name of Object.keys(tree)) pathShape(schema, collection.name, name, true, 'expand');
  } catch (error) {
    if (error instanceof Untranslatable) return untranslatable(error.message);
    throw error;
  }
  const select = selection(schema, collection, fields, tree);
  if (id) {
    const answer = await graphql(`{ v: ${collection.name}_by_pk(id: ${JSON.stringify(id)}) { ${select} } }`);
    outcome.compared += 1;
    const problems = answer?.errors ? [`GraphQL errors ${JSON.stringify(answer.errors)}`] : compareRecord(rest.json, answer.data.v, fields, tree, 'record');
    if (problems.length) outcome.mismatches.push({ where, request: `AS ${who} GET ${target}`, problems });
    return;
  }
  const args = [];
  try {
    if (params.filter) args.push(`where: ${literal(translateFilter(schema, collection.name, params.filter))}`);
    if (params.sort) args.push(`order_by: ${literal(translateSort(schema, collection.name, params.sort, isSuperuser))}`);
  } catch (error) {
    if (error instanceof Untranslatable) return untranslatable(error.message);
    throw error;
  }
  const perPage = Number(params.perPage ?? 30);
  const page = Number(params.page ?? 1);
  args.push(`limit: ${perPage}`, `offset: ${(page - 1) * perPage}`);
  const document = `{ v: ${collection.name}(${args.join(', ')}) { ${select} } }`;
  const answer = await graphql(document);
  outcome.compared += 1;
  if (answer?.errors) {
    outcome.mismatches.push({ where, request: `AS ${who} GET ${target}`, problems: [`GraphQL errors ${JSON.stringify(answer.errors)} for ${document}`] });
    return;
  }
  let restItems = rest.json.items;
  let graphItems = answer.data.v;
  if (collection.type === 'view' && !params.sort) {
    // A view's rows have no insertion order: without a sort both answers are sets.
    const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    restItems = [...restItems].sort(byId);
    graphItems = [...graphItems].sort(byId);
  }
  const problems = [];
  if (!sameJson(restItems.map((r) => r.id), graphItems.map((r) => r.id))) {
    problems.push(`ids: REST ${JSON.stringify(restItems.map((r) => r.id))}, GraphQL ${JSON.stringify(graphItems.map((r) => r.id))} (${document})`);
  } else {
    restItems.forEach((r, i) => problems.push(...compareRecord(r, graphItems[i], fields, tree, `items[${i}]`)));
  }
  if (problems.length) outcome.mismatches.push({ where, request: `AS ${who} GET ${target}`, problems });
}

// ---- main ----

const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(join(here, 'records')).filter((f) => f.endsWith('.scenario')).sort().map((f) => join(here, 'records', f));
const totals = [];
for (const file of files) await runFile(file, totals);

let compared = 0;
let mismatched = 0;
let untranslated = 0;
for (const result of totals) {
  compared += result.compared;
  mismatched += result.mismatches.length;
  untranslated += result.untranslatable.length;
  console.log(`${result.file}: ${result.compared} reads compared, ${result.mismatches.length} differ, ${result.untranslatable.length} not expressible in GraphQL, ${result.writes} writes (setup through REST)`);
  for (const item of result.untranslatable) console.log(`  not expressible  ${item.where}  ${item.request}\n                   ${item.reason}`);
  for (const item of result.mismatches) console.log(`  DIFFERS  ${item.where}  ${item.request}\n    ${item.problems.join('\n    ')}`);
}
console.log(`parity: ${compared} record reads compared, ${mismatched} differ, ${untranslated} not expressible in GraphQL (listed above)`);
process.exit(mismatched === 0 ? 0 : 1);
