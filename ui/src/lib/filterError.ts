// Where the server says a filter (or sort) went wrong: Basalt adds data.filter / data.sort =
// {code, message, position, length?} to the generic 400 (docs/api.md, "Where a filter went
// wrong"). Positions are UTF-8 byte offsets; the input's text is UTF-16, so they are converted
// here. A server (or a caller) without the details yields null and the page shows the message.
import { ClientResponseError } from 'pocketbase';

export interface TextError {
  message: string; // the parser's own words
  start: number; // UTF-16 index into the text sent
  end: number; // exclusive; start + 1 at least, clamped to the text
}

export function textError(err: unknown, key: 'filter' | 'sort', sent: string): TextError | null {
  if (!(err instanceof ClientResponseError)) return null;
  const detail = err.response?.data?.[key];
  if (!detail || typeof detail.position !== 'number') return null;
  const bytes = new TextEncoder().encode(sent);
  const toIndex = (byte: number) =>
    new TextDecoder().decode(bytes.subarray(0, Math.max(0, Math.min(byte, bytes.length)))).length;
  const start = toIndex(detail.position);
  const length = typeof detail.length === 'number' ? detail.length : 0;
  const end = Math.max(start + 1, toIndex(detail.position + length));
  return { message: String(detail.message ?? ''), start, end: Math.min(end, Math.max(sent.length, start + 1)) };
}

// The cursor goes where the server says, so the fix starts there: the input is focused and the
// marked text selected, unless it was edited since the filter was sent.
export function selectMark(input: HTMLInputElement | null, sent: string, mark: TextError) {
  if (!input || input.value !== sent) return;
  input.focus();
  input.setSelectionRange(mark.start, Math.min(mark.end, sent.length));
}
