/**
 * The canvas: React Flow drawing the document's blocks and edges, taking drops from the
 * palette, moves, selections and new connections, with the check's totals in a corner and a
 * hint while it is empty. Only moves and selections change the document without an undo step.
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
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import { useCallback, type DragEvent, type ReactNode, type RefObject } from "react";

import { BlockNodeComponent } from "./BlockNode";
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

export function GraphCanvas({ canvasRef, doc, edges, history, catalog, readOnly, colorMode, onAdd, totals }: Props) {
  const flow = useReactFlow<BlockNode>();
  const { set, commit } = history;
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
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={2}
        colorMode={colorMode}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} />
        <Controls showInteractive={false} position="bottom-left" />
        <Panel position="top-right">{totals}</Panel>
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
