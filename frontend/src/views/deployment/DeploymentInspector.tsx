/** The Inspector for a deployment: rename it, where its weights come from, its inputs and outputs, today's traffic. */
import { Badge, Code, Divider, Group, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";

import { formatCount, formatNumber, formatWhen } from "../../format";
import { Inspector, InspectorRow, InspectorStatus } from "../../shell/Inspector";
import { notifyError } from "../../shell/notify";
import { useDeploymentSchema, useUpdateDeployment, useUsage } from "./queries";
import type { Deployment, InputField, OutputField } from "./types";

interface Props {
  projectId: string;
  deployment: Deployment;
  experimentName: string | null;
  canEdit: boolean;
}

export function DeploymentInspector({ projectId, deployment, experimentName, canEdit }: Props) {
  const schema = useDeploymentSchema(projectId, deployment.id);
  const today = useUsage(projectId, deployment.id, 24);
  return (
    <Inspector title={deployment.name}>
      {canEdit && <RenameField projectId={projectId} deployment={deployment} key={deployment.name} />}
      <Stack gap={6}>
        <InspectorStatus status={deployment.enabled ? "enabled" : "disabled"} color={deployment.enabled ? "teal" : "gray"} />
        <InspectorRow label="Id">
          <Code fz="xs">{deployment.id}</Code>
        </InspectorRow>
        <InspectorRow label="Experiment">{experimentName ?? (deployment.experiment_id ? deployment.experiment_id : "deleted")}</InspectorRow>
        <InspectorRow label="Checkpoint">
          {deployment.checkpoint} · epoch {deployment.epoch}
        </InspectorRow>
        <InspectorRow label="Token">
          <Code fz="xs">{deployment.token_prefix}…</Code>
        </InspectorRow>
        <InspectorRow label="Created">
          {formatWhen(deployment.created_at)} by {deployment.created_by}
        </InspectorRow>
        <InspectorRow label="Changed">{formatWhen(deployment.updated_at)}</InspectorRow>
      </Stack>
      <Divider label="Last 24 hours" labelPosition="left" />
      <Stack gap={6}>
        <InspectorRow label="Requests">{formatCount(today.data?.requests)}</InspectorRow>
        <InspectorRow label="Errors">{formatCount(today.data?.errors)}</InspectorRow>
        <InspectorRow label="Rows predicted">{formatCount(today.data?.rows)}</InspectorRow>
        <InspectorRow label="Mean latency">{today.data?.mean_latency_ms == null ? "—" : `${formatNumber(today.data.mean_latency_ms, 2)} ms`}</InspectorRow>
      </Stack>
      <Divider label="Inputs" labelPosition="left" />
      {schema.isLoading && <Text size="xs" c="dimmed">Loading the model…</Text>}
      {schema.data?.inputs.map((field) => <Field key={field.name} name={field.name} type={field.type} detail={inputDetail(field)} />)}
      <Divider label="Outputs" labelPosition="left" />
      {schema.data?.outputs.map((field) => <Field key={field.name} name={field.name} type={field.type} detail={outputDetail(field)} />)}
    </Inspector>
  );
}

function RenameField({ projectId, deployment }: { projectId: string; deployment: Deployment }) {
  const update = useUpdateDeployment(projectId);
  const [name, setName] = useState(deployment.name);
  const commit = () => {
    const next = name.trim();
    if (!next || next === deployment.name) return setName(deployment.name);
    update.mutate({ id: deployment.id, name: next }, { onError: (error) => notifyError(error, "Not renamed") });
  };
  return (
    <TextInput
      label="Name"
      value={name}
      onChange={(event) => setName(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => event.key === "Enter" && event.currentTarget.blur()}
      maxLength={200}
    />
  );
}


function Field({ name, type, detail }: { name: string; type: string; detail: string }) {
  return (
    <Stack gap={0}>
      <Group gap={6}>
        <Text size="sm" fw={600}>
          {name}
        </Text>
        <Badge size="xs" variant="light" color="gray">
          {type}
        </Badge>
      </Group>
      {detail && (
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
      )}
    </Stack>
  );
}

function inputDetail(field: InputField): string {
  if (field.type === "sequence") {
    return `${(field.alphabet ?? "").toUpperCase()}, ${field.length} positions, ${field.alignment}-aligned${field.padding ? `, padding ${field.padding}` : ""}`;
  }
  if (field.categories) return field.categories.join(", ");
  if (field.shape) return `shape ${field.shape.join(" × ")}`;
  if (field.normalization && field.normalization !== "none") return `normalised (${field.normalization}) by the model`;
  return "";
}

function outputDetail(field: OutputField): string {
  if (field.categories?.length) return `probabilities of ${field.categories.join(", ")}`;
  return field.normalization && field.normalization !== "none" ? "in the target's own units" : "";
}
