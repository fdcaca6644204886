/**
 * The editor's toolbar: which experiment, undo and redo, clipboard, layout, the YAML panel, the
 * save state and Run (disabled, with the reason, while the model cannot run).
 */
import { ActionIcon, Button, Divider, Group, Menu, Switch, Text, Tooltip } from "@mantine/core";
import {
  IconArrowBackUp,
  IconArrowForwardUp,
  IconChevronDown,
  IconClipboard,
  IconCode,
  IconCopy,
  IconFocusCentered,
  IconHierarchy,
  IconPlayerPlay,
  IconAdjustmentsHorizontal,
  IconPlus,
  IconTrash,
} from "@tabler/icons-react";
import type { ReactNode } from "react";
import { useNavigate } from "react-router";

import { ExperimentPicker } from "../shared/ExperimentPicker";
import { useOpenEvaluationAfterRun } from "./afterRun";
import type { Experiment } from "./queries";
import { ExperimentBadge } from "./status";

interface Props {
  projectId: string;
  experiment: Experiment;
  onNew: () => void;
  onSearch: () => void;
  readOnly: boolean;
  history: { undo: () => void; redo: () => void; canUndo: boolean; canRedo: boolean };
  edits: { copy: () => void; paste: () => void; remove: () => void; hasClip: boolean };
  hasSelection: boolean;
  canDelete: boolean;
  hasNodes: boolean;
  onLayout: () => void;
  onFit: () => void;
  yamlOpen: boolean;
  onToggleYaml: () => void;
  saveState: { saving: boolean; dirty: boolean; saveError: string | null };
  run: { blocked: string | null; ready: boolean; starting: boolean; start: () => void };
}

export function EditorToolbar({ projectId, experiment, onNew, onSearch, readOnly, history, edits, hasSelection, canDelete, hasNodes, onLayout, onFit, yamlOpen, onToggleYaml, saveState, run }: Props) {
  const navigate = useNavigate();
  return (
    <Group px="sm" py={6} gap="xs" justify="space-between" wrap="nowrap" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
      <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
        <ExperimentPicker
          projectId={projectId}
          aria-label="Experiment"
          size="xs"
          w={180}
          allowDeselect={false}
          value={experiment.id}
          onChange={(id) => id && navigate(`/projects/${projectId}/modeling/${id}`)}
        />
        <ExperimentBadge experiment={experiment} />
        <Tooltip label="New experiment" withArrow openDelay={300}>
          <Button size="xs" variant="default" leftSection={<IconPlus size={14} />} onClick={onNew} aria-label="New experiment">
            New
          </Button>
        </Tooltip>
        <Tooltip label="Search around this model: a hyperparameter sweep" withArrow openDelay={300}>
          <Button size="xs" variant="default" leftSection={<IconAdjustmentsHorizontal size={14} />} onClick={onSearch}>
            Search
          </Button>
        </Tooltip>
      </Group>
      <Group gap={4} wrap="nowrap">
        <Tool label="Undo (Ctrl+Z)" icon={<IconArrowBackUp size={17} />} onClick={history.undo} disabled={readOnly || !history.canUndo} />
        <Tool label="Redo (Ctrl+Shift+Z)" icon={<IconArrowForwardUp size={17} />} onClick={history.redo} disabled={readOnly || !history.canRedo} />
        <Divider orientation="vertical" mx={2} />
        <Tool label="Copy (Ctrl+C)" icon={<IconCopy size={17} />} onClick={edits.copy} disabled={!hasSelection} />
        <Tool label="Paste (Ctrl+V)" icon={<IconClipboard size={17} />} onClick={edits.paste} disabled={readOnly || !edits.hasClip} />
        <Tool label="Delete (Del)" icon={<IconTrash size={17} />} onClick={edits.remove} disabled={readOnly || !canDelete} />
        <Divider orientation="vertical" mx={2} />
        <Tool label="Auto-layout" icon={<IconHierarchy size={17} />} onClick={onLayout} disabled={readOnly || !hasNodes} />
        <Tool label="Fit to view" icon={<IconFocusCentered size={17} />} onClick={onFit} />
        <Divider orientation="vertical" mx={2} />
        <Button size="xs" variant={yamlOpen ? "light" : "subtle"} color="gray" leftSection={<IconCode size={15} />} onClick={onToggleYaml} aria-pressed={yamlOpen}>
          YAML
        </Button>
        <SaveState readOnly={readOnly} {...saveState} />
        <Tooltip label={run.blocked} disabled={!run.blocked} multiline w={300} withArrow>
          <span>
            <Button size="xs" leftSection={<IconPlayerPlay size={14} />} onClick={run.start} loading={run.starting} disabled={Boolean(run.blocked) || !run.ready}>
              Run
            </Button>
          </span>
        </Tooltip>
        <RunOptions />
      </Group>
    </Group>
  );
}

/** Where Run goes next: the run's Evaluation view unless the user chose to stay in the editor. */
function RunOptions() {
  const [openEvaluation, setOpenEvaluation] = useOpenEvaluationAfterRun();
  return (
    <Menu position="bottom-end" withArrow closeOnItemClick={false}>
      <Menu.Target>
        <ActionIcon size="sm" variant="subtle" color="gray" aria-label="Run options">
          <IconChevronDown size={14} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown p="sm">
        <Switch
          size="xs"
          label="Open Evaluation after Run"
          description="Off: stay here while it trains"
          checked={openEvaluation}
          onChange={(event) => setOpenEvaluation(event.currentTarget.checked)}
        />
      </Menu.Dropdown>
    </Menu>
  );
}

function Tool({ label, icon, onClick, disabled }: { label: string; icon: ReactNode; onClick: () => void; disabled?: boolean }) {
  return (
    <Tooltip label={label} withArrow openDelay={300}>
      <ActionIcon className="kz-tool" variant="subtle" color="gray" aria-label={label.replace(/ \(.*\)$/, "")} onClick={onClick} disabled={disabled}>
        {icon}
      </ActionIcon>
    </Tooltip>
  );
}

function SaveState({ readOnly, saving, dirty, saveError }: { readOnly: boolean; saving: boolean; dirty: boolean; saveError: string | null }) {
  if (readOnly) return null;
  if (saveError && dirty) {
    return (
      <Tooltip label={saveError} multiline w={300} withArrow>
        <Text size="xs" c="red" px={6} data-testid="save-state">
          Not saved
        </Text>
      </Tooltip>
    );
  }
  return (
    <Text size="xs" c="dimmed" px={6} w={58} data-testid="save-state">
      {saving || dirty ? "Saving…" : "Saved"}
    </Text>
  );
}
