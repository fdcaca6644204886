/**
 * Who is logged in: `useMe()` is the user, or null when the server wants a log-in (401).
 * Logging in and out replace that query's data, so the whole app follows.
 */
import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, ApiError, call } from "../api/client";
import type { User } from "../api/types";

export const ME_KEY = ["me"] as const;

async function fetchMe(): Promise<User | null> {
  try {
    return await call(api.GET("/api/auth/me"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: false });
}

/** Drop every cached answer of the previous user (the `me` query keeps its observers). */
function forgetAllBut(client: QueryClient, keep: readonly string[]) {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== keep[0] });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; password: string }) => call(api.POST("/api/auth/login", { body })),
    onSuccess: (session) => {
      forgetAllBut(client, ME_KEY);
      client.setQueryData(ME_KEY, session.user);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => call(api.POST("/api/auth/logout")),
    onSettled: () => {
      forgetAllBut(client, ME_KEY);
      client.setQueryData(ME_KEY, null);
    },
  });
}
