/**
 * The Inspector: the right-hand panel of a project that edits whatever is selected.
 *
 * The project page owns the panel (`InspectorPanel`); any view puts its content there by
 * rendering `<Inspector title=…>`, wherever it sits in the view's tree (a React portal).
 */
import { Badge, Box, Group, ScrollArea, Stack, Text, Title } from "@mantine/core";
import { IconPointer } from "@tabler/icons-react";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";

interface Slot {
  host: HTMLElement | null;
  occupy: (delta: number) => void;
}

const InspectorSlot = createContext<Slot>({ host: null, occupy: () => {} });

export function InspectorPanel({ children }: { children: ReactNode }) {
  const [host, setHost] = useState<HTMLElement | null>(null);
  const [occupants, setOccupants] = useState(0);
  const slot: Slot = { host, occupy: (delta) => setOccupants((n) => n + delta) };
  return (
    <InspectorSlot.Provider value={slot}>
      {children}
      <Box
        component="aside"
        aria-label="Inspector"
        w={320}
        miw={320}
        style={{ borderLeft: "1px solid var(--mantine-color-default-border)", display: "flex", flexDirection: "column" }}
        bg="var(--mantine-color-body)"
      >
        <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="md" pt="sm" pb={4} lts={1}>
          Inspector
        </Text>
        <ScrollArea style={{ flex: 1 }} type="auto">
          <div ref={setHost} />
          {occupants === 0 && (
            <Stack align="center" gap="xs" p="xl" c="dimmed">
              <IconPointer size={28} stroke={1.5} />
              <Text size="sm" ta="center">
                Select a column, a subset or an item to see and edit it here.
              </Text>
            </Stack>
          )}
        </ScrollArea>
      </Box>
    </InspectorSlot.Provider>
  );
}

export function Inspector({ title, children }: { title: ReactNode; children: ReactNode }) {
  const { host, occupy } = useContext(InspectorSlot);
  useEffect(() => {
    occupy(1);
    return () => occupy(-1);
  }, []);
  if (!host) return null;
  return createPortal(
    <Stack gap="md" px="md" pb="lg" pt={4} data-testid="inspector">
      <Title order={4}>{title}</Title>
      {children}
    </Stack>,
    host,
  );
}

/** One labelled value of an Inspector: the label on the left, the value (any content) on the right. */
export function InspectorRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" ta="right" component="div" style={{ minWidth: 0, overflowWrap: "anywhere" }}>
        {children}
      </Text>
    </Group>
  );
}

/** The status row of an Inspector: the status as a coloured badge. */
export function InspectorStatus({ status, color }: { status: string; color: string }) {
  return (
    <InspectorRow label="Status">
      <Badge color={color} variant="light">
        {status}
      </Badge>
    </InspectorRow>
  );
}
