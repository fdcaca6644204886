/**
 * Where files come in: a drop zone (or file picker) for one or more files and a URL field,
 * with each file's upload progress. Uploads run one after another, each answering with the
 * draft's new view. A file of a format Kozak cannot read gets a row too, saying what it is,
 * why it cannot be used and which formats can.
 */
import { ActionIcon, Button, Group, Paper, Progress, Stack, Text, TextInput, ThemeIcon } from "@mantine/core";
import { Dropzone, type FileRejection } from "@mantine/dropzone";
import { IconAlertCircle, IconCheck, IconCloudUpload, IconFile, IconLink, IconX } from "@tabler/icons-react";
import { useRef, useState } from "react";

import { errorMessage } from "../../api/client";
import type { Draft } from "../../api/types";
import { uploadDraftFile } from "../../api/upload";
import { formatBytes } from "../../format";

/** What the area says it reads, in every message about a file it cannot. */
export const FORMATS_TEXT = "CSV, TSV, Parquet, NPY, NPZ, FASTA or ZIP (each may be gzipped)";

/** A file in words: "a PNG image (image/png)", "a .docx file". */
export function describeFile(file: File): string {
  const extension = file.name.includes(".") ? file.name.split(".").pop()!.toLowerCase() : "";
  const [family, subtype] = file.type ? file.type.split("/") : ["", ""];
  const families: Record<string, string> = { image: "image", video: "video", audio: "audio recording", font: "font" };
  if (family && families[family]) return `a ${(subtype ?? "").replace(/^x-/, "").toUpperCase()} ${families[family]}`;
  if (extension) return `a .${extension} file`;
  return file.type ? `a file of type ${file.type}` : "a file without an extension";
}

export const ACCEPTED = [".csv", ".tsv", ".txt", ".tab", ".parquet", ".pq", ".npy", ".npz", ".fasta", ".fa", ".fna", ".faa", ".zip", ".gz"];

type Status = "waiting" | "uploading" | "reading" | "done" | "failed";

interface Item {
  key: number;
  name: string;
  size: number | null;
  progress: number;
  status: Status;
  error?: string;
}

interface Props {
  projectId: string;
  /** The draft to add files to, made on the first file. */
  ensureDraft: () => Promise<string>;
  onDraft: (draft: Draft) => void;
  addUrl: (draftId: string, url: string) => Promise<Draft>;
  onBusyChange?: (busy: boolean) => void;
}

export function UploadArea({ projectId, ensureDraft, onDraft, addUrl, onBusyChange }: Props) {
  const [items, setItems] = useState<Item[]>([]);
  const [url, setUrl] = useState("");
  const queue = useRef<Promise<void>>(Promise.resolve());
  const pending = useRef(0);
  const nextKey = useRef(0);

  const patch = (key: number, change: Partial<Item>) =>
    setItems((all) => all.map((item) => (item.key === key ? { ...item, ...change } : item)));

  /** Run `work` after the uploads before it; the area is busy while any is pending. */
  const enqueue = (key: number, work: (draftId: string) => Promise<Draft>) => {
    pending.current += 1;
    onBusyChange?.(true);
    queue.current = queue.current.then(async () => {
      try {
        const draft = await work(await ensureDraft());
        patch(key, { status: "done", progress: 1 });
        onDraft(draft);
      } catch (error) {
        patch(key, { status: "failed", error: errorMessage(error) });
      } finally {
        pending.current -= 1;
        if (pending.current === 0) onBusyChange?.(false);
      }
    });
  };

  const addFiles = (files: File[]) => {
    for (const file of files) {
      const key = nextKey.current++;
      setItems((all) => [...all, { key, name: file.name, size: file.size, progress: 0, status: "waiting" }]);
      enqueue(key, (draftId) => {
        patch(key, { status: "uploading" });
        return uploadDraftFile(projectId, draftId, file, (fraction) =>
          patch(key, { progress: fraction, status: fraction >= 1 ? "reading" : "uploading" }),
        );
      });
    }
  };

  /** Files the drop zone refused: each gets a row that says what it is and what can be used. */
  const refuse = (rejections: FileRejection[]) => {
    for (const { file, errors } of rejections) {
      const key = nextKey.current++;
      const why = errors.some((e) => e.code === "file-invalid-type")
        ? `${file.name} is ${describeFile(file)}, which Kozak cannot read as data. Upload ${FORMATS_TEXT}.`
        : `${file.name} cannot be used: ${errors.map((e) => e.message).join("; ")}. Upload ${FORMATS_TEXT}.`;
      setItems((all) => [...all, { key, name: file.name, size: file.size, progress: 0, status: "failed", error: why }]);
    }
  };

  const importUrl = () => {
    const target = url.trim();
    if (!target) return;
    const key = nextKey.current++;
    const name = target.split("/").pop() || target;
    setItems((all) => [...all, { key, name, size: null, progress: 0, status: "waiting" }]);
    setUrl("");
    enqueue(key, (draftId) => {
      patch(key, { status: "reading" });
      return addUrl(draftId, target);
    });
  };

  return (
    <Stack gap="sm">
      {/* The classic file input, not the File System Access picker: it works in every browser,
          offers "All files" (whose refusals then get a row) and is what browser tests drive. */}
      <Dropzone onDrop={addFiles} onReject={refuse} useFsAccessApi={false} multiple accept={{ "application/octet-stream": ACCEPTED }} radius="md" aria-label="Drop files here or click to choose them">
        <Group justify="center" gap="lg" mih={130} style={{ pointerEvents: "none" }}>
          <Dropzone.Accept>
            <IconCloudUpload size={44} color="var(--mantine-color-teal-6)" stroke={1.5} />
          </Dropzone.Accept>
          <Dropzone.Reject>
            <IconX size={44} color="var(--mantine-color-red-6)" stroke={1.5} />
          </Dropzone.Reject>
          <Dropzone.Idle>
            <IconCloudUpload size={44} color="var(--mantine-color-dimmed)" stroke={1.5} />
          </Dropzone.Idle>
          <div>
            <Text size="lg" fw={500}>
              Drop files here, or click to choose them
            </Text>
            <Text size="sm" c="dimmed" mt={4}>
              {FORMATS_TEXT}; several files are joined column by column.
            </Text>
          </div>
        </Group>
      </Dropzone>
      <Group gap="xs" wrap="nowrap">
        <TextInput
          aria-label="Import from a URL"
          placeholder="…or paste the URL of a file"
          leftSection={<IconLink size={16} />}
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              importUrl();
            }
          }}
          style={{ flex: 1 }}
        />
        <Button variant="default" onClick={importUrl} disabled={!url.trim()}>
          Import
        </Button>
      </Group>
      {items.length > 0 && (
        <Stack gap={6} aria-label="Uploads">
          {items.map((item) => (
            <UploadLine key={item.key} item={item} onDismiss={() => setItems((all) => all.filter((i) => i.key !== item.key))} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}

const STATUS_TEXT: Record<Status, string> = {
  waiting: "waiting",
  uploading: "uploading",
  reading: "reading columns…",
  done: "ready",
  failed: "failed",
};

function UploadLine({ item, onDismiss }: { item: Item; onDismiss: () => void }) {
  const failed = item.status === "failed";
  return (
    <Paper withBorder p="xs" radius="md" data-upload={item.name} data-status={item.status}>
      <Group gap="sm" wrap="nowrap">
        <ThemeIcon variant="light" color={failed ? "red" : item.status === "done" ? "teal" : "gray"} size="md">
          {failed ? <IconAlertCircle size={16} /> : item.status === "done" ? <IconCheck size={16} /> : <IconFile size={16} />}
        </ThemeIcon>
        <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm" fw={500} truncate>
              {item.name}
            </Text>
            <Text size="xs" c={failed ? "red" : "dimmed"} style={{ whiteSpace: "nowrap" }}>
              {item.size !== null ? `${formatBytes(item.size)} · ` : ""}
              {item.status === "uploading" ? `${Math.round(item.progress * 100)} %` : STATUS_TEXT[item.status]}
            </Text>
          </Group>
          {failed ? (
            <Text size="xs" c="red">
              {item.error}
            </Text>
          ) : (
            <Progress
              value={item.status === "reading" || item.status === "done" ? 100 : item.progress * 100}
              size="sm"
              animated={item.status === "reading"}
              striped={item.status === "reading"}
              color={item.status === "done" ? "teal" : "blue"}
              aria-label={`Upload of ${item.name}`}
            />
          )}
        </Stack>
        {failed && (
          <ActionIcon variant="subtle" color="gray" aria-label={`Dismiss ${item.name}`} onClick={onDismiss}>
            <IconX size={16} />
          </ActionIcon>
        )}
      </Group>
    </Paper>
  );
}
