/**
 * Block positions: the canvas's own, kept in this browser only (the graph spec has no place for
 * them). Loaded when an experiment opens, stored a moment after blocks last moved.
 */
import type { XYPosition } from "@xyflow/react";
import { useEffect } from "react";

import type { BlockNode } from "./graph";

const layoutKey = (experimentId: string) => `kozak:layout:${experimentId}`;

export function loadPositions(experimentId: string): Record<string, XYPosition> {
  try {
    return JSON.parse(localStorage.getItem(layoutKey(experimentId)) ?? "{}") as Record<string, XYPosition>;
  } catch {
    return {};
  }
}

export function useStoredPositions(experimentId: string, nodes: BlockNode[]): void {
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const positions = Object.fromEntries(nodes.map((n) => [n.id, n.position]));
      try {
        localStorage.setItem(layoutKey(experimentId), JSON.stringify(positions));
      } catch {
        // storage full or disabled: the layout is simply recomputed next time
      }
    }, 400);
    return () => window.clearTimeout(timer);
  }, [nodes, experimentId]);
}
