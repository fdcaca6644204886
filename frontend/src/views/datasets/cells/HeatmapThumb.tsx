/**
 * A numeric array as a small heat map on a canvas, scaled to its own minimum and maximum (so a
 * 0/1 one-hot shows its pattern instead of a black square). 1-D arrays draw as one strip;
 * arrays of more than two dimensions fold their trailing axes into columns.
 */
import { useEffect, useRef } from "react";

const HEIGHT = 28;

/** Viridis-like stops, dark to bright. */
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function color(t: number): string {
  const x = Math.min(Math.max(t, 0), 1) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  const f = x - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  const mix = (k: 0 | 1 | 2) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
}

/** Rows of numbers from a nested list: the first axis is rows, the rest are flattened. */
export function toGrid(value: unknown): number[][] {
  if (!Array.isArray(value)) return [[Number(value)]];
  if (!value.some(Array.isArray)) return [value.map(Number)];
  return value.map((row) => (Array.isArray(row) ? (row.flat(Infinity) as unknown[]).map(Number) : [Number(row)]));
}

export function HeatmapThumb({ value, width = 120 }: { value: unknown; width?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const grid = toGrid(value);
  const rows = grid.length;
  const cols = Math.max(...grid.map((r) => r.length));
  useEffect(() => {
    const context = canvas.current?.getContext("2d");
    if (!context) return;
    const flat = grid.flat().filter(Number.isFinite);
    const low = Math.min(...flat);
    const high = Math.max(...flat);
    const span = high - low || 1;
    const cellW = width / cols;
    const cellH = HEIGHT / rows;
    context.clearRect(0, 0, width, HEIGHT);
    grid.forEach((row, r) =>
      row.forEach((v, c) => {
        context.fillStyle = Number.isFinite(v) ? color((v - low) / span) : "#868e96";
        context.fillRect(c * cellW, r * cellH, Math.ceil(cellW), Math.ceil(cellH));
      }),
    );
  });
  return (
    <canvas
      ref={canvas}
      width={width}
      height={HEIGHT}
      style={{ width, height: HEIGHT, display: "block", borderRadius: 2 }}
      role="img"
      aria-label={`array ${rows} × ${cols}`}
    />
  );
}
