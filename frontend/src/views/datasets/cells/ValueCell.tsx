/** One table cell, drawn according to its column's type. */
import { Badge, Text } from "@mantine/core";

import { formatNumber } from "../../../format";
import type { Column } from "../columns";
import { HeatmapThumb } from "./HeatmapThumb";
import { SequenceLetters, SequenceWindow } from "./SequenceLetters";

/** `longest`: the longest sequence of the column, when its letters are drawn in the one-hot window. */
export function ValueCell({ column, value, longest }: { column: Column; value: unknown; longest?: number }) {
  if (value === null || value === undefined) {
    return (
      <Text span c="dimmed" size="xs" fs="italic">
        missing
      </Text>
    );
  }
  switch (column.type) {
    case "sequence":
      if (typeof value !== "string") return <HeatmapThumb value={value} width={120} />;
      if (column.sequence && longest !== undefined) return <SequenceWindow text={value} encoding={column.sequence} longest={longest} />;
      return <SequenceLetters text={value} />;
    case "array":
      return <HeatmapThumb value={value} width={120} />;
    case "integer":
    case "float":
      return <>{typeof value === "number" ? formatNumber(value, 4) : String(value)}</>;
    case "categorical":
      return (
        <Badge variant="light" color="orange" radius="sm" tt="none">
          {String(value)}
        </Badge>
      );
    case "multilabel":
      return <>{Array.isArray(value) ? value.join(", ") : String(value)}</>;
    default:
      return (
        <Text span size="sm" truncate="end" maw={260} display="inline-block" style={{ verticalAlign: "middle" }}>
          {String(value)}
        </Text>
      );
  }
}
