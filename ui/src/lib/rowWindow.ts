// Which rows of a long table are in the document (RecordsTable.svelte): those in the scroll
// box's view plus `overscan` above and below, so Tab and the arrow keys always find the next
// row already there. Rows have one fixed height (CSS, measured once rendered), so the rows
// outside the window are stood in for by two spacers of known height.

export interface RowWindow {
  start: number; // first row in the document
  end: number; // one past the last
}

export interface Viewport {
  scrollTop: number; // of the scroll box
  height: number; // its client height
  header: number; // the sticky header's height (rows start below it)
  rowHeight: number;
}

export function rowWindow(view: Viewport, count: number, overscan: number): RowWindow {
  const rowHeight = Math.max(1, view.rowHeight);
  const first = Math.floor(Math.max(0, view.scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, view.scrollTop) + Math.max(0, view.height - view.header)) / rowHeight);
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.max(start, Math.min(count, last + overscan));
  return { start, end };
}

// The scrollTop that brings row `index` fully into view below the sticky header, or the
// current one when it already is.
export function scrollToRow(view: Viewport, index: number): number {
  const top = index * view.rowHeight; // row top, in rows-area coordinates (below the header)
  const visible = Math.max(view.rowHeight, view.height - view.header);
  if (top < view.scrollTop) return top;
  if (top + view.rowHeight > view.scrollTop + visible) return top + view.rowHeight - visible;
  return view.scrollTop;
}
