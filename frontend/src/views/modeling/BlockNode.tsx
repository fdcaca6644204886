/**
 * One block on the canvas: its name, the params that matter, its output shape underneath and,
 * when the server's check finds a problem there, the message on the block itself.
 */
import { Text, Tooltip } from "@mantine/core";
import { IconAlertCircle, IconAlertTriangle } from "@tabler/icons-react";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { createContext, memo, useContext } from "react";

import { formatShape, givesOutput, takesInput, type BlockNode } from "./graph";
import { lookOf, summarize } from "./looks";
import type { Block, Issue, NodeInfo } from "./queries";

export interface CanvasFacts {
  blocks: Map<string, Block>;
  info: Map<string, NodeInfo>;
  issues: Map<string, Issue[]>;
  /** True while the shapes on screen are for an older version of the graph. */
  stale: boolean;
}

export const CanvasFactsContext = createContext<CanvasFacts>({
  blocks: new Map(),
  info: new Map(),
  issues: new Map(),
  stale: false,
});

/** The message without the block's own name in front (the block shows it already). */
export function localMessage(message: string, id: string): string {
  const escaped = id.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  return message
    .replace(new RegExp(`^node '${escaped}'( \\([^)]*\\))?: `), "")
    .replace(new RegExp(`^[^']*'${escaped}':? `), "")
    .replace(/^./, (c) => c.toUpperCase());
}

function BlockNodeView({ id, data, selected }: NodeProps<BlockNode>) {
  const facts = useContext(CanvasFactsContext);
  const block = facts.blocks.get(data.type);
  const look = lookOf(block?.category, data.type);
  const info = facts.info.get(id);
  const issues = facts.issues.get(id) ?? [];
  const error = issues.find((i) => i.severity === "error");
  const warning = issues.find((i) => i.severity === "warning");
  const shown = error ?? warning;
  const status = error ? "error" : warning ? "warning" : "ok";
  const BlockIcon = look.icon;
  const summary = summarize(data.type, data.params);
  return (
    <div className="kz-block" data-status={status} data-selected={selected || undefined} aria-label={`Block ${id}`}>
      {takesInput(data.type) && <Handle type="target" position={Position.Top} />}
      <div className="kz-block-card" style={{ borderLeftColor: `var(--mantine-color-${look.color}-6)` }}>
        <div className="kz-block-title">
          <BlockIcon size={15} stroke={1.8} color={`var(--mantine-color-${look.color}-6)`} />
          <Text size="sm" fw={600} truncate style={{ flex: 1 }}>
            {block?.display_name ?? data.type}
          </Text>
          {shown && (
            <Tooltip label={shown.message} multiline w={300} withArrow>
              {error ? (
                <IconAlertCircle size={16} color="var(--mantine-color-red-6)" aria-label="error" />
              ) : (
                <IconAlertTriangle size={16} color="var(--mantine-color-yellow-7)" aria-label="warning" />
              )}
            </Tooltip>
          )}
        </div>
        <Text size="xs" c="dimmed" truncate>
          <Text span size="xs" fw={600} c="dimmed">
            {id}
          </Text>
          {summary && ` · ${summary}`}
        </Text>
      </div>
      {givesOutput(data.type) && <Handle type="source" position={Position.Bottom} />}
      <div className="kz-block-shape" data-testid="shape" data-stale={facts.stale || undefined} title="Output shape (per example)">
        {formatShape(info?.output_shape)}
      </div>
      {shown && (
        <div className="kz-block-issue" data-severity={shown.severity} data-testid="block-issue" title={shown.message}>
          {localMessage(shown.message, id)}
        </div>
      )}
    </div>
  );
}

export const BlockNodeComponent = memo(BlockNodeView);
