// Render timing of the records browser (docs/dashboard.md, "Tests"), as User Timing entries
// anyone can read in the browser's performance timeline (the UI test does):
//   mark 'records:response'  the SDK handed over the parsed list (JSON already decoded);
//   mark 'records:painted'   a task queued from the first animation frame after Svelte applied
//                            the new rows to the DOM, so it runs once that frame's style,
//                            layout and paint are done;
//   measure 'records:render' between the two, detail {rows}: the rows of the page shown.
import { tick } from 'svelte';

const KEPT = 100; // measures kept; a long-open tab with realtime reloads stays bounded

export function markResponse() {
  performance.clearMarks('records:response');
  performance.mark('records:response');
}

export async function measureRender(rows: number) {
  await tick();
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (performance.getEntriesByName('records:render').length >= KEPT) performance.clearMeasures('records:render');
      performance.clearMarks('records:painted');
      performance.mark('records:painted');
      performance.measure('records:render', { start: 'records:response', end: 'records:painted', detail: { rows } });
    }, 0),
  );
}
