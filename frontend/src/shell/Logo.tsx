/** Kozak's mark: the four bases in a rounded square, and the word beside it when asked. */
import { Group, Text } from "@mantine/core";

export function Logo({ size = 28, withName = false }: { size?: number; withName?: boolean }) {
  const mark = (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="var(--mantine-color-teal-7)" />
      <g fontFamily="monospace" fontWeight="700" fontSize="11">
        <text x="4" y="14" fill="#b2f2bb">A</text>
        <text x="17" y="14" fill="#a5d8ff">C</text>
        <text x="4" y="27" fill="#ffec99">G</text>
        <text x="17" y="27" fill="#ffc9c9">T</text>
      </g>
    </svg>
  );
  if (!withName) return mark;
  return (
    <Group gap={8} wrap="nowrap">
      {mark}
      <Text fw={700} size="lg" lts={0.5}>
        Kozak
      </Text>
    </Group>
  );
}
