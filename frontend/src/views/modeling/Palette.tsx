/**
 * The block palette, grouped by kind. Clicking a block adds it after the selected one (so
 * clicking blocks in turn builds a chain); dragging one onto the canvas drops it there.
 */
import { Box, CloseButton, ScrollArea, Stack, Text, TextInput, Tooltip } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { useState } from "react";

import { CATEGORIES, lookOf } from "./looks";
import type { Block } from "./queries";

export const DRAG_TYPE = "application/x-kozak-block";

interface Props {
  blocks: Block[];
  disabled: boolean;
  onAdd: (block: Block) => void;
}

export function Palette({ blocks, disabled, onAdd }: Props) {
  const [filter, setFilter] = useState("");
  const needle = filter.trim().toLowerCase();
  const shown = blocks.filter(
    (b) => !needle || b.display_name.toLowerCase().includes(needle) || b.type.includes(needle) || b.category.includes(needle),
  );
  const order = Object.keys(CATEGORIES);
  const groups = [...new Set(shown.map((b) => b.category))].sort((a, b) => rank(order, a) - rank(order, b));
  return (
    <Box
      component="nav"
      aria-label="Blocks"
      w={196}
      miw={196}
      style={{ borderRight: "1px solid var(--mantine-color-default-border)", display: "flex", flexDirection: "column" }}
    >
      <Box px="sm" pt="sm" pb={6}>
        <Text size="xs" fw={700} c="dimmed" tt="uppercase" lts={1} mb={6}>
          Blocks
        </Text>
        <TextInput
          size="xs"
          placeholder="Find a block"
          aria-label="Find a block"
          leftSection={<IconSearch size={14} />}
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          rightSection={filter ? <CloseButton size="xs" aria-label="Clear" onClick={() => setFilter("")} /> : null}
        />
      </Box>
      <ScrollArea style={{ flex: 1 }} type="auto" px={6} pb="sm">
        <Stack gap={8}>
          {groups.map((category) => {
            const look = lookOf(category);
            return (
              <div key={category} role="group" aria-label={look.label}>
                <Text size="xs" c="dimmed" fw={600} px={8} mb={2}>
                  {look.label}
                </Text>
                {shown
                  .filter((b) => b.category === category)
                  .sort((a, b) => blockRank(a) - blockRank(b) || a.display_name.localeCompare(b.display_name))
                  .map((block) => {
                    const itemLook = lookOf(block.category, block.type);
                    const BlockIcon = itemLook.icon;
                    return (
                      <Tooltip key={block.type} label={block.description} position="right" multiline w={260} openDelay={500} withArrow>
                        <button
                          type="button"
                          className="kz-palette-item"
                          disabled={disabled}
                          draggable={!disabled}
                          onDragStart={(e) => {
                            e.dataTransfer.setData(DRAG_TYPE, block.type);
                            e.dataTransfer.effectAllowed = "copy";
                          }}
                          onClick={() => onAdd(block)}
                          style={{ border: 0, background: "none", color: "inherit", textAlign: "left" }}
                        >
                          <BlockIcon size={15} stroke={1.8} color={`var(--mantine-color-${itemLook.color}-6)`} />
                          <span>{block.display_name}</span>
                        </button>
                      </Tooltip>
                    );
                  })}
              </div>
            );
          })}
          {!groups.length && (
            <Text size="xs" c="dimmed" px={8}>
              No block matches “{filter}”.
            </Text>
          )}
        </Stack>
      </ScrollArea>
    </Box>
  );
}

function rank(order: string[], category: string): number {
  const i = order.indexOf(category);
  return i < 0 ? order.length : i;
}

/** Input before Target, Dense before the rest of Core: the order a model is built in. */
function blockRank(block: Block): number {
  return ["input", "target", "dense", "activation", "conv2d", "conv1d"].indexOf(block.type) + 1 || 99;
}
