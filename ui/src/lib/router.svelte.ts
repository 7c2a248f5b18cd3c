// Hash routing: `#/path?query`. The server answers index.html for every /_/ path, but the
// fragment keeps tokens (the install link's) out of request lines and logs.
export interface Route {
  path: string[];
  query: URLSearchParams;
}

function parse(): Route {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?', 2);
  return {
    path: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(query),
  };
}

export const route = $state<{ current: Route }>({ current: parse() });

window.addEventListener('hashchange', () => {
  route.current = parse();
});

export function go(path: string) {
  window.location.hash = '#/' + path.replace(/^\//, '');
}
