/** The Inspector for a design: what it was asked (models, strategy, objective, constraints, starts) and when. */
import { Anchor, Divider, Stack, Text } from "@mantine/core";
import { Link } from "react-router";

import { formatWhen } from "../../format";
import { useExperimentNames } from "../../projects/queries";
import { Inspector, InspectorRow, InspectorStatus } from "../../shell/Inspector";
import type { DesignRecord } from "./queries";

export function DesignInspector({ projectId, design, statusColor }: { projectId: string; design: DesignRecord; statusColor: string }) {
  const names = useExperimentNames(projectId, design.experiment_ids);
  const { objective, constraints } = design.settings;
  const limits = constraintLines(constraints);
  return (
    <Inspector title={design.name}>
      <Stack gap={6}>
        <InspectorStatus status={design.status} color={statusColor} />
        <InspectorRow label={design.experiment_ids.length > 1 ? "Models" : "Model"}>
          <Stack gap={0} align="flex-end">
            {design.experiment_ids.map((id) => (
              <Anchor key={id} component={Link} to={`/projects/${projectId}/evaluation/${id}`} size="sm">
                {names.get(id) ?? id}
              </Anchor>
            ))}
          </Stack>
        </InspectorRow>
        <InspectorRow label="Checkpoint">{design.checkpoint}</InspectorRow>
        <InspectorRow label="Starts">
          {design.start_count} from {design.start_source}
        </InspectorRow>
      </Stack>
      <Divider label="Search" labelPosition="left" />
      <Stack gap={6}>
        <InspectorRow label="Strategy">{design.settings.strategy}</InspectorRow>
        <InspectorRow label="Rounds">{design.settings.rounds}</InspectorRow>
        <InspectorRow label="Objective">{objectiveLine(objective, design.summary?.label)}</InspectorRow>
        <InspectorRow label="Seed">{design.settings.seed}</InspectorRow>
      </Stack>
      <Divider label="Constraints" labelPosition="left" />
      {limits.length === 0 ? (
        <Text size="sm" c="dimmed">
          None: any substitution may be kept.
        </Text>
      ) : (
        <Stack gap={6}>
          {limits.map(([label, value]) => (
            <InspectorRow key={label} label={label}>
              {value}
            </InspectorRow>
          ))}
        </Stack>
      )}
      <Divider />
      <Stack gap={6}>
        <InspectorRow label="Created">
          {formatWhen(design.created_at)} by {design.created_by}
        </InspectorRow>
        <InspectorRow label="Changed">{formatWhen(design.updated_at)}</InspectorRow>
      </Stack>
    </Inspector>
  );
}

type Settings = DesignRecord["settings"];

function objectiveLine(objective: Settings["objective"], label: string | undefined): string {
  const what = [objective?.target ?? label ?? "the first target", objective?.class_name && `P(${objective.class_name})`].filter(Boolean).join(" · ");
  const goal = objective?.goal === "target" ? `bring to ${objective.value}` : (objective?.goal ?? "maximize");
  const penalty = objective?.uncertainty_penalty ? `, − ${objective.uncertainty_penalty} sd of the models` : "";
  return `${goal} ${what}${penalty}`;
}

function constraintLines(c: Settings["constraints"]): [string, string][] {
  const lines: [string, string | null][] = [
    ["Forbidden motifs", c?.forbidden_motifs?.length ? c.forbidden_motifs.join(", ") : null],
    ["Fixed positions", c?.fixed_positions?.length ? c.fixed_positions.join(", ") : null],
    ["GC fraction", c?.gc_min != null || c?.gc_max != null ? `${c?.gc_min ?? 0} to ${c?.gc_max ?? 1}` : null],
    ["Edits at most", c?.max_edits != null ? String(c.max_edits) : null],
    ["Distance at least", c?.min_distance != null ? String(c.min_distance) : null],
  ];
  return lines.filter((line): line is [string, string] => line[1] !== null);
}
