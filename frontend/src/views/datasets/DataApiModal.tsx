/**
 * "Data API", as Peltarion showed it in the Datasets view: the project's Data API URL and a
 * button that makes an API token (shown once), for uploading files from code (sidekick's
 * `DatasetClient`, or any HTTP client). Each upload becomes a draft of this project.
 */
import { Alert, Button, Code, Modal, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconApi, IconKey } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";

import { api, call, errorMessage } from "../../api/client";
import { CopyField } from "../deployment/Copy";

/** The Data API's base URL for a project, as this browser reaches the server. */
export function dataApiUrl(projectId: string): string {
  return `${window.location.origin}/api/projects/${projectId}/data-api`;
}

export function DataApiButton({ projectId }: { projectId: string }) {
  const [opened, modal] = useDisclosure(false);
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/tokens", { body: { name: `Data API (project ${projectId})` } })),
  });
  const url = dataApiUrl(projectId);
  const token = create.data?.token;
  const close = () => {
    modal.close();
    create.reset();
  };
  return (
    <>
      <Button variant="default" leftSection={<IconApi size={16} />} onClick={modal.open}>
        Data API
      </Button>
      <Modal opened={opened} onClose={close} title={<Text fw={650}>Data API</Text>} size="lg">
        <Stack gap="sm">
          <Text size="sm">
            Upload CSV, NPY or ZIP files into this project from your own code. Each upload becomes a draft here, combined column-wise,
            ready to label and save; clients written for Peltarion's Data API work unchanged.
          </Text>
          <CopyField label="URL" value={url} copyLabel="Copy the URL" />
          {token ? (
            <Alert color="yellow" variant="light" icon={<IconKey size={18} />} title="Copy the token now: it is shown only this once">
              <CopyField label="Token" value={token} copyLabel="Copy the token" />
            </Alert>
          ) : (
            <Button variant="light" leftSection={<IconKey size={16} />} loading={create.isPending} onClick={() => create.mutate()}>
              Create a token
            </Button>
          )}
          {create.isError && (
            <Text size="sm" c="red">
              {errorMessage(create.error)}
            </Text>
          )}
          <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: 12 }} data-testid="data-api-snippet">
            {[
              "import sidekick",
              "",
              `client = sidekick.DatasetClient(url="${url}", token="${token ?? "<TOKEN>"}")`,
              'client.upload_data(["data.zip"], name="My dataset", description="...")',
            ].join("\n")}
          </Code>
          <Text size="xs" c="dimmed">
            The token acts as you, in every project you are a member of; revoke it from the API when it is no longer needed.
          </Text>
        </Stack>
      </Modal>
    </>
  );
}
