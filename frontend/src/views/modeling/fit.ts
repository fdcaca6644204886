/**
 * "Fit to view" that keeps the blocks readable: the whole graph when it fits at a zoom that
 * leaves their text legible, else that zoom with the graph's start (its top) in view, to scroll
 * from. The column under the totals card (top right) is kept free, so no block sits under it.
 */
import type { Node, ReactFlowInstance } from "@xyflow/react";

/** The least zoom at which a block's 11.5 px shape line still reads at about 9 px. */
export const MIN_READABLE_ZOOM = 0.78;
const MAX_ZOOM = 1;
const MARGIN = 24;
/** The totals card's width (CheckSummary's `Totals`) and React Flow's panel margin. */
const TOTALS_COLUMN = 188 + 15;

export function fitReadable<N extends Node>(flow: ReactFlowInstance<N>, canvas: HTMLElement | null, duration = 200): void {
  const nodes = flow.getNodes();
  if (!canvas || nodes.length === 0) return;
  const { width, height } = canvas.getBoundingClientRect();
  const bounds = flow.getNodesBounds(nodes);
  const room = { width: width - 2 * MARGIN - TOTALS_COLUMN, height: height - 2 * MARGIN };
  const fits = Math.min(room.width / Math.max(bounds.width, 1), room.height / Math.max(bounds.height, 1));
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_READABLE_ZOOM, fits));
  // Centred along an axis where it fits; from its left or top edge where it does not.
  const along = (start: number, size: number, space: number) =>
    MARGIN + (size * zoom <= space ? (space - size * zoom) / 2 : 0) - start * zoom;
  void flow.setViewport({ x: along(bounds.x, bounds.width, room.width), y: along(bounds.y, bounds.height, room.height), zoom }, { duration });
}
