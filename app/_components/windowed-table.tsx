"use client";

/**
 * A windowed (virtualised) table for fleet-scale lists: rows have one fixed height, only the rows in
 * view (plus a few either side) are in the DOM, and spacer rows keep the scroll height exact, so
 * nothing moves when rows come and go. The server render (and a browser without JS) gets every row
 * of the page; once mounted the table trims to the visible window at the same total height.
 *
 * Keyboard: one row is in the tab order (roving tabindex); ↑/↓ move one row, PageUp/PageDown one
 * screen, Home/End to the first/last row (when the row itself has focus), Enter opens the row's
 * first link. Focus moves and the container scrolls so the focused row is in view.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from "react";

export type WindowedRowProps = {
  "data-row-index": number;
  "aria-rowindex": number;
  tabIndex: number;
  style: CSSProperties;
};

type View = { top: number; height: number };

/** The windowing maths, for any scroll container whose content starts with a header of `headerHeight`. */
export function windowRange(view: View | null, rowCount: number, rowHeight: number, overscan: number): { start: number; end: number } {
  if (view === null) return { start: 0, end: rowCount };
  const start = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const end = Math.min(rowCount, Math.ceil((view.top + view.height) / rowHeight) + overscan);
  return { start: Math.min(start, end), end };
}

/** The key → next row index (null: not a navigation key). */
export function nextRowIndex(key: string, current: number, rowCount: number, pageRows: number, onRow: boolean): number | null {
  if (rowCount === 0) return null;
  const clamp = (n: number) => Math.max(0, Math.min(rowCount - 1, n));
  switch (key) {
    case "ArrowDown":
      return clamp(current + 1);
    case "ArrowUp":
      return clamp(current - 1);
    case "PageDown":
      return clamp(current + pageRows);
    case "PageUp":
      return clamp(current - pageRows);
    case "Home":
      return onRow ? 0 : null;
    case "End":
      return onRow ? rowCount - 1 : null;
    default:
      return null;
  }
}

export function WindowedTable({
  rowCount,
  rowHeight,
  renderRow,
  head,
  colgroup,
  label,
  maxHeight = "70vh",
  overscan = 8,
  className = "",
  tableClassName = "",
  testId,
  resetKey,
  onWindow,
}: {
  rowCount: number;
  /** px; every row is exactly this tall (cells must not wrap) */
  rowHeight: number;
  renderRow: (index: number, rowProps: WindowedRowProps) => ReactNode;
  /** the header row(s), rendered in a sticky <thead> */
  head: ReactNode;
  colgroup?: ReactNode;
  label: string;
  maxHeight?: string;
  overscan?: number;
  className?: string;
  tableClassName?: string;
  testId?: string;
  /** a new value (a new page, filter or sort) scrolls back to the top */
  resetKey?: string;
  /** told which rows [start, end) are in the DOM */
  onWindow?: (range: { start: number; end: number }) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View | null>(null);
  const [active, setActive] = useState(0);
  const pendingFocus = useRef<number | null>(null);

  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const head = el.querySelector("thead")?.offsetHeight ?? 0;
    const top = Math.max(0, el.scrollTop - head);
    setView((v) => (v && v.top === top && v.height === el.clientHeight ? v : { top, height: el.clientHeight }));
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let raf = 0;
    const schedule = () => {
      if (raf === 0) {
        raf = requestAnimationFrame(() => {
          raf = 0;
          measure();
        });
      }
    };
    measure();
    el.addEventListener("scroll", schedule, { passive: true });
    const ro = new ResizeObserver(schedule);
    ro.observe(el);
    // a printout gets every row of the page
    const beforePrint = () => setView(null);
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", schedule);
    return () => {
      window.removeEventListener("beforeprint", beforePrint);
      window.removeEventListener("afterprint", schedule);
      el.removeEventListener("scroll", schedule);
      ro.disconnect();
      if (raf !== 0) cancelAnimationFrame(raf);
    };
  }, [measure]);

  // A new data set starts at its top (state adjusted during render, no effect).
  const [seenKey, setSeenKey] = useState(resetKey);
  if (seenKey !== resetKey) {
    setSeenKey(resetKey);
    setActive(0);
  }
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && el.scrollTop !== 0) el.scrollTop = 0;
  }, [resetKey]);

  useEffect(() => {
    const n = pendingFocus.current;
    if (n === null) return;
    pendingFocus.current = null;
    scroller.current?.querySelector<HTMLElement>(`tr[data-row-index="${n}"]`)?.focus({ preventScroll: true });
  });

  const focusRow = (n: number) => {
    const el = scroller.current;
    if (!el) return;
    const headH = el.querySelector("thead")?.offsetHeight ?? 0;
    const rowTop = headH + n * rowHeight;
    if (rowTop - headH < el.scrollTop) el.scrollTop = n * rowHeight;
    else if (rowTop + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + rowHeight - el.clientHeight;
    measure();
    pendingFocus.current = n;
    setActive(n);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const target = e.target as HTMLElement;
    const tr = target.closest<HTMLElement>("tr[data-row-index]");
    if (!tr) return;
    const i = Number(tr.dataset.rowIndex);
    const onRow = target === tr;
    if (e.key === "Enter" && onRow) {
      tr.querySelector<HTMLElement>("a[href]")?.click();
      e.preventDefault();
      return;
    }
    const el = scroller.current;
    const pageRows = Math.max(1, Math.floor((el?.clientHeight ?? rowHeight * 10) / rowHeight) - 2);
    const next = nextRowIndex(e.key, i, rowCount, pageRows, onRow);
    if (next === null) return;
    e.preventDefault();
    focusRow(next);
  };

  const { start, end } = windowRange(view, rowCount, rowHeight, overscan);
  useEffect(() => onWindow?.({ start, end }), [onWindow, start, end]);
  const activeRow = Math.min(active, Math.max(0, rowCount - 1));
  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    rows.push(renderRow(i, { "data-row-index": i, "aria-rowindex": i + 2, tabIndex: i === activeRow ? 0 : -1, style: { height: rowHeight } }));
  }
  return (
    <div ref={scroller} className={`overflow-auto print:max-h-none! print:overflow-visible ${className}`} style={{ maxHeight }} data-testid={testId ? `${testId}-scroller` : undefined}>
      <table className={`w-full table-fixed border-collapse ${tableClassName}`} aria-label={label} aria-rowcount={rowCount + 1} data-testid={testId} data-window={`${start}-${end}`}>
        {colgroup}
        <thead className="sticky top-0 z-10">{head}</thead>
        <tbody onKeyDown={onKeyDown}>
          {start > 0 && (
            <tr aria-hidden="true" style={{ height: start * rowHeight }}>
              <td className="p-0" />
            </tr>
          )}
          {rows}
          {end < rowCount && (
            <tr aria-hidden="true" style={{ height: (rowCount - end) * rowHeight }}>
              <td className="p-0" />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
