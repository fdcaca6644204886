/**
 * "New dataset", as in the tutorial: upload files (or a URL), see a preview of the first rows
 * with each column's detected type, Next, name the dataset, Done. The draft is made on the
 * first file with a placeholder name and discarded if the dialog is cancelled.
 */
import { Alert, Button, Group, Modal, Stack, Stepper, Text, Textarea, TextInput } from "@mantine/core";
import { IconAlertCircle } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";

import { api, call, errorMessage } from "../../api/client";
import type { Draft } from "../../api/types";
import { columnOfDraft } from "./columns";
import { FeatureTable } from "./FeatureTable";
import { draftRequests, storeDraft, useCreateDraft, useDatasetSearch, useDeleteDraft } from "./queries";
import { UploadArea } from "./UploadArea";

interface Props {
  projectId: string;
  opened: boolean;
  onClose: () => void;
  onDone: (draft: Draft) => void;
}

function placeholderName(taken: Set<string>): string {
  for (let n = 1; ; n += 1) {
    const name = n === 1 ? "Untitled dataset" : `Untitled dataset ${n}`;
    if (!taken.has(name)) return name;
  }
}

function stem(filename: string): string {
  return filename.replace(/(\.gz)?$/i, "").replace(/\.[^.]+$/, "");
}

export function NewDatasetModal({ projectId, opened, onClose, onDone }: Props) {
  const client = useQueryClient();
  // Names that could clash with the placeholder (the server searches; a few at most).
  const untitled = useDatasetSearch(projectId, { q: "Untitled dataset", limit: 1000 }, opened);
  const createDraft = useCreateDraft(projectId);
  const deleteDraft = useDeleteDraft(projectId);
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [saving, setSaving] = useState(false);
  const [nameError, setNameError] = useState<string | null>(null);
  const draftId = useRef<Promise<string> | null>(null);

  const reset = () => {
    setStep(0);
    setDraft(null);
    setName("");
    setDescription("");
    setNameError(null);
    draftId.current = null;
  };

  const ensureDraft = () => {
    draftId.current ??= (async () => {
      const taken = new Set(untitled.data?.data.map((d) => d.name));
      return (await createDraft.mutateAsync(placeholderName(taken))).id;
    })();
    return draftId.current;
  };

  const receive = (next: Draft) => {
    setDraft(next);
    storeDraft(client, next);
    if (!name && next.files[0]) setName(stem(next.files[0].name));
  };

  const cancel = () => {
    if (draft) deleteDraft.mutate(draft.id);
    reset();
    onClose();
  };

  const finish = async () => {
    if (!draft) return;
    setSaving(true);
    setNameError(null);
    try {
      const named = await call(
        api.PATCH("/api/projects/{project_id}/drafts/{draft_id}", {
          params: { path: { project_id: projectId, draft_id: draft.id } },
          body: { name: name.trim(), description },
        }),
      );
      storeDraft(client, named);
      reset();
      onDone(named);
    } catch (error) {
      setNameError(errorMessage(error));
    } finally {
      setSaving(false);
    }
  };

  const ready = draft !== null && draft.files.length > 0 && !busy;
  return (
    <Modal opened={opened} onClose={cancel} title="New dataset" size={step === 1 ? "xl" : "lg"} closeOnClickOutside={false}>
      <Stepper active={step} size="sm" mb="md" allowNextStepsSelect={false} onStepClick={setStep}>
        <Stepper.Step label="Files" description="Upload or import" />
        <Stepper.Step label="Preview" description="Check the columns" />
        <Stepper.Step label="Name" description="Name the dataset" />
      </Stepper>
      {step === 0 && (
        <UploadArea
          projectId={projectId}
          ensureDraft={ensureDraft}
          onDraft={receive}
          addUrl={(id, url) => draftRequests(projectId, id).addUrl(url)}
          onBusyChange={setBusy}
        />
      )}
      {step === 1 && draft && <PreviewStep draft={draft} />}
      {step === 2 && (
        <Stack>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={nameError}
            data-autofocus
            required
            onKeyDown={(e) => e.key === "Enter" && name.trim() && void finish()}
          />
          <Textarea label="Description" placeholder="Where the data come from" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} />
        </Stack>
      )}
      <Group justify="space-between" mt="lg">
        <Button variant="default" onClick={cancel}>
          Cancel
        </Button>
        <Group>
          {step > 0 && (
            <Button variant="default" onClick={() => setStep(step - 1)}>
              Back
            </Button>
          )}
          {step < 2 ? (
            <Button onClick={() => setStep(step + 1)} disabled={!ready || (step === 1 && draft?.features.length === 0)}>
              Next
            </Button>
          ) : (
            <Button onClick={() => void finish()} loading={saving} disabled={!name.trim()}>
              Done
            </Button>
          )}
        </Group>
      </Group>
    </Modal>
  );
}

function PreviewStep({ draft }: { draft: Draft }) {
  const columns = draft.features.map(columnOfDraft);
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {draft.row_count.toLocaleString("en-US")} rows, {columns.length} columns from {draft.files.map((f) => f.name).join(", ")}. Types are
        detected; change any of them later in the Inspector.
      </Text>
      {draft.error && (
        <Alert color="red" icon={<IconAlertCircle size={18} />} title="These files cannot be used as they are">
          {draft.error.message}
        </Alert>
      )}
      {columns.length > 0 && <FeatureTable columns={columns} rows={draft.preview.slice(0, 8)} stats={undefined} selected={null} onSelect={() => {}} charts={false} maxHeight={360} />}
    </Stack>
  );
}
