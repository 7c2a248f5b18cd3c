// Regenerates the corpora of src/basalt/graphql/testdata:
//   validation_corpus.json  the documents of validation_documents.graphql with graphql-js's
//                           verdict against the example schema that
//                           src/basalt/graphql/testing/pet_schema.cpp builds (SDL below, kept in
//                           step by hand);
//   graphql_js_corpus.json  the documents of graphql-js's own validation tests
//                           (graphql_js_documents.graphql) with its verdict against its test
//                           schema (graphql_js_schema.graphql), and that schema as introspection
//                           JSON, from which the unit test builds Basalt's Schema;
//   coercion_corpus.json    variable coercion cases (below) with getVariableValues' outcome.
// The unit tests GraphqlCorpus.* hold Basalt's parser and validator to these verdicts. Not a test file itself (node --test does not pick it up); run it after editing the
// documents:
//
//   cd tests/e2e && node graphql_validation_corpus.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, introspectionFromSchema, parse, validate } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const testdata = path.join(here, '../../src/basalt/graphql/testdata');

const schema = buildSchema(`
  type Query {
    dog: Dog
    human: Human
    pet: Pet
    catOrDog: CatOrDog
    dogOrHuman: DogOrHuman
    humanOrAlien: HumanOrAlien
    sentient: Sentient
    arguments: Arguments
    findDog(complex: ComplexInput, searchBy: FindDogInput): Dog
    booleanList(booleanListArg: [Boolean!]): [Boolean]
    json(value: JSON): JSON
    filterDogs(where: DogFilter): [Dog!]!
  }
  type Mutation { addDog(name: String!, tags: [String!]): Dog }
  type Subscription { newMessage: Message, disallowedSecondRootField: Boolean }
  type Message { body: String, sender: String }
  enum DogCommand { SIT DOWN HEEL }
  enum CatCommand { JUMP }
  interface Sentient { name: String! }
  interface Pet { name: String! }
  type Dog implements Pet {
    name: String!
    nickname: String
    barkVolume: Int
    doesKnowCommand(dogCommand: DogCommand!): Boolean!
    isHouseTrained(atOtherHomes: Boolean): Boolean!
    owner: Human
  }
  type Alien implements Sentient { name: String!, homePlanet: String }
  type Human implements Sentient { name: String!, pets: [Pet!], iq: Int }
  type Cat implements Pet {
    name: String!
    nickname: String
    doesKnowCommand(catCommand: CatCommand!): Boolean!
    meowVolume: Int
    owner: Human
  }
  union CatOrDog = Cat | Dog
  union DogOrHuman = Dog | Human
  union HumanOrAlien = Human | Alien
  input ComplexInput { name: String, owner: String }
  input FindDogInput { name: String, owner: String, command: DogCommand!, limit: Int! = 10 }
  input DogFilter { name: String, and: [DogFilter!] }
  type Arguments {
    multipleRequirements(x: Int!, y: Int!): Int!
    booleanArgField(booleanArg: Boolean): Boolean
    floatArgField(floatArg: Float): Float
    intArgField(intArg: Int): Int
    idArgField(idArg: ID): ID
    nonNullBooleanArgField(nonNullBooleanArg: Boolean!): Boolean!
    booleanListArgField(booleanListArg: [Boolean]!): [Boolean]
    optionalNonNullBooleanArgField(optionalBooleanArg: Boolean! = false): Boolean!
    nonNullListArgField(nonNullListArg: [Boolean!]!): [Boolean!]
  }
  scalar JSON
  schema { query: Query, mutation: Mutation, subscription: Subscription }
`);

// Where Basalt follows the specification and graphql-js 16 does not: the entry keeps graphql-js's
// verdict and adds Basalt's, with the reason.
const divergences = new Map([
  [
    '{ arguments { floatArgField(floatArg: 1e400) } }',
    {
      basalt: 'invalid',
      why: 'a Float literal outside finite IEEE 754 is a request error (spec 3.5.2); ' +
        'graphql-js 16 accepts it as Infinity',
    },
  ],
]);

// The documents of a file: chunks separated by `# ---` lines; a leading chunk of comments only
// (a header) is not a document.
function readDocuments(name) {
  const chunks = fs.readFileSync(path.join(testdata, name), 'utf8').replace(/\n$/, '').split('\n# ---\n');
  if (chunks[0].split('\n').every((line) => line.startsWith('#'))) chunks.shift();
  return chunks;
}

function judge(document, against) {
  let ast;
  try {
    ast = parse(document);
  } catch (error) {
    return { document, verdict: 'syntax', reference: error.message };
  }
  const errors = validate(against, ast);
  return errors.length === 0
    ? { document, verdict: 'valid' }
    : { document, verdict: 'invalid', reference: errors[0].message };
}

function write(name, corpus, extra = {}) {
  fs.writeFileSync(
    path.join(testdata, name),
    JSON.stringify({ ...extra, entries: corpus }, null, 1) + '\n',
  );
  const counts = {};
  for (const entry of corpus) counts[entry.verdict] = (counts[entry.verdict] ?? 0) + 1;
  console.log(`${name}: ${corpus.length} documents`, counts);
}

write(
  'validation_corpus.json',
  readDocuments('validation_documents.graphql').map((document) => ({
    ...judge(document, schema),
    ...divergences.get(document),
  })),
);

const graphqlJsSchema = buildSchema(
  fs.readFileSync(path.join(testdata, 'graphql_js_schema.graphql'), 'utf8'),
);
// graphql-js 16 also checks @oneOf input objects, a later addition to GraphQL than the
// October 2021 edition Basalt implements; its test schema's OneOfInput is an ordinary input
// object to Basalt.
function oneOfDivergence(entry) {
  if (entry.verdict !== 'invalid' || !/OneOf/.test(entry.reference)) return {};
  return {
    basalt: 'valid',
    why: '@oneOf input objects are newer than the October 2021 specification; to Basalt ' +
      'OneOfInput is an ordinary input object',
  };
}

write(
  'graphql_js_corpus.json',
  readDocuments('graphql_js_documents.graphql').map((document) => {
    const entry = judge(document, graphqlJsSchema);
    return { ...entry, ...oneOfDivergence(entry), ...divergences.get(document) };
  }),
  { schema: introspectionFromSchema(graphqlJsSchema, { inputValueDeprecation: true }).__schema },
);

// Variable coercion: each case is variable definitions and a JSON `variables` object; the corpus
// keeps the document (the variables used in a JSON argument), the JSON text, and what graphql-js's
// getVariableValues makes of it: the coerced values, or an error.
const coercionCases = [
  ['$a: Int', '{"a": 1}'], ['$a: Int', '{"a": -2147483648}'], ['$a: Int', '{"a": 2147483648}'],
  ['$a: Int', '{"a": 3.0}'], ['$a: Int', '{"a": 3.5}'], ['$a: Int', '{"a": "3"}'],
  ['$a: Int', '{"a": true}'], ['$a: Int', '{"a": 1e3}'], ['$a: Int', '{"a": null}'],
  ['$a: Int', '{}'], ['$a: Int!', '{}'], ['$a: Int!', '{"a": null}'], ['$a: Int! = 4', '{}'],
  ['$a: Int = 4', '{"a": null}'], ['$a: Float', '{"a": 1}'], ['$a: Float', '{"a": 1.5}'],
  ['$a: Float', '{"a": "1.5"}'], ['$a: Float', '{"a": false}'], ['$a: String', '{"a": "x"}'],
  ['$a: String', '{"a": 1}'], ['$a: String', '{"a": ["x"]}'], ['$a: Boolean', '{"a": true}'],
  ['$a: Boolean', '{"a": 0}'], ['$a: ID', '{"a": "x"}'], ['$a: ID', '{"a": 12}'],
  ['$a: ID', '{"a": 1.5}'], ['$a: ID', '{"a": 2.0}'], ['$a: ID', '{"a": true}'],
  ['$a: DogCommand', '{"a": "SIT"}'], ['$a: DogCommand', '{"a": "sit"}'],
  ['$a: DogCommand', '{"a": 0}'], ['$a: [Int]', '{"a": [1, null, 3]}'],
  ['$a: [Int]', '{"a": 5}'], ['$a: [Int!]', '{"a": [1, null]}'], ['$a: [Int]!', '{"a": []}'],
  ['$a: [[Int]]', '{"a": [[1], [2, 3]]}'], ['$a: [[Int]]', '{"a": [1, 2]}'],
  ['$a: [[Int]]', '{"a": 7}'], ['$a: [Int]', '{"a": [1, "x"]}'],
  ['$a: FindDogInput', '{"a": {"command": "SIT"}}'],
  ['$a: FindDogInput', '{"a": {"command": "HEEL", "name": "Rex", "limit": 3}}'],
  ['$a: FindDogInput', '{"a": {"name": "Rex"}}'],
  ['$a: FindDogInput', '{"a": {"command": "SIT", "color": "red"}}'],
  ['$a: FindDogInput', '{"a": {"command": "SIT", "limit": null}}'],
  ['$a: FindDogInput', '{"a": {"command": "SIT", "owner": null}}'],
  ['$a: FindDogInput', '{"a": "SIT"}'], ['$a: FindDogInput', '{"a": [{"command": "SIT"}]}'],
  ['$a: [FindDogInput!]', '{"a": {"command": "DOWN"}}'],
  ['$a: DogFilter', '{"a": {"and": [{"name": "x"}, {"and": [{}]}]}}'],
  ['$a: DogFilter', '{"a": {"and": {"name": "x"}}}'],
  ['$a: DogFilter', '{"a": {"and": [null]}}'], ['$a: JSON', '{"a": {"any": [1, "x", null]}}'],
  ['$a: FindDogInput = {command: SIT}', '{}'], ['$a: [Int] = [1, 2]', '{}'],
  ['$a: [Int] = 3', '{}'], ['$a: DogCommand = HEEL', '{}'], ['$a: ID = 5', '{}'],
  ['$a: Float = 5', '{}'], ['$a: Int, $b: String!', '{"a": "x"}'],
  ['$a: Int, $b: String', '{"a": 1, "b": "y", "c": "ignored"}'],
];

const coercionDocument = (definitions) =>
  `query (${definitions}) { json(value: [${[...definitions.matchAll(/\$(\w+)/g)]
    .map((m) => '$' + m[1])
    .join(' ')}]) }`;

const coercion = coercionCases.map(([definitions, variables]) => {
  const document = coercionDocument(definitions);
  const operation = parse(document).definitions[0];
  const result = getVariableValues(schema, operation.variableDefinitions, JSON.parse(variables));
  return result.errors
    ? { document, variables, outcome: 'error', reference: result.errors[0].message }
    : { document, variables, outcome: 'ok', coerced: result.coerced };
});
fs.writeFileSync(
  path.join(testdata, 'coercion_corpus.json'),
  JSON.stringify({ entries: coercion }, null, 1) + '\n',
);
console.log(`coercion_corpus.json: ${coercion.length} cases`);
