/**
 * The editor's Inspector: the Block tab (the selected block's form, or what to do and the
 * problems that name no block) and the Settings tab (the experiment's name and run settings).
 */
import { Stack, Tabs, Text, TextInput } from "@mantine/core";
import { useEffect, useState, type ReactNode } from "react";

import { Inspector } from "../../shell/Inspector";
import { BlockInspector, type VersionFeature } from "./BlockInspector";
import type { CanvasFacts } from "./BlockNode";
import { GraphIssues } from "./CheckSummary";
import type { BlockNode } from "./graph";
import type { Issue, Loss, RunSettings } from "./queries";
import { SettingsPanel } from "./SettingsPanel";

interface BlockTab {
  selected: BlockNode | undefined;
  selectedCount: number;
  facts: CanvasFacts;
  features: VersionFeature[];
  losses: Loss[];
  looseIssues: Issue[];
  onParam: (nodeId: string, name: string, value: unknown) => void;
  onParams: (nodeId: string, params: Record<string, unknown>) => void;
  onRenameNode: (from: string, to: string) => boolean;
  onCopy: () => void;
  onDelete: () => void;
}

interface SettingsTab {
  name: string;
  canRename: boolean;
  onRename: (name: string) => void;
  settings: RunSettings;
  schema: { json_schema: Record<string, unknown>; defaults: Record<string, unknown> };
  subsets: string[];
  dataLabel: ReactNode;
  errors: Record<string, string>;
  issues: Issue[];
  onChange: (settings: RunSettings) => void;
}

interface Props {
  tab: string | null;
  onTab: (tab: string | null) => void;
  readOnly: boolean;
  block: BlockTab;
  settings: SettingsTab;
}

export function EditorInspector({ tab, onTab, readOnly, block, settings }: Props) {
  const { selected, facts } = block;
  return (
    <Inspector title={settings.name}>
      <Tabs value={tab} onChange={onTab}>
        <Tabs.List grow>
          <Tabs.Tab value="block">Block</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="block" pt="md">
          {selected ? (
            <BlockInspector
              key={selected.id}
              node={selected}
              block={facts.blocks.get(selected.data.type)}
              info={facts.info.get(selected.id)}
              issues={facts.issues.get(selected.id) ?? []}
              features={block.features}
              losses={block.losses}
              readOnly={readOnly}
              onParam={(name, value) => block.onParam(selected.id, name, value)}
              onParams={(params) => block.onParams(selected.id, params)}
              onRename={(id) => block.onRenameNode(selected.id, id)}
              onCopy={block.onCopy}
              onDelete={block.onDelete}
            />
          ) : (
            <Stack gap="xs">
              <Text size="sm" c="dimmed">
                {block.selectedCount > 1
                  ? `${block.selectedCount} blocks selected: copy, paste or delete them together.`
                  : "Select a block on the canvas to edit its parameters, or add one from the Blocks list: it connects to the selected block."}
              </Text>
              <GraphIssues issues={block.looseIssues} />
            </Stack>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <NameField name={settings.name} disabled={!settings.canRename} onRename={settings.onRename} />
          <SettingsPanel
            settings={settings.settings}
            schema={settings.schema}
            subsets={settings.subsets}
            dataLabel={settings.dataLabel}
            readOnly={readOnly}
            errors={settings.errors}
            onChange={settings.onChange}
          />
          <GraphIssues issues={settings.issues} />
        </Tabs.Panel>
      </Tabs>
    </Inspector>
  );
}

/** The experiment's name, saved when the field is left (Enter leaves it). */
function NameField({ name, disabled, onRename }: { name: string; disabled: boolean; onRename: (name: string) => void }) {
  const [value, setValue] = useState(name);
  useEffect(() => setValue(name), [name]);
  return (
    <TextInput
      label="Experiment name"
      mb="sm"
      value={value}
      disabled={disabled}
      onChange={(e) => setValue(e.currentTarget.value)}
      onBlur={() => {
        const next = value.trim();
        if (next && next !== name) onRename(next);
        else setValue(name);
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter") e.currentTarget.blur();
        if (e.key === "Escape") setValue(name);
      }}
    />
  );
}
