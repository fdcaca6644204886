/**
 * The model on the canvas: the graph spec the server stores (nodes with params, edges) and the
 * React Flow nodes and edges drawn from it (plus positions, which only the canvas has).
 *
 * Editing rules live here, away from React: a new block is inserted after the selected one,
 * pasted blocks hang off the selection's last block, and ids are short and readable (conv1).
 */
import { Graph, layout } from "@dagrejs/dagre";
import type { Edge, Node, XYPosition } from "@xyflow/react";

import type { components } from "../../api/schema";
import type { Block } from "./queries";

/** The graph spec as the server stores and sends it (`kozak.graph.GraphSpec`). */
export type GraphSpec = components["schemas"]["GraphSpec"];
export type SpecNode = components["schemas"]["Node"];
export type SpecEdge = components["schemas"]["Edge"];

export interface BlockData extends Record<string, unknown> {
  type: string;
  params: Record<string, unknown>;
}

export type BlockNode = Node<BlockData, "block">;

/** What the canvas edits: its nodes and edges, and the spec's name and description. */
export interface Doc {
  name: string;
  description: string;
  nodes: BlockNode[];
  edges: Edge[];
}

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 48;
const ROW = 80; // vertical step between chained blocks: the block, its shape line and a gap

export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function edgeId(src: string, dst: string): string {
  return `${src}->${dst}`;
}

export function makeEdge(src: string, dst: string): Edge {
  return { id: edgeId(src, dst), source: src, target: dst };
}

/** The spec of what is on the canvas, in the canvas's order of nodes and edges. */
export function specOf(doc: Doc): GraphSpec {
  return {
    format_version: 1,
    name: doc.name,
    description: doc.description,
    nodes: doc.nodes.map((n) => ({ id: n.id, type: n.data.type, params: n.data.params })),
    edges: doc.edges.map((e) => ({ src: e.source, dst: e.target })),
  };
}

/** Canvas nodes and edges for a spec; positions come from `positions`, the rest from dagre. */
export function docOf(spec: GraphSpec, positions: Record<string, XYPosition> = {}): Doc {
  const nodes: BlockNode[] = spec.nodes.map((n) => ({
    id: n.id,
    type: "block",
    position: positions[n.id] ?? { x: 0, y: 0 },
    data: { type: n.type, params: { ...(n.params ?? {}) } },
  }));
  const edges = spec.edges.map((e) => makeEdge(e.src, e.dst));
  const doc = { name: graphName(spec.name), description: spec.description ?? "", nodes, edges };
  const missing = spec.nodes.some((n) => !positions[n.id]);
  return missing ? autoLayout(doc, new Set(Object.keys(positions))) : doc;
}

/** Top-to-bottom layered layout (dagre); nodes named in `keep` stay where they are. */
export function autoLayout(doc: Doc, keep: Set<string> = new Set()): Doc {
  const g = new Graph();
  g.setGraph({ rankdir: "TB", nodesep: 40, ranksep: ROW - NODE_HEIGHT, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of doc.nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of doc.edges) g.setEdge(edge.source, edge.target);
  layout(g);
  return {
    ...doc,
    nodes: doc.nodes.map((node) => {
      if (keep.has(node.id)) return node;
      const placed = g.node(node.id);
      return { ...node, position: { x: placed.x - NODE_WIDTH / 2, y: placed.y - NODE_HEIGHT / 2 } };
    }),
  };
}

const PREFIXES: Record<string, string> = {
  conv1d: "conv",
  conv2d: "conv",
  max_pool1d: "pool",
  max_pool2d: "pool",
  avg_pool1d: "pool",
  avg_pool2d: "pool",
  global_pool1d: "pool",
  global_pool2d: "pool",
  batch_norm: "bn",
  layer_norm: "norm",
  position_embedding: "positions",
  concatenate: "concat",
};

/** `conv1`, `conv2`, …: the first free id for a block type. */
export function freshId(type: string, taken: Set<string>): string {
  const prefix = PREFIXES[type] ?? type;
  let k = 1;
  while (taken.has(`${prefix}${k}`)) k += 1;
  return `${prefix}${k}`;
}

/** A block's params as the palette adds it: every default of its schema. */
export function defaultParams(block: Block): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const properties = (block.params_schema.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const [name, property] of Object.entries(properties)) {
    if ("default" in property) params[name] = structuredClone(property.default);
  }
  return params;
}

export function formatShape(shape: number[] | null | undefined): string {
  if (!shape) return "?";
  return shape.length ? shape.join(" x ") : "scalar";
}

export const takesInput = (type: string) => type !== "input";
export const givesOutput = (type: string) => type !== "target";

function below(node: BlockNode, rows = 1): XYPosition {
  return { x: node.position.x, y: node.position.y + rows * ROW };
}

/** Every node reachable from `start` (not including it). */
function descendants(doc: Doc, start: string): Set<string> {
  const found = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    for (const e of doc.edges) {
      if (e.source === id && !found.has(e.target)) {
        found.add(e.target);
        stack.push(e.target);
      }
    }
  }
  return found;
}

function lowest(doc: Doc): XYPosition {
  if (!doc.nodes.length) return { x: 80, y: 40 };
  const bottom = doc.nodes.reduce((a, b) => (b.position.y > a.position.y ? b : a));
  return { x: bottom.position.x, y: bottom.position.y + ROW };
}

/**
 * Add a block the way the palette does: after the selected block, taking over its outgoing
 * edges (the blocks below move down a row), so clicking blocks one after another builds a
 * chain. With a Target selected the block goes in before it; an Input starts a new chain.
 */
export function addBlock(doc: Doc, type: string, params: Record<string, unknown>, selected: string | null): { doc: Doc; id: string } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const id = freshId(type, taken);
  let anchor = selected ? doc.nodes.find((n) => n.id === selected) : undefined;
  let edges = doc.edges;
  let nodes = doc.nodes;
  let position: XYPosition;
  if (anchor && anchor.data.type === "target" && type !== "input") {
    // in before the Target: its source feeds the new block, which feeds the Target
    const into = edges.filter((e) => e.target === anchor!.id);
    const target = anchor;
    position = { ...target.position };
    const moved = new Set([target.id, ...descendants(doc, target.id)]);
    nodes = nodes.map((n) => (moved.has(n.id) ? { ...n, position: below(n) } : n));
    edges = [
      ...edges.filter((e) => e.target !== target.id),
      ...into.map((e) => makeEdge(e.source, id)),
      ...(givesOutput(type) ? [makeEdge(id, target.id)] : []),
    ];
    anchor = undefined;
  } else if (anchor && takesInput(type) && givesOutput(anchor.data.type)) {
    const out = edges.filter((e) => e.source === anchor!.id);
    position = below(anchor);
    if (givesOutput(type) && out.length) {
      const moved = descendants(doc, anchor.id);
      nodes = nodes.map((n) => (moved.has(n.id) ? { ...n, position: below(n) } : n));
      edges = [...edges.filter((e) => e.source !== anchor!.id), makeEdge(anchor.id, id), ...out.map((e) => makeEdge(id, e.target))];
    } else {
      edges = [...edges, makeEdge(anchor.id, id)];
    }
  } else if (type === "input") {
    const inputs = nodes.filter((n) => n.data.type === "input");
    position = inputs.length
      ? { x: Math.max(...inputs.map((n) => n.position.x)) + NODE_WIDTH + 40, y: Math.min(...inputs.map((n) => n.position.y)) }
      : { x: 80, y: 40 };
  } else {
    position = lowest(doc);
  }
  const node: BlockNode = { id, type: "block", position, data: { type, params }, selected: true };
  return {
    doc: { ...doc, nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node], edges },
    id,
  };
}

export interface Clipboard {
  nodes: BlockNode[];
  edges: Edge[];
}

/** The selected nodes and the edges between them. */
export function copySelection(doc: Doc): Clipboard | null {
  const nodes = doc.nodes.filter((n) => n.selected);
  if (!nodes.length) return null;
  const ids = new Set(nodes.map((n) => n.id));
  return {
    nodes: structuredClone(nodes.map((n) => ({ ...n, selected: false }))),
    edges: doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
}

/** The last block of the selection: the lowest one none of the other selected blocks follow. */
export function selectionSink(doc: Doc): BlockNode | undefined {
  const selected = doc.nodes.filter((n) => n.selected);
  const ids = new Set(selected.map((n) => n.id));
  const sinks = selected.filter((n) => !doc.edges.some((e) => e.source === n.id && ids.has(e.target)));
  return sinks.sort((a, b) => b.position.y - a.position.y)[0];
}

/**
 * Paste copied blocks under new ids. When one chain is pasted and a block is selected, the
 * copy hangs off the selection's last block, taking over its outgoing edges, so copying a
 * Conv/Dropout pair and pasting repeats it in the chain.
 */
export function paste(doc: Doc, clip: Clipboard): Doc {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  for (const node of clip.nodes) {
    const id = freshId(node.data.type, taken);
    taken.add(id);
    rename.set(node.id, id);
  }
  const inner = clip.edges.map((e) => makeEdge(rename.get(e.source)!, rename.get(e.target)!));
  const heads = clip.nodes.filter((n) => !clip.edges.some((e) => e.target === n.id));
  const tails = clip.nodes.filter((n) => !clip.edges.some((e) => e.source === n.id));
  const anchor = selectionSink(doc);
  const top = Math.min(...clip.nodes.map((n) => n.position.y));
  const left = Math.min(...clip.nodes.map((n) => n.position.x));
  const chained =
    anchor !== undefined &&
    givesOutput(anchor.data.type) &&
    heads.length === 1 &&
    tails.length === 1 &&
    takesInput(heads[0]!.data.type);
  let nodes = doc.nodes.map((n) => ({ ...n, selected: false }));
  let edges = doc.edges;
  let origin: XYPosition = { x: left + 40, y: top + 40 };
  if (chained) {
    const rows = Math.round((Math.max(...clip.nodes.map((n) => n.position.y)) - top) / ROW) + 1;
    origin = below(anchor);
    const moved = descendants(doc, anchor.id);
    nodes = nodes.map((n) => (moved.has(n.id) ? { ...n, position: below(n, rows) } : n));
    const out = edges.filter((e) => e.source === anchor.id);
    const tail = rename.get(tails[0]!.id)!;
    edges = [
      ...edges.filter((e) => e.source !== anchor.id),
      makeEdge(anchor.id, rename.get(heads[0]!.id)!),
      ...(givesOutput(tails[0]!.data.type) ? out.map((e) => makeEdge(tail, e.target)) : []),
    ];
  }
  const pasted: BlockNode[] = clip.nodes.map((n) => ({
    ...structuredClone(n),
    id: rename.get(n.id)!,
    selected: true,
    position: { x: origin.x + (n.position.x - left), y: origin.y + (n.position.y - top) },
  }));
  return { ...doc, nodes: [...nodes, ...pasted], edges: [...edges, ...inner] };
}

/** Rename a node, keeping its edges; null when the new id is invalid or taken. */
export function renameNode(doc: Doc, from: string, to: string): Doc | null {
  if (!NODE_ID_PATTERN.test(to) || doc.nodes.some((n) => n.id === to)) return null;
  const swap = (id: string) => (id === from ? to : id);
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)),
    edges: doc.edges.map((e) => makeEdge(swap(e.source), swap(e.target))),
  };
}

/** A spec as the YAML panel or a file gives it, checked enough to draw (the server checks the rest). */
export function parseSpec(data: unknown): GraphSpec {
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("the graph must be a mapping with nodes and edges");
  const raw = data as Record<string, unknown>;
  const nodes = raw.nodes ?? [];
  const edges = raw.edges ?? [];
  if (!Array.isArray(nodes)) throw new Error("nodes: must be a list of blocks");
  if (!Array.isArray(edges)) throw new Error("edges: must be a list of [from, to] pairs");
  const seen = new Set<string>();
  const specNodes = nodes.map((item, i) => {
    if (!item || typeof item !== "object") throw new Error(`nodes[${i}]: must be a mapping with id, type and params`);
    const { id, type, params } = item as Record<string, unknown>;
    if (typeof id !== "string" || !id) throw new Error(`nodes[${i}]: needs an id`);
    if (typeof type !== "string" || !type) throw new Error(`node ${id}: needs a type`);
    if (seen.has(id)) throw new Error(`node ${id}: the id is used twice`);
    if (params !== undefined && (params === null || typeof params !== "object" || Array.isArray(params)))
      throw new Error(`node ${id}: params must be a mapping`);
    seen.add(id);
    return { id, type, params: (params ?? {}) as Record<string, unknown> };
  });
  const pairs = new Set<string>();
  const specEdges = edges.map((item, i) => {
    const pair = Array.isArray(item) ? item : [(item as SpecEdge | null)?.src, (item as SpecEdge | null)?.dst];
    const [src, dst] = pair;
    if (typeof src !== "string" || typeof dst !== "string") throw new Error(`edges[${i}]: must be [from, to]`);
    for (const end of [src, dst]) if (!seen.has(end)) throw new Error(`edges[${i}]: no node ${end}`);
    if (pairs.has(edgeId(src, dst))) throw new Error(`edges[${i}]: ${src} -> ${dst} is there twice`);
    pairs.add(edgeId(src, dst));
    return { src, dst };
  });
  return {
    format_version: typeof raw.format_version === "number" ? raw.format_version : 1,
    name: typeof raw.name === "string" ? raw.name : "",
    description: typeof raw.description === "string" ? raw.description : "",
    nodes: specNodes,
    edges: specEdges,
  };
}

/**
 * Remove the selected blocks and edges. A removed block that had one input and outputs leaves
 * its input connected to its outputs, so taking a block out of a chain keeps the chain.
 */
export function deleteSelected(doc: Doc): Doc {
  const gone = new Set(doc.nodes.filter((n) => n.selected).map((n) => n.id));
  let edges = doc.edges.filter((e) => !e.selected);
  if (!gone.size) return edges.length === doc.edges.length ? doc : { ...doc, edges };
  // where the data entering a removed stretch came from: up through removed blocks with one input
  const origin = (id: string): string | null => {
    const seen = new Set<string>();
    let current = id;
    while (gone.has(current)) {
      const into = edges.filter((e) => e.target === current);
      if (into.length !== 1 || seen.has(current)) return null;
      seen.add(current);
      current = into[0]!.source;
    }
    return current;
  };
  const bridges: Edge[] = [];
  for (const out of edges.filter((e) => gone.has(e.source) && !gone.has(e.target))) {
    const from = origin(out.source);
    if (from === null) continue;
    const bridge = makeEdge(from, out.target);
    if (!edges.some((e) => e.id === bridge.id) && !bridges.some((e) => e.id === bridge.id)) bridges.push(bridge);
  }
  edges = [...edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)), ...bridges];
  return { ...doc, nodes: doc.nodes.filter((n) => !gone.has(n.id)), edges };
}

/** A copy of the params with one changed (`undefined` leaves it out, for the server to report). */
export function withParam(params: Record<string, unknown>, name: string, value: unknown): Record<string, unknown> {
  const next = { ...params };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}

/** A graph's name as shown and saved: "custom" for a hand-built one (older blank canvases were "blank"). */
export function graphName(name: string | null | undefined): string {
  return !name || name === "blank" ? "custom" : name;
}
