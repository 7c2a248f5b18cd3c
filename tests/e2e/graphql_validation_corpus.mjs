// Regenerates src/basalt/graphql/testdata/validation_corpus.json from validation_documents.graphql
// beside it: each document with graphql-js's verdict against the same example schema that
// src/basalt/graphql/testing/pet_schema.cpp builds (SDL below, kept in step by hand). The unit
// test GraphqlCorpus.VerdictsMatchGraphqlJs holds Basalt's parser and validator to these
// verdicts. Not a test file itself (node --test does not pick it up); run it after editing the
// documents:
//
//   cd tests/e2e && node graphql_validation_corpus.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate } from 'graphql';

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

const documents = fs
  .readFileSync(path.join(testdata, 'validation_documents.graphql'), 'utf8')
  .replace(/\n$/, '')
  .split('\n# ---\n');

const corpus = documents.map((document) => ({ ...judge(document), ...divergences.get(document) }));

function judge(document) {
  let ast;
  try {
    ast = parse(document);
  } catch (error) {
    return { document, verdict: 'syntax', reference: error.message };
  }
  const errors = validate(schema, ast);
  return errors.length === 0
    ? { document, verdict: 'valid' }
    : { document, verdict: 'invalid', reference: errors[0].message };
}

fs.writeFileSync(path.join(testdata, 'validation_corpus.json'), JSON.stringify(corpus, null, 1) + '\n');
const counts = {};
for (const entry of corpus) counts[entry.verdict] = (counts[entry.verdict] ?? 0) + 1;
console.log(`${corpus.length} documents:`, counts);
