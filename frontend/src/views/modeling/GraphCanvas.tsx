/**
 * The canvas: React Flow drawing the document's blocks and edges, taking drops from the
 * palette, moves, selections and new connections, with the check's totals in a corner and a
 * hint while it is empty (and, with several blocks, how to select several: Shift or Ctrl+click,
 * Shift+drag a box). Only moves and selections change the document without an undo step.
 */
import { Box, Card, Text } from "@mantine/core";
import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  BackgroundVariant,
  Controls,
  Panel,
  ReactFlow,
  SelectionMode,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import { useCallback, useEffect, useRef, type DragEvent, type ReactNode, type RefObject } from "react";

import { BlockNodeComponent } from "./BlockNode";
import { fitReadable } from "./fit";
import { makeEdge, type BlockNode, type Doc } from "./graph";
import type { DocHistory } from "./history";
import { DRAG_TYPE } from "./Palette";
import type { Block } from "./queries";

const NODE_TYPES = { block: BlockNodeComponent };

interface Props {
  canvasRef: RefObject<HTMLDivElement | null>;
  doc: Doc;
  edges: Edge[];
  history: Pick<DocHistory, "set" | "commit" | "checkpoint">;
  catalog: Map<string, Block>;
  readOnly: boolean;
  colorMode: "light" | "dark";
  onAdd: (block: Block, at: XYPosition) => void;
  totals: ReactNode;
}

/** Any of these held while clicking adds a block to the selection; Shift held while dragging
 * draws a box, which selects every block it touches. */
const MULTI_SELECT_KEYS = ["Shift", "Control", "Meta"];

export function GraphCanvas({ canvasRef, doc, edges, history, catalog, readOnly, colorMode, onAdd, totals }: Props) {
  const flow = useReactFlow<BlockNode>();
  const { set, commit } = history;
  // The first fit waits for the blocks' measured sizes (as React Flow's own `fitView` does).
  const measured = useNodesInitialized();
  const fitted = useRef(false);
  useEffect(() => {
    if (!measured || fitted.current) return;
    fitted.current = true;
    fitReadable(flow, canvasRef.current, 0);
  }, [measured, flow, canvasRef]);
  const onNodesChange = useCallback(
    (changes: NodeChange<BlockNode>[]) => {
      const kept = changes.filter((c) => c.type === "position" || c.type === "select" || c.type === "dimensions");
      if (kept.length) set((d) => ({ ...d, nodes: applyNodeChanges(kept, d.nodes) }));
    },
    [set],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const kept = changes.filter((c) => c.type === "select");
      if (kept.length) set((d) => ({ ...d, edges: applyEdgeChanges(kept, d.edges) }));
    },
    [set],
  );
  const onConnect = useCallback(
    (connection: Connection) => commit((d) => ({ ...d, edges: addEdge(makeEdge(connection.source, connection.target), d.edges) })),
    [commit],
  );
  const isValidConnection = useCallback(
    (c: Connection | { source: string; target: string }) =>
      c.source !== c.target && !doc.edges.some((e) => e.source === c.source && e.target === c.target),
    [doc.edges],
  );
  const onDrop = (event: DragEvent) => {
    const type = event.dataTransfer.getData(DRAG_TYPE);
    const block = catalog.get(type);
    if (!block) return;
    event.preventDefault();
    const at = flow.screenToFlowPosition({ x: event.clientX - 105, y: event.clientY - 20 });
    onAdd(block, at);
  };

  return (
    <Box
      ref={canvasRef}
      className="kz-canvas"
      style={{ flex: 1, minWidth: 0, position: "relative" }}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(DRAG_TYPE)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = "copy";
        }
      }}
      onDrop={onDrop}
    >
      <ReactFlow
        aria-label="Model canvas"
        nodes={doc.nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeDragStart={history.checkpoint}
        isValidConnection={isValidConnection}
        deleteKeyCode={null}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        snapToGrid
        snapGrid={[10, 10]}
        minZoom={0.2}
        maxZoom={2}
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        selectionKeyCode="Shift"
        selectionMode={SelectionMode.Partial}
        colorMode={colorMode}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} />
        <Controls showInteractive={false} position="bottom-left" />
        <Panel position="top-right">{totals}</Panel>
        {doc.nodes.length > 1 && (
          <Panel position="bottom-right" style={{ marginBottom: 24 }}>
            {/* in the column the fit keeps free of blocks, under the totals */}
            <Text size="xs" c="dimmed" w={188} data-testid="selection-hint">
              Select several blocks with Shift+click (or Ctrl+click), or Shift+drag a box over them.
            </Text>
          </Panel>
        )}
        {!doc.nodes.length && (
          <Panel position="top-center">
            <Card withBorder shadow="sm" radius="md" p="md" maw={420} mt={80}>
              <Text fw={600} mb={4}>
                An empty canvas
              </Text>
              <Text size="sm" c="dimmed">
                Click <b>Input</b> in the Blocks list, pick its feature in the Inspector, then click the blocks of your model one after another: each new block connects to the selected one. End with a <b>Target</b>.
              </Text>
            </Card>
          </Panel>
        )}
      </ReactFlow>
    </Box>
  );
}
