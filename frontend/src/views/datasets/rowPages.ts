/**
 * The rows of a draft or a version, page by page as the row browser scrolls: the pages that
 * cover the visible range are fetched (each a query keyed by the row query and its offset),
 * and every row is looked up by its position in the sorted, filtered list.
 */
import { keepPreviousData, useQueries } from "@tanstack/react-query";
import { useState } from "react";

import { api, call } from "../../api/client";
import type { BrowsedRow, Condition, RowsPage } from "../../api/types";

export const ROWS_PER_PAGE = 100;

export interface RowQuery {
  sort: string | null;
  descending: boolean;
  where: Condition[];
  invalid: boolean;
}

export const ALL_ROWS: RowQuery = { sort: null, descending: false, where: [], invalid: false };

/** Where the rows come from: a draft (`revision` changes with every edit) or a saved version. */
export type RowsTarget =
  | { kind: "draft"; projectId: string; draftId: string; revision: string }
  | { kind: "version"; projectId: string; datasetId: string; versionId: string };

function fetchPage(target: RowsTarget, query: RowQuery, offset: number): Promise<RowsPage> {
  const params = {
    offset,
    limit: ROWS_PER_PAGE,
    sort: query.sort ?? undefined,
    descending: query.descending,
    where: query.where.length ? JSON.stringify(query.where) : undefined,
    invalid: query.invalid,
  };
  if (target.kind === "draft") {
    return call(
      api.GET("/api/projects/{project_id}/drafts/{draft_id}/rows", {
        params: { path: { project_id: target.projectId, draft_id: target.draftId }, query: params },
      }),
    );
  }
  return call(
    api.GET("/api/projects/{project_id}/datasets/{dataset}/versions/{version}/rows", {
      params: { path: { project_id: target.projectId, dataset: target.datasetId, version: target.versionId }, query: params },
    }),
  );
}

export function useRowPages(target: RowsTarget, query: RowQuery) {
  const [range, setRange] = useState({ first: 0, last: ROWS_PER_PAGE - 1 });
  const firstPage = Math.floor(range.first / ROWS_PER_PAGE);
  const lastPage = Math.floor(range.last / ROWS_PER_PAGE);
  const pages = Array.from({ length: lastPage - firstPage + 1 }, (_, i) => firstPage + i);
  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: ["rows", target, query, page],
      queryFn: () => fetchPage(target, query, page * ROWS_PER_PAGE),
      placeholderData: page === firstPage ? keepPreviousData : undefined,
      staleTime: target.kind === "version" ? Infinity : 30_000,
    })),
  });
  const loaded = new Map<number, RowsPage>();
  results.forEach((result, i) => result.data && !result.isPlaceholderData && loaded.set(pages[i]!, result.data));
  const any = results.find((r) => r.data)?.data;
  const at = (index: number): BrowsedRow | undefined => loaded.get(Math.floor(index / ROWS_PER_PAGE))?.rows[index % ROWS_PER_PAGE];
  const onRange = (first: number, last: number) =>
    setRange((current) => (current.first === first && current.last === last ? current : { first, last }));
  return {
    total: any?.total ?? 0,
    rowCount: any?.row_count ?? 0,
    invalidRows: any?.invalid_rows ?? 0,
    loading: results.some((r) => r.isLoading),
    error: results.find((r) => r.error)?.error ?? null,
    at,
    onRange,
  };
}
