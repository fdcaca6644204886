/**
 * One deployment: its URL and token (the token only right after it was made), regenerate and
 * delete, the test form beside the code snippets, and its usage chart.
 */
import { Alert, Badge, Button, Card, Group, Loader, SimpleGrid, Stack, Text, TextInput, Title, Tooltip } from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconAlertTriangle, IconKey, IconPlayerPause, IconRefresh, IconTrash } from "@tabler/icons-react";
import { useState } from "react";

import { errorMessage } from "../../api/client";
import { notifyDone, notifyError } from "../../shell/notify";
import { CopyField } from "./Copy";
import { useDeleteDeployment, useDeploymentSchema, useRegenerateToken } from "./queries";
import { forwardUrl } from "./snippets";
import { BatchPanel } from "./BatchPanel";
import { SnippetsPanel } from "./SnippetsPanel";
import { initialValues, snippetRow, type FormValues } from "./testForm";
import { TryPanel } from "./TryPanel";
import type { Deployment, DeploymentWithToken } from "./types";
import { UsagePanel } from "./UsagePanel";

interface Props {
  projectId: string;
  deployment: Deployment;
  token: string | null;
  canEdit: boolean;
  onToken: (deployment: DeploymentWithToken) => void;
  onForgetToken: () => void;
  onDeleted: () => void;
}

export function DeploymentDetail({ projectId, deployment, token, canEdit, onToken, onForgetToken, onDeleted }: Props) {
  const schema = useDeploymentSchema(projectId, deployment.id);
  const [edited, setEdited] = useState<FormValues | null>(null);
  const values = edited ?? (schema.data ? initialValues(schema.data.inputs) : {});
  const regenerate = useRegenerateToken(projectId);
  const remove = useDeleteDeployment(projectId);
  const url = forwardUrl(deployment.id);

  const confirmRegenerate = () =>
    modals.openConfirmModal({
      title: <Text fw={650}>Regenerate the token of “{deployment.name}”?</Text>,
      children: (
        <Text size="sm">
          The current token stops working at once: every client that uses it gets 401 until it has the new one. The new token is
          shown only once.
        </Text>
      ),
      labels: { confirm: "Regenerate token", cancel: "Cancel" },
      confirmProps: { color: "orange" },
      onConfirm: () => regenerate.mutate(deployment.id, { onSuccess: onToken, onError: (e) => notifyError(e, "No new token") }),
    });
  const confirmDelete = () =>
    modals.openConfirmModal({
      title: <Text fw={650}>Delete “{deployment.name}”?</Text>,
      children: <Text size="sm">Its URL and token stop existing, and its usage history is dropped. The experiment stays.</Text>,
      labels: { confirm: "Delete deployment", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () =>
        remove.mutate(deployment.id, {
          onSuccess: () => {
            notifyDone(`Deleted ${deployment.name}`);
            onDeleted();
          },
          onError: (e) => notifyError(e, "Not deleted"),
        }),
    });

  const target = schema.data?.outputs[0]?.name ?? null;
  return (
    <Stack gap="md">
      <Card withBorder radius="md" p="md" aria-label="Endpoint">
        <Stack gap="sm">
          <Group justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
              <Title order={4} lineClamp={1}>
                {deployment.name}
              </Title>
              <Badge color={deployment.enabled ? "teal" : "gray"} variant={deployment.enabled ? "filled" : "light"} data-testid="deployment-state">
                {deployment.enabled ? "enabled" : "disabled"}
              </Badge>
            </Group>
            {canEdit && (
              <Group gap="xs" wrap="nowrap">
                <Button variant="default" size="xs" leftSection={<IconRefresh size={14} />} onClick={confirmRegenerate} loading={regenerate.isPending}>
                  Regenerate token
                </Button>
                <Tooltip label="Disable it first: an enabled deployment may be in use" disabled={!deployment.enabled} withArrow>
                  <Button
                    variant="subtle"
                    color="red"
                    size="xs"
                    leftSection={<IconTrash size={14} />}
                    onClick={confirmDelete}
                    disabled={deployment.enabled}
                    loading={remove.isPending}
                  >
                    Delete
                  </Button>
                </Tooltip>
              </Group>
            )}
          </Group>
          {token && (
            <Alert color="yellow" variant="light" icon={<IconKey size={18} />} title="Copy the token now: it is shown only this once" data-testid="token-notice">
              <Stack gap="xs">
                <Text size="sm">
                  Anyone who has it can call this deployment. Kozak keeps only a hash, so if it is lost, regenerate it (the old one
                  then stops working).
                </Text>
                <CopyField label="Token" value={token} copyLabel="Copy the token" />
                <Group justify="flex-end">
                  <Button size="xs" variant="light" color="yellow" onClick={onForgetToken}>
                    I have copied it
                  </Button>
                </Group>
              </Stack>
            </Alert>
          )}
          <SimpleGrid cols={token ? 1 : 2} spacing="sm">
            <CopyField label="URL" value={url} copyLabel="Copy the URL" />
            {!token && (
              <TextInput
                label="Token"
                value={`${deployment.token_prefix}…`}
                readOnly
                disabled
                description="Shown only when made; regenerate it to get a new one"
                inputWrapperOrder={["label", "input", "description"]}
                styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13 } }}
              />
            )}
          </SimpleGrid>
          {!deployment.enabled && (
            <Alert color="gray" variant="light" icon={<IconPlayerPause size={18} />} p="xs">
              <Text size="sm">Disabled: calls to the URL answer 403 until it is enabled again. The test form still works.</Text>
            </Alert>
          )}
        </Stack>
      </Card>
      {schema.isLoading && (
        <Group gap="xs" c="dimmed">
          <Loader size="xs" />
          <Text size="sm">Loading the model…</Text>
        </Group>
      )}
      {schema.error && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="The model cannot be loaded">
          {errorMessage(schema.error)}
        </Alert>
      )}
      {schema.data && (
        <SimpleGrid cols={2} spacing="md" style={{ alignItems: "start" }}>
          <TryPanel
            projectId={projectId}
            deploymentId={deployment.id}
            schema={schema.data}
            values={values}
            onChange={(name, value) => setEdited({ ...values, [name]: value })}
          />
          <SnippetsPanel deploymentId={deployment.id} row={snippetRow(schema.data.inputs, values)} target={target} token={token} />
        </SimpleGrid>
      )}
      {schema.data && <BatchPanel projectId={projectId} deploymentId={deployment.id} schema={schema.data} values={values} />}
      <UsagePanel projectId={projectId} deploymentId={deployment.id} />
    </Stack>
  );
}
