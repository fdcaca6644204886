/**
 * The typed REST client (generated from the server's OpenAPI schema) and its error type.
 *
 * Every unsafe request carries the session's CSRF token (the readable `kozak_csrf` cookie) in
 * `X-CSRF-Token`; `call()` turns the server's `{"error": {code, message, details}}` into an
 * `ApiError` so queries and mutations can simply throw.
 */
import createClient, { type Middleware } from "openapi-fetch";

import type { paths } from "./schema";

const CSRF_COOKIE = "kozak_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfToken(): string {
  const prefix = `${CSRF_COOKIE}=`;
  const found = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : "";
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method)) request.headers.set(CSRF_HEADER, csrfToken());
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "" });
api.use(csrf);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
  detail?: unknown;
}

/** The `ApiError` a failed response stands for (Kozak's error shape, or FastAPI's 422). */
export function toApiError(status: number, body: unknown): ApiError {
  const shaped = (body ?? {}) as ErrorBody;
  if (shaped.error?.message) {
    return new ApiError(status, shaped.error.code ?? "error", shaped.error.message, shaped.error.details);
  }
  if (Array.isArray(shaped.detail)) {
    const first = shaped.detail[0] as { loc?: unknown[]; msg?: string } | undefined;
    const where = first?.loc?.slice(1).join(".") ?? "";
    return new ApiError(status, "invalid_request", `${where ? `${where}: ` : ""}${first?.msg ?? "invalid request"}`);
  }
  return new ApiError(status, "http_error", `the server answered ${status}`);
}

/** The data of an openapi-fetch call, or its error thrown as an `ApiError`. */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw toApiError(response.status, error);
  return data as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
