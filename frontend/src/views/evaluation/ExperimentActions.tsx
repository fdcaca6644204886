/**
 * What can be done to an experiment from its page: run, stop, resume, continue training,
 * clone (with or without its weights, optionally changing the learning rate and epochs and
 * running the copy at once), deploy (then go to the Deployment tab), and downloads
 * (predictions as CSV, the HTML report).
 */
import {
  Alert,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Menu,
  Modal,
  NumberInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import {
  IconCopy,
  IconDownload,
  IconFileTypeCsv,
  IconFileTypeHtml,
  IconPlayerPlay,
  IconPlayerSkipForward,
  IconPlayerStop,
  IconRocket,
  IconTopologyStar3,
} from "@tabler/icons-react";
import { useState } from "react";
import { Link, useNavigate } from "react-router";

import type { components } from "../../api/schema";
import { useTakenNames } from "../../projects/queries";
import { notifyDone, notifyError } from "../../shell/notify";
import {
  isActive,
  predictionsUrl,
  reportUrl,
  useClone,
  useContinue,
  useDeploy,
  useExperimentAction,
  type Experiment,
} from "./queries";

interface Props {
  projectId: string;
  experiment: Experiment;
  /** Where the copy opens after cloning. */
  onCloned: (copy: Experiment) => void;
}

export function ExperimentActions({ projectId, experiment, onCloned }: Props) {
  const action = useExperimentAction(projectId, experiment.id);
  const [cloning, cloneModal] = useDisclosure(false);
  const [continuing, continueModal] = useDisclosure(false);
  const [deploying, deployModal] = useDisclosure(false);
  const active = isActive(experiment);
  const trained = experiment.epochs_done > 0;
  const canResume = !active && trained && ["stopped", "failed"].includes(experiment.status) && experiment.epochs_done < experiment.epochs;
  const run = (what: "run" | "stop" | "resume", done: string) =>
    action.mutate(what, { onSuccess: () => notifyDone(done), onError: (e) => notifyError(e, `Could not ${what} “${experiment.name}”`) });

  return (
    <Group gap="xs" wrap="nowrap">
      {experiment.status === "created" && !active && (
        <Button size="xs" leftSection={<IconPlayerPlay size={14} />} loading={action.isPending} onClick={() => run("run", "Training queued")}>
          Run
        </Button>
      )}
      {active && (
        <Button size="xs" color="red" variant="light" leftSection={<IconPlayerStop size={14} />} loading={action.isPending} onClick={() => run("stop", "Stopping after the current batch")}>
          Stop
        </Button>
      )}
      {canResume && (
        <Button size="xs" variant="light" leftSection={<IconPlayerPlay size={14} />} loading={action.isPending} onClick={() => run("resume", "Training resumes from the last checkpoint")}>
          Resume
        </Button>
      )}
      {!active && trained && (
        <Button size="xs" variant="default" leftSection={<IconPlayerSkipForward size={14} />} onClick={continueModal.open}>
          Continue
        </Button>
      )}
      <Button
        size="xs"
        variant="default"
        component={Link}
        to={`/projects/${projectId}/modeling/${experiment.id}`}
        leftSection={<IconTopologyStar3 size={14} />}
        title={experiment.status === "created" ? "Edit its graph and settings" : "See its graph and settings"}
      >
        Model
      </Button>
      <Button size="xs" variant="default" leftSection={<IconCopy size={14} />} onClick={cloneModal.open}>
        Clone
      </Button>
      <Button size="xs" variant="default" leftSection={<IconRocket size={14} />} disabled={!trained} onClick={deployModal.open}>
        Deploy
      </Button>
      <Menu position="bottom-end" withArrow width={260}>
        <Menu.Target>
          <Button size="xs" variant="default" px={8} aria-label="Downloads" disabled={!trained}>
            <IconDownload size={16} />
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Predictions (CSV)</Menu.Label>
          <Menu.Item component="a" href={predictionsUrl(projectId, experiment.id, "best")} download leftSection={<IconFileTypeCsv size={16} />}>
            Best epoch, every row
          </Menu.Item>
          <Menu.Item component="a" href={predictionsUrl(projectId, experiment.id, "last")} download leftSection={<IconFileTypeCsv size={16} />}>
            Last epoch, every row
          </Menu.Item>
          {subsetsOf(experiment).map((subset) => (
            <Menu.Item key={subset} component="a" href={predictionsUrl(projectId, experiment.id, "best", subset)} download leftSection={<IconFileTypeCsv size={16} />}>
              Best epoch, {subset} rows
            </Menu.Item>
          ))}
          <Menu.Divider />
          <Menu.Label>Report</Menu.Label>
          <Menu.Item component="a" href={reportUrl(projectId, experiment.id, "best")} download leftSection={<IconFileTypeHtml size={16} />}>
            HTML report (best epoch)
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <CloneModal projectId={projectId} experiment={experiment} opened={cloning} onClose={cloneModal.close} onCloned={onCloned} />
      <ContinueModal projectId={projectId} experiment={experiment} opened={continuing} onClose={continueModal.close} />
      <DeployModal projectId={projectId} experiment={experiment} opened={deploying} onClose={deployModal.close} />
    </Group>
  );
}

/** The experiment's training and validation subsets, for per-subset downloads. */
function subsetsOf(experiment: Experiment): string[] {
  const { training_subset: training, validation_subset: validation } = experiment.settings as Record<string, unknown>;
  return [training, validation].filter((s): s is string => typeof s === "string" && s !== "");
}

/** "name 2", "name 3", … : the first name no experiment of the project has. */
function freeName(base: string, taken: Set<string>): string {
  const stem = base.replace(/ \d+$/, "");
  for (let i = 2; ; i += 1) {
    const name = `${stem} ${i}`;
    if (!taken.has(name)) return name;
  }
}

function CloneModal({ projectId, experiment, opened, onClose, onCloned }: Props & { opened: boolean; onClose: () => void }) {
  const clone = useClone(projectId, experiment.id);
  const taken = useTakenNames(projectId, experiment.name, opened);
  const optimizer = (experiment.settings.optimizer ?? {}) as { lr?: number; name?: string };
  const [name, setName] = useState("");
  const [withWeights, setWithWeights] = useState(false);
  const [lr, setLr] = useState<number | string>(optimizer.lr ?? 0.001);
  const [epochs, setEpochs] = useState<number | string>(experiment.epochs);
  const [runNow, setRunNow] = useState(true);
  const shownName = name || freeName(experiment.name, taken);

  const submit = () => {
    const settings: Record<string, unknown> = {};
    if (Number(lr) !== optimizer.lr) settings.optimizer = { lr: Number(lr) };
    if (Number(epochs) !== experiment.epochs) settings.epochs = Number(epochs);
    clone.mutate(
      { name: shownName, withWeights, settings: Object.keys(settings).length ? settings : null, run: runNow },
      {
        onSuccess: (copy) => {
          notifyDone(runNow ? `“${copy.name}” is queued` : `“${copy.name}” created`);
          setName("");
          onClose();
          onCloned(copy);
        },
        onError: (e) => notifyError(e, "Could not clone"),
      },
    );
  };
  return (
    <Modal opened={opened} onClose={onClose} title={`Clone “${experiment.name}”`} size="md">
      <Stack gap="sm">
        <TextInput label="Name of the copy" value={shownName} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
        <Switch
          label="Start from this experiment's trained weights"
          description={experiment.epochs_done > 0 ? "Its best epoch's weights; otherwise the copy starts from scratch." : "It has no weights yet."}
          checked={withWeights}
          disabled={experiment.epochs_done === 0}
          onChange={(e) => setWithWeights(e.currentTarget.checked)}
        />
        <Group grow>
          <NumberInput label={`Learning rate (${optimizer.name ?? "optimizer"})`} value={lr} onChange={setLr} min={0} step={0.0001} decimalScale={8} />
          <NumberInput label="Epochs" value={epochs} onChange={setEpochs} min={1} max={100000} allowDecimal={false} />
        </Group>
        <Text size="xs" c="dimmed">
          The copy keeps the graph, the data and every other setting; change more in the Modeling view before running it.
        </Text>
        <Checkbox label="Run the copy at once" checked={runNow} onChange={(e) => setRunNow(e.currentTarget.checked)} />
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={clone.isPending} disabled={!shownName.trim() || taken.has(shownName)}>
            {runNow ? "Clone and run" : "Clone"}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ContinueModal({ projectId, experiment, opened, onClose }: { projectId: string; experiment: Experiment; opened: boolean; onClose: () => void }) {
  const more = useContinue(projectId, experiment.id);
  const [epochs, setEpochs] = useState<number | string>(10);
  return (
    <Modal opened={opened} onClose={onClose} title="Continue training" size="sm">
      <Stack gap="sm">
        <Text size="sm">
          Train <b>{experiment.name}</b> further from its last checkpoint (epoch {experiment.epochs_done}).
        </Text>
        <NumberInput label="More epochs" value={epochs} onChange={setEpochs} min={1} max={100000} allowDecimal={false} data-autofocus />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            loading={more.isPending}
            disabled={!Number(epochs)}
            onClick={() =>
              more.mutate(Number(epochs), {
                onSuccess: () => {
                  notifyDone(`${epochs} more epochs queued`);
                  onClose();
                },
                onError: (e) => notifyError(e, "Could not continue"),
              })
            }
          >
            Continue training
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

type Deployed = components["schemas"]["DeploymentWithToken"];

function DeployModal({ projectId, experiment, opened, onClose }: { projectId: string; experiment: Experiment; opened: boolean; onClose: () => void }) {
  const deploy = useDeploy(projectId);
  const navigate = useNavigate();
  const [checkpoint, setCheckpoint] = useState<string>("best");
  const [name, setName] = useState("");
  const [deployed, setDeployed] = useState<Deployed | null>(null);
  const epochs = Array.from({ length: experiment.epochs_done }, (_, i) => i + 1);
  const close = () => {
    setDeployed(null);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={deployed ? "Deployed" : `Deploy “${experiment.name}”`} size="md">
      {deployed ? (
        <Stack gap="sm">
          <Text size="sm">
            <b>{deployed.name}</b> answers at
          </Text>
          <Code block>{deployed.url}</Code>
          <Alert color="yellow" variant="light" title="Copy the token now">
            It is shown only this once. Send it as <Code>Authorization: Bearer …</Code>.
          </Alert>
          <Group gap="xs" wrap="nowrap">
            <Code style={{ flex: 1, overflow: "hidden", textOverflow: "ellipsis" }} data-testid="deployment-token">
              {deployed.token}
            </Code>
            <CopyButton value={deployed.token}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy}>
                  {copied ? "Copied" : "Copy"}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Close
            </Button>
            <Button leftSection={<IconRocket size={16} />} onClick={() => navigate(`/projects/${projectId}/deployment/${deployed.id}`)}>
              Open the Deployment tab
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="sm">
          <Select
            label="Checkpoint"
            value={checkpoint}
            onChange={(v) => setCheckpoint(v ?? "best")}
            allowDeselect={false}
            data={[
              { value: "best", label: `Best epoch${experiment.best_epoch ? ` (${experiment.best_epoch})` : ""}` },
              { value: "last", label: `Last epoch (${experiment.epochs_done})` },
              ...epochs.map((e) => ({ value: String(e), label: `Epoch ${e}` })),
            ]}
          />
          <TextInput label="Name" placeholder={experiment.name} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Text size="xs" c="dimmed">
            The deployment answers REST requests with this checkpoint's predictions; enable, disable and watch it in the Deployment tab.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              leftSection={<IconRocket size={16} />}
              loading={deploy.isPending}
              onClick={() =>
                deploy.mutate(
                  { experiment: experiment.id, checkpoint: /^\d+$/.test(checkpoint) ? Number(checkpoint) : checkpoint, name: name.trim() || null },
                  { onSuccess: setDeployed, onError: (e) => notifyError(e, "Could not deploy") },
                )
              }
            >
              Deploy
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
