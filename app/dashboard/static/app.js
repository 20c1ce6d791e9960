// The dashboard's entry point: sign-in, the header, and the hash router.

import { ApiError, api, problemView, session, whenUnauthorized } from "./api.js";
import { assetPage } from "./asset.js";
import { h, replace } from "./dom.js";
import { inventoryPage } from "./inventory.js";
import { overviewPage } from "./overview.js";

const root = document.getElementById("app");
let me = null; // GET /me of the signed-in token
let renders = 0; // a newer route render makes an older, slower one drop its result

function signOut(reason) {
  session.clear();
  me = null;
  signInPage(reason);
}

whenUnauthorized(() => signOut("Your token is no longer accepted; sign in again."));

function signInPage(message) {
  const token = h("input", {
    type: "password",
    name: "token",
    id: "token",
    required: true,
    autocomplete: "off",
    placeholder: "itam_…",
  });
  const errors = h("div", { class: "form-errors" }, message ? h("p", { class: "problem" }, message) : null);
  const form = h(
    "form",
    { class: "card signin", id: "signin" },
    h("h1", {}, "ITAM ledger"),
    h("p", {}, "Sign in with an API token (", h("code", {}, "itam keys create"), ")."),
    h("label", { class: "field" }, h("span", {}, "API token"), token),
    errors,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
    h("p", { class: "muted small" }, "The token stays in this browser tab's session storage and is gone when the tab closes."),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = token.value.trim();
    try {
      me = await api("/me", { token: value });
    } catch (error) {
      replace(
        errors,
        error instanceof ApiError && error.status === 401
          ? h("p", { class: "problem" }, "That token is unknown or has been revoked.")
          : problemView(error),
      );
      return;
    }
    session.set(value);
    route();
  });
  replace(root, h("main", { class: "center" }, form));
  token.focus();
}

function header(active) {
  const link = (href, text, name) => h("a", { href, class: active === name ? "active" : null }, text);
  const out = h("button", { type: "button", id: "signout", class: "link" }, "Sign out");
  out.addEventListener("click", () => signOut());
  return h(
    "header",
    { class: "topbar" },
    h("a", { href: "#/", class: "brand" }, "ITAM ledger"),
    h("nav", {}, link("#/", "Overview", "overview"), link("#/inventory", "Inventory", "inventory")),
    h(
      "div",
      { class: "who", id: "who" },
      h("span", {}, "Signed in as ", h("strong", { id: "who-name" }, me.name)),
      h("span", { class: "roles" }, me.roles.map((r) => h("span", { class: "role" }, r))),
      out,
    ),
  );
}

function parse(hash) {
  const [path, query = ""] = hash.replace(/^#/, "").split("?");
  return { path: path || "/", params: new URLSearchParams(query) };
}

async function route() {
  if (!session.token()) {
    signInPage();
    return;
  }
  const render = ++renders;
  if (!me) {
    try {
      me = await api("/me");
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) replace(root, h("main", {}, problemView(error)));
      return;
    }
  }
  if (render !== renders) return;
  const { path, params } = parse(window.location.hash);
  const asset = /^\/assets\/([^/]+)$/.exec(path);
  const page = path === "/" ? "overview" : path === "/inventory" ? "inventory" : asset ? "asset" : null;
  const main = h("main", { id: "main", dataset: { page: page ?? "missing", render: String(render) } });
  replace(root, header(page), main);
  window.scrollTo(0, 0);
  try {
    if (page === "overview") await overviewPage(main);
    else if (page === "inventory") await inventoryPage(main, params, me);
    else if (page === "asset") await assetPage(main, decodeURIComponent(asset[1]), me);
    else replace(main, h("h1", {}, "Not found"), h("p", {}, "No such page. ", h("a", { href: "#/" }, "Back to the overview.")));
  } catch (error) {
    if (render === renders) replace(main, problemView(error));
  }
  if (render === renders) main.dataset.ready = "true";
}

window.addEventListener("hashchange", route);
route();
