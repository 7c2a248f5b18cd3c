// The one SDK client of the dashboard: same origin, the session kept in localStorage by the
// SDK's default auth store. Every page talks to the server only through it (public API only).
import PocketBase, { ClientResponseError } from 'pocketbase';

export const pb = new PocketBase(window.location.origin);
// Pages cancel nothing implicitly: a list reload must not abort a form's request.
pb.autoCancellation(false);

export type FieldErrors = Record<string, string>;

// The server's error as one message plus a flat map of field path -> message
// ("fields.2.name" for nested data), from PocketBase's {"status","message","data"} format.
export function apiError(err: unknown): { message: string; fields: FieldErrors } {
  if (err instanceof ClientResponseError) {
    const fields: FieldErrors = {};
    flatten(err.response?.data ?? {}, '', fields);
    const message = err.response?.message || err.message || 'Request failed.';
    return { message: err.status === 0 ? 'The server could not be reached.' : message, fields };
  }
  return { message: err instanceof Error ? err.message : String(err), fields: {} };
}

function flatten(data: unknown, prefix: string, out: FieldErrors) {
  if (!data || typeof data !== 'object') return;
  const object = data as Record<string, unknown>;
  if (typeof object.message === 'string' && typeof object.code === 'string') {
    out[prefix] = object.message;
    return;
  }
  for (const [key, value] of Object.entries(object)) {
    flatten(value, prefix ? `${prefix}.${key}` : key, out);
  }
}
