/**
 * Paged lists (the server's `{data, count, next_cursor}`): `usePages` fetches page after page
 * as the view asks for more, `useLoadMore` asks when a sentinel element scrolls into view.
 * Searches and sorts go to the server as query parameters: they are part of the query key, so a
 * new search starts again from the first page.
 */
import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";

export interface PageOf<T> {
  data: T[];
  count: number;
  next_cursor?: string | null;
}

interface PagesOptions<T> {
  refetchInterval?: (items: T[]) => number | false;
  enabled?: boolean;
}

export function usePages<T>(queryKey: QueryKey, fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>, options: PagesOptions<T> = {}) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: options.refetchInterval
      ? (q) => options.refetchInterval!(q.state.data?.pages.flatMap((p) => p.data) ?? [])
      : undefined,
    enabled: options.enabled,
  });
  const items = useMemo(() => query.data?.pages.flatMap((page) => page.data) ?? [], [query.data]);
  return { ...query, items, total: query.data?.pages[0]?.count ?? 0 };
}

/** A ref for an element at the end of a list: when it comes into view, the next page is fetched. */
export function useLoadMore(query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown }) {
  const [sentinel, setSentinel] = useState<Element | null>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    if (!sentinel || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [sentinel, hasNextPage, isFetchingNextPage, fetchNextPage]);
  return setSentinel;
}
