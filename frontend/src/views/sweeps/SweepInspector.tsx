/** The Inspector for a sweep: what it searches (space, objective, sampler, pruner, budget) and from what. */
import { Anchor, Code, Divider, Stack } from "@mantine/core";
import { Link } from "react-router";

import { formatWhen } from "../../format";
import { useExperimentNames, useUserName } from "../../projects/queries";
import { Inspector, InspectorRow, InspectorStatus } from "../../shell/Inspector";
import type { Sweep } from "../../api/types";

export function SweepInspector({ projectId, sweep, statusColor }: { projectId: string; sweep: Sweep; statusColor: string }) {
  const base = sweep.base_experiment_id;
  const names = useExperimentNames(projectId, base ? [base] : []);
  const userName = useUserName(projectId);
  const { objective, sampler, pruner, budget } = sweep.spec;
  return (
    <Inspector title={sweep.name}>
      <Stack gap={6}>
        <InspectorStatus status={sweep.status} color={statusColor} />
        {base && (
          <InspectorRow label="Starts from">
            <Anchor component={Link} to={`/projects/${projectId}/evaluation/${base}`} size="sm">
              {names.get(base) ?? base}
            </Anchor>
          </InspectorRow>
        )}
        <InspectorRow label="Objective">
          {sweep.direction} {objective?.metric ?? "val_loss"}
          {objective?.subset ? ` on ${objective.subset}` : ""}
          {objective?.target ? ` · ${objective.target}` : ""}
        </InspectorRow>
      </Stack>
      <Divider label="Search" labelPosition="left" />
      <Stack gap={6}>
        <InspectorRow label="Dimensions">
          <Stack gap={2} align="flex-end">
            {sweep.dimensions.map((name) => (
              <Code key={name} fz="xs">
                {name}
              </Code>
            ))}
          </Stack>
        </InspectorRow>
        <InspectorRow label="Sampler">
          {sampler?.name ?? "tpe"}, seed {sampler?.seed ?? 0}
        </InspectorRow>
        <InspectorRow label="Pruner">{pruner?.name ?? "none"}</InspectorRow>
        <InspectorRow label="Budget">
          {budget?.trials ?? sweep.counts.budget} trials
          {budget?.wall_time_s ? `, ${Math.round(budget.wall_time_s / 60)} min` : ""}
        </InspectorRow>
        <InspectorRow label="At once">{sweep.spec.concurrency ?? 1}</InspectorRow>
      </Stack>
      <Divider />
      <Stack gap={6}>
        <InspectorRow label="Created">
          {formatWhen(sweep.created_at)} by {userName(sweep.created_by)}
        </InspectorRow>
        {sweep.finished_at && <InspectorRow label="Finished">{formatWhen(sweep.finished_at)}</InspectorRow>}
      </Stack>
    </Inspector>
  );
}
