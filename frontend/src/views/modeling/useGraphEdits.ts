/**
 * The edits a user makes to the graph: add a block (after the selection, or where it is
 * dropped), change params, copy and paste (one clipboard shared by every experiment), delete,
 * and apply YAML. Each is one undo step; none does anything while the editor is read-only.
 */
import { notifications } from "@mantine/notifications";
import type { XYPosition } from "@xyflow/react";
import { useState } from "react";

import {
  addBlock,
  copySelection,
  defaultParams,
  deleteSelected,
  docOf,
  paste,
  selectionSink,
  withParam,
  type BlockNode,
  type Clipboard,
  type Doc,
  type GraphSpec,
} from "./graph";
import type { DocHistory } from "./history";
import type { Block, NodeInfo } from "./queries";

const TWO_D = new Set(["conv2d", "max_pool2d", "avg_pool2d", "global_pool2d"]);

let clipboard: Clipboard | null = null; // shared by every experiment: copy in one, paste in another

interface Context {
  doc: Doc;
  commit: DocHistory["commit"];
  readOnly: boolean;
  selected: BlockNode | undefined;
  info: Map<string, NodeInfo>;
  /** Pan so that a block at this flow position is in view. */
  reveal: (position: XYPosition) => void;
}

export function useGraphEdits({ doc, commit, readOnly, selected, info, reveal }: Context) {
  const [hasClip, setHasClip] = useState(clipboard !== null);

  const add = (block: Block, at?: XYPosition) => {
    if (readOnly) return;
    // after the selected block; with several selected (a pasted pair), after the last of them
    const anchor = at ? null : (selected?.id ?? selectionSink(doc)?.id ?? null);
    const result = addBlock(doc, block.type, defaultParams(block), anchor);
    let next: Doc = result.doc;
    if (at) next = { ...next, nodes: next.nodes.map((n) => (n.id === result.id ? { ...n, position: at } : n)) };
    // a 2D block after a (4, L) sequence: see the sequence as a (4, L, 1) image, as Peltarion does
    const source = anchor ? next.edges.find((e) => e.target === result.id)?.source : undefined;
    const sourceNode = next.nodes.find((n) => n.id === source);
    const sourceShape = source ? info.get(source)?.output_shape : undefined;
    if (TWO_D.has(block.type) && sourceNode?.data.type === "input" && sourceShape?.length === 2 && !sourceNode.data.params.shape) {
      const shape = [...sourceShape, 1];
      next = {
        ...next,
        nodes: next.nodes.map((n) => (n.id === sourceNode.id ? { ...n, data: { ...n.data, params: { ...n.data.params, shape } } } : n)),
      };
      notifications.show({
        color: "blue",
        message: `Input ${sourceNode.id} is now seen as ${shape.join(" x ")} (height x width x channels) for the 2D block; change it in the Input's Advanced settings.`,
        autoClose: 6000,
      });
    }
    commit(() => next);
    const placed = next.nodes.find((n) => n.id === result.id);
    if (placed) window.requestAnimationFrame(() => reveal(placed.position));
  };

  const setParam = (nodeId: string, name: string, value: unknown) =>
    commit(
      (d) => ({
        ...d,
        nodes: d.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params: withParam(n.data.params, name, value) } } : n)),
      }),
      `${nodeId}.${name}`,
    );
  const setParams = (nodeId: string, params: Record<string, unknown>) =>
    commit((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params } } : n)) }));

  const copy = () => {
    const clip = copySelection(doc);
    if (!clip) return;
    clipboard = clip;
    setHasClip(true);
    notifications.show({ message: `Copied ${clip.nodes.length === 1 ? "1 block" : `${clip.nodes.length} blocks`}`, autoClose: 1500 });
  };
  const pasteClip = () => {
    if (readOnly || !clipboard) return;
    const clip = clipboard;
    const next = paste(doc, clip);
    commit(() => next);
    const first = next.nodes.find((n) => n.selected);
    if (first) window.requestAnimationFrame(() => reveal(first.position));
  };
  const remove = () => !readOnly && commit((d) => deleteSelected(d));
  const applyYaml = (parsed: GraphSpec) =>
    commit((d) => {
      const positions = Object.fromEntries(d.nodes.map((n) => [n.id, n.position]));
      const selectedIds = new Set(d.nodes.filter((n) => n.selected).map((n) => n.id));
      const next = docOf(parsed, positions);
      return { ...next, nodes: next.nodes.map((n) => (selectedIds.has(n.id) ? { ...n, selected: true } : n)) };
    }, "yaml");

  return { add, setParam, setParams, copy, paste: pasteClip, remove, applyYaml, hasClip };
}
