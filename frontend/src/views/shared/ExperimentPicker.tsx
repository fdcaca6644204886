/**
 * Experiment pickers that search on the server as you type: at most `PICKER_LIMIT` matches are
 * offered (newest first), plus the ones already chosen, so a project of thousands of
 * experiments renders a short list.
 */
import { MultiSelect, Select, type MultiSelectProps, type SelectProps } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMemo, useState } from "react";

import type { ExperimentSummary } from "../../api/types";
import { useExperimentNames, useExperimentSearch } from "../../projects/queries";

export const PICKER_LIMIT = 50;

type Status = ExperimentSummary["status"];

function useOptions(projectId: string, chosen: string[], search: string, status: Status[] | undefined) {
  const [debounced] = useDebouncedValue(search.trim(), 150);
  const names = useExperimentNames(projectId, chosen);
  // A single select fills its search box with the chosen experiment's name: that is not a search.
  const q = debounced && !chosen.some((id) => names.get(id) === debounced) ? debounced : undefined;
  const found = useExperimentSearch(projectId, { q, status, sort: "-updated", limit: PICKER_LIMIT });
  const options = useMemo(() => {
    const seen = new Map((found.data?.data ?? []).map((e) => [e.id, e.name]));
    for (const id of chosen) if (!seen.has(id)) seen.set(id, names.get(id) ?? id);
    return [...seen].map(([value, label]) => ({ value, label }));
  }, [found.data, names, chosen]);
  const more = (found.data?.count ?? 0) > PICKER_LIMIT;
  return { options, more, loading: found.isFetching };
}

// The server already filtered the options by the search.
export const serverFiltered = ({ options }: { options: unknown[] }) => options as never;

type PickerProps = Omit<SelectProps, "data" | "value" | "onChange" | "searchable"> & {
  projectId: string;
  value: string | null;
  onChange: (id: string | null) => void;
  status?: Status[];
};

export function ExperimentPicker({ projectId, value, onChange, status, ...props }: PickerProps) {
  const [search, setSearch] = useState("");
  const chosen = useMemo(() => (value ? [value] : []), [value]);
  const { options, more } = useOptions(projectId, chosen, search, status);
  return (
    <Select
      {...props}
      searchable
      data={options}
      value={value}
      onChange={onChange}
      searchValue={search}
      onSearchChange={setSearch}
      filter={serverFiltered}
      nothingFoundMessage={search ? "No experiment matches" : "No experiments"}
      description={more ? props.description ?? `The ${PICKER_LIMIT} latest shown: type to search` : props.description}
    />
  );
}

type MultiPickerProps = Omit<MultiSelectProps, "data" | "value" | "onChange" | "searchable"> & {
  projectId: string;
  value: string[];
  onChange: (ids: string[]) => void;
};

export function ExperimentMultiPicker({ projectId, value, onChange, ...props }: MultiPickerProps) {
  const [search, setSearch] = useState("");
  const { options } = useOptions(projectId, value, search, undefined);
  return (
    <MultiSelect
      {...props}
      searchable
      data={options}
      value={value}
      onChange={onChange}
      searchValue={search}
      onSearchChange={setSearch}
      filter={serverFiltered}
      nothingFoundMessage="No experiment matches"
    />
  );
}
