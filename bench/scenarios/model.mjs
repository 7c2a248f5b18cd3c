// What the load program knows it wrote: every record it created, kept in memory, so the checks
// compute the answers a scenario must get without asking the server (the expected counts of the
// rule scenarios are evaluated here in JavaScript, independently of Basalt's query compiler).
// Owned by the one async flow of main.mjs; responses update it as they arrive.
import { POST_COLLECTIONS } from './schema.mjs';

export class Model {
  constructor() {
    /** @type {Map<string, {name: string}>} */
    this.organizations = new Map();
    /** @type {Map<string, {name: string, active: boolean}>} */
    this.permissions = new Map();
    /** @type {Map<string, {email: string, organization: string, permissions: string[]}>} */
    this.users = new Map();
    /** @type {Record<string, Map<string, {author: string, type: string[], description: string, public: boolean}>>} */
    this.posts = Object.fromEntries(POST_COLLECTIONS.map((name) => [name, new Map()]));
    // Each author's posts as [collection, id], so a cascading delete costs the author's posts,
    // not a scan of all of them: the model runs on the load program's one thread, and a slow
    // bookkeeping step there would delay the requests being measured. Entries of posts deleted
    // one by one stay behind and are skipped.
    /** @type {Map<string, Array<[string, string]>>} */
    this.postsByAuthor = new Map();
  }

  addPost(collection, id, post) {
    this.posts[collection].set(id, post);
    const list = this.postsByAuthor.get(post.author);
    if (list) list.push([collection, id]);
    else this.postsByAuthor.set(post.author, [[collection, id]]);
  }

  deletePost(collection, id) {
    this.posts[collection].delete(id);
  }

  /** A user goes with its posts (the author relation cascades). */
  deleteUser(id) {
    this.users.delete(id);
    for (const [collection, postId] of this.postsByAuthor.get(id) ?? []) this.posts[collection].delete(postId);
    this.postsByAuthor.delete(id);
  }

  /** An organization goes with its users (organization is a required, cascading relation). */
  deleteOrganization(id) {
    this.organizations.delete(id);
    for (const [userId, user] of this.users) if (user.organization === id) this.deleteUser(userId);
  }
}

/**
 * The list rules of the rule scenarios, each beside a JavaScript predicate saying which posts it
 * lets a signed-in user see. Multi-valued paths: a plain operator must hold for every value
 * (all-of), the `?` form for at least one (any-of).
 * @type {Record<string, (post: any, model: Model, authId: string) => boolean>}
 */
export const RULE_PREDICATES = {
  '': () => true,
  "@request.auth.id != ''": (_post, _model, authId) => authId !== '',
  'author = @request.auth.id': (post, _model, authId) => post.author === authId,
  'author.id = @request.auth.id': (post, _model, authId) => post.author === authId,
  "description ~ 'ipsum dolor'": (post) => post.description.toLowerCase().includes('ipsum dolor'),
  "type:each != 'c'": (post) => post.type.every((value) => value !== 'c'),
  "type:each ?!= 'c'": (post) => post.type.some((value) => value !== 'c'),
  "author.organization.name != 'test'": (post, model) => {
    const author = model.users.get(post.author);
    return author !== undefined && model.organizations.get(author.organization).name !== 'test';
  },
  'author.permissions.active = true': (post, model) => {
    const author = model.users.get(post.author);
    return author !== undefined && author.permissions.length > 0 &&
      author.permissions.every((id) => model.permissions.get(id).active === true);
  },
  'author.permissions.active ?= true': (post, model) => {
    const author = model.users.get(post.author);
    return author !== undefined && author.permissions.some((id) => model.permissions.get(id).active === true);
  },
};

/** How many posts of `collection` the list rule lets the user `authId` see. */
export function expectedVisible(model, collection, rule, authId) {
  const predicate = RULE_PREDICATES[rule];
  if (!predicate) throw new Error(`no predicate for rule ${JSON.stringify(rule)}`);
  let count = 0;
  for (const post of model.posts[collection].values()) if (predicate(post, model, authId)) count++;
  return count;
}
