// "#/inventory": GET /assets with its filters, cursor paging (and a way back), and a CSV export.

import { allPages, api, problemView } from "./api.js";
import { createControls } from "./create.js";
import { download, toCsv } from "./csv.js";
import { assetLink, fmt, h, loading, navigate, replace, stateBadge, table } from "./dom.js";

const FILTERS = [
  { name: "state", label: "State" },
  { name: "category", label: "Category", list: "by_category" },
  { name: "department", label: "Department", list: "by_department" },
  { name: "location", label: "Location", list: "by_location" },
  { name: "owner", label: "Owner" },
  { name: "vendor", label: "Vendor" },
  { name: "q", label: "Search", placeholder: "model, description, serial, tag" },
];
const PAGE_SIZES = [25, 50, 100];
const DEFAULT_PAGE_SIZE = 50;
const FALLBACK_STATES = ["requested", "approved", "rejected", "procured", "deployed", "maintained", "retired"];
export const CSV_COLUMNS = [
  "id", "state", "version", "category", "model", "description", "department", "requested_by",
  "estimated_cost", "vendor", "purchase_cost", "acquired_on", "financing", "lease_end",
  "warranty_expires", "serial_number", "asset_tag", "owner", "location", "useful_life_months",
  "residual_value", "maintenance_cost", "other_costs", "recovered_value", "disposition",
  "pending_reason", "created_at", "updated_at", "allowed_triggers",
];

const COLUMNS = [
  { label: "tag", value: (a) => assetLink(a.id, a.asset_tag ?? fmt.shortId(a.id)) },
  { label: "model", value: (a) => fmt.text(a.model) },
  { label: "category", value: (a) => a.category },
  { label: "state", value: (a) => stateBadge(a.state) },
  { label: "department", value: (a) => a.department },
  { label: "owner", value: (a) => fmt.text(a.owner) },
  { label: "location", value: (a) => fmt.text(a.location) },
  { label: "vendor", value: (a) => fmt.text(a.vendor) },
  { label: "purchase cost", value: (a) => fmt.money(a.purchase_cost), num: true },
];

function filterForm(filters, limit, states, inventory) {
  const fields = FILTERS.map((f) => {
    let input;
    if (f.name === "state") {
      input = h(
        "select",
        { name: "state", id: "filter-state" },
        h("option", { value: "" }, "any"),
        states.map((st) => h("option", { value: st, selected: filters.state === st }, st)),
      );
    } else {
      const listId = f.list ? `list-${f.name}` : null;
      input = h("input", {
        name: f.name,
        id: `filter-${f.name}`,
        value: filters[f.name],
        placeholder: f.placeholder ?? "exact",
        list: listId,
        autocomplete: "off",
      });
      if (listId && inventory) {
        const keys = Object.keys(inventory[f.list] ?? {}).filter((k) => k !== "null").sort();
        input = [input, h("datalist", { id: listId }, keys.map((k) => h("option", { value: k })))];
      }
    }
    return h("label", { class: "field" }, h("span", {}, f.label), input);
  });
  const size = h(
    "select",
    { name: "limit", id: "filter-limit" },
    PAGE_SIZES.map((n) => h("option", { value: n, selected: n === limit }, String(n))),
  );
  const form = h(
    "form",
    { class: "filters", id: "filters" },
    fields,
    h("label", { class: "field" }, h("span", {}, "Per page"), size),
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "submit", class: "primary" }, "Apply"),
      h("a", { href: "#/inventory", class: "button" }, "Reset"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const query = new URLSearchParams();
    for (const [key, value] of data) if (String(value).trim()) query.set(key, String(value).trim());
    if (query.get("limit") === String(DEFAULT_PAGE_SIZE)) query.delete("limit");
    const text = query.toString();
    navigate(`#/inventory${text ? "?" + text : ""}`);
  });
  return form;
}

export async function inventoryPage(main, params, me) {
  const filters = Object.fromEntries(FILTERS.map((f) => [f.name, params.get(f.name) ?? ""]));
  const limit = PAGE_SIZES.includes(Number(params.get("limit"))) ? Number(params.get("limit")) : DEFAULT_PAGE_SIZE;
  const active = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));

  const [lifecycle, inventory] = await Promise.all([
    api("/lifecycle").catch(() => null),
    api("/reports/inventory").catch(() => null),
  ]);
  const states = lifecycle ? lifecycle.states : FALLBACK_STATES;

  const results = h("div", { id: "results" }, loading());
  const status = h("span", { class: "muted", id: "csv-status" });
  const csvButton = h("button", { type: "button", id: "csv" }, "Download CSV");
  const create = createControls(me, inventory);
  replace(
    main,
    h("div", { class: "toolbar page-head" }, h("h1", {}, "Inventory"), create.buttons),
    create.panel,
    h("section", { class: "card wide" }, filterForm(filters, limit, states, inventory)),
    h(
      "section",
      { class: "card wide" },
      h("div", { class: "toolbar" }, h("h2", {}, "Assets"), h("div", {}, status, " ", csvButton)),
      results,
    ),
  );

  const cursors = [null]; // the cursor of each page seen so far: the back stack
  async function show() {
    const cursor = cursors[cursors.length - 1];
    let page;
    try {
      page = await api("/assets", { query: { ...active, limit, cursor } });
    } catch (error) {
      replace(results, problemView(error));
      return;
    }
    const first = (cursors.length - 1) * limit + 1;
    const previous = h("button", { type: "button", id: "prev", disabled: cursors.length === 1 }, "← Previous");
    const next = h("button", { type: "button", id: "next", disabled: !page.next_cursor }, "Next →");
    previous.addEventListener("click", () => {
      cursors.pop();
      show();
    });
    next.addEventListener("click", () => {
      cursors.push(page.next_cursor);
      show();
    });
    replace(
      results,
      table(COLUMNS, page.items, { empty: "No asset matches these filters." }),
      h(
        "div",
        { class: "pager" },
        previous,
        h(
          "span",
          { id: "page-info" },
          page.items.length
            ? `Page ${cursors.length} · assets ${fmt.int(first)}–${fmt.int(first + page.items.length - 1)}`
            : `Page ${cursors.length}`,
        ),
        next,
      ),
    );
  }

  csvButton.addEventListener("click", async () => {
    csvButton.disabled = true;
    status.textContent = "Reading every page…";
    try {
      const items = await allPages("/assets", active, {
        onPage: (n) => (status.textContent = `${fmt.int(n)} assets read…`),
      });
      const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
      download(`itam-assets-${stamp}.csv`, toCsv(CSV_COLUMNS, items));
      status.textContent = `${fmt.int(items.length)} assets exported.`;
    } catch (error) {
      replace(status, problemView(error));
    } finally {
      csvButton.disabled = false;
    }
  });

  await show();
}
