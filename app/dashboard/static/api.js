// The API client: the token lives in sessionStorage only (gone when the tab closes).

import { h } from "./dom.js";

const TOKEN_KEY = "itam.token";
const PREFIX = "/api/v1";

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An error answer of the API, with its problem+json body (RFC 9457) when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

let onUnauthorized = () => {};

export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export async function api(path, { method = "GET", query = {}, body, headers = {}, token } = {}) {
  const url = new URL(PREFIX + path, window.location.origin);
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, String(value));
  }
  const response = await fetch(url, {
    method,
    cache: "no-store",
    headers: {
      Accept: "application/json, application/problem+json",
      Authorization: `Bearer ${token ?? session.token() ?? ""}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let payload = null;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = { title: `HTTP ${response.status}`, detail: text.slice(0, 300) };
    }
  }
  if (!response.ok) {
    if (response.status === 401 && token === undefined) onUnauthorized();
    throw new ApiError(response.status, payload);
  }
  return payload;
}

/** Every item of a paged list, following next_cursor to the end. */
export async function allPages(path, query = {}, { limit = 1000, onPage } = {}) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path, { query: { ...query, limit, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
    if (onPage) onPage(items.length);
  } while (cursor);
  return items;
}

/** A problem+json error as an inline message: title, detail and each invalid field. */
export function problemView(error) {
  const problem = error instanceof ApiError ? error.problem : { title: "Error", detail: String(error) };
  const status = error instanceof ApiError ? ` (${error.status})` : "";
  return h(
    "div",
    { class: "problem", role: "alert" },
    h("strong", {}, (problem.title || "Request failed") + status),
    // A validation error's detail repeats its field errors, listed below.
    problem.detail && !problem.errors?.length ? h("div", {}, problem.detail) : null,
    Array.isArray(problem.errors) && problem.errors.length
      ? h(
          "ul",
          {},
          problem.errors.map((e) =>
            h("li", {}, h("code", {}, (e.loc || []).join(".")), ": ", e.msg ?? ""),
          ),
        )
      : null,
  );
}

/** A random Idempotency-Key (crypto.randomUUID needs a secure context; this does not). */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "dash-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
