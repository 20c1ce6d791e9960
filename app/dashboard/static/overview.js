// "#/": the organisation at a glance, each card from one public report endpoint.

import { api, problemView } from "./api.js";
import { barChart, columnChart } from "./charts.js";
import { assetLink, fmt, h, kpi, loading, replace, table } from "./dom.js";

const STATE_ORDER = ["requested", "approved", "rejected", "procured", "deployed", "maintained", "retired"];
const DISPOSITIONS = ["refurbish", "remarket", "donate", "recycle", "destroy"];
const TCO_SERIES = [
  { label: "purchase", cls: "series-purchase" },
  { label: "maintenance", cls: "series-maintenance" },
  { label: "other costs", cls: "series-other" },
];

function inventoryHref(filter, value) {
  return `#/inventory?${new URLSearchParams({ [filter]: value })}`;
}

/** A card whose body fills in when its request answers (or shows the problem). */
function section(title, load, { wide = false, id } = {}) {
  const body = h("div", { class: "card-body" }, loading());
  const el = h("section", { class: ["card", wide && "wide"], id }, h("h2", {}, title), body);
  const done = load()
    .then((content) => replace(body, content))
    .catch((error) => replace(body, problemView(error)));
  return { el, done };
}

async function inventoryByState(pending) {
  const report = await pending;
  const states = [...STATE_ORDER, ...Object.keys(report.by_state).filter((k) => !STATE_ORDER.includes(k))];
  return [
    h("p", { class: "card-sub" }, `${fmt.int(report.total)} assets in the ledger; select a bar to list them.`),
    columnChart({
      label: "Assets by state",
      items: states.map((state) => ({
        label: state,
        value: report.by_state[state] ?? 0,
        cls: `state-${state}`,
        href: inventoryHref("state", state),
      })),
    }),
  ];
}

async function inventoryByCategory(pending) {
  const report = await pending;
  const rows = Object.entries(report.by_category).sort((a, b) => b[1] - a[1]);
  return barChart({
    label: "Assets by category",
    series: [{ label: "assets", cls: "series-count" }],
    format: fmt.int,
    rows: rows.map(([category, n]) => ({
      label: category,
      values: [n],
      note: fmt.int(n),
      href: category === "null" ? null : inventoryHref("category", category),
    })),
  });
}

async function tco(groupBy) {
  const report = await api("/reports/tco", { query: { group_by: groupBy } });
  const groups = [...report.groups].sort((a, b) => Number(b.tco) - Number(a.tco));
  return [
    h(
      "p",
      { class: "card-sub" },
      `${report.currency}; total ${fmt.money(report.total.tco)} over ${fmt.int(report.total.assets)} assets ` +
        `(recovered value ${fmt.money(report.total.recovered_value)} already deducted).`,
    ),
    barChart({
      label: `TCO by ${groupBy}`,
      series: TCO_SERIES,
      rows: groups.map((g) => ({
        label: g.key ?? "(none)",
        values: [Number(g.purchase_cost), Number(g.maintenance_cost), Number(g.other_costs)],
        note: fmt.money(g.tco),
      })),
    }),
  ];
}

async function budgets() {
  const report = await api("/reports/budgets");
  if (!report.departments.length) return h("p", { class: "empty" }, "The policy sets no department budgets.");
  return [
    h("p", { class: "card-sub" }, `${report.year}: spent and committed against each department's budget.`),
    barChart({
      label: "Budgets",
      series: [
        { label: "spent", cls: "series-spent" },
        { label: "committed", cls: "series-committed" },
      ],
      markerLabel: "budget",
      rows: report.departments.map((d) => {
        const remaining = Number(d.remaining);
        return {
          label: d.department,
          values: [Number(d.spent), Number(d.committed)],
          marker: Number(d.budget),
          note: remaining < 0 ? `over ${fmt.money(-remaining)}` : `${fmt.money(remaining)} left`,
          noteCls: remaining < 0 ? "bad" : null,
        };
      }),
    }),
  ];
}

async function retirement() {
  const report = await api("/reports/retirement");
  const dispositions = [
    ...DISPOSITIONS,
    ...Object.keys(report.by_disposition).filter((k) => !DISPOSITIONS.includes(k)),
  ];
  return [
    h(
      "div",
      { class: "kpis" },
      kpi("retired", fmt.int(report.total_retired)),
      kpi("recovered value", fmt.money(report.recovered_value)),
      kpi("kept from landfill", fmt.kg(report.diverted_weight_kg), `of ${fmt.kg(report.weight_kg)}`),
      kpi("reuse rate", fmt.pct(report.reuse_rate), "refurbish, remarket, donate"),
    ),
    barChart({
      label: "Retirements by disposition",
      series: [{ label: "assets", cls: "series-count" }],
      format: fmt.int,
      rows: dispositions.map((d) => {
        const entry = report.by_disposition[d] ?? { count: 0, recovered_value: "0.00", weight_kg: 0 };
        return {
          label: d,
          values: [entry.count],
          note: `${fmt.money(entry.recovered_value)}`,
        };
      }),
    }),
    h("p", { class: "card-sub" }, "Bars: assets retired; right: value recovered."),
  ];
}

async function pendingRequests() {
  const report = await api("/reports/requests");
  const lead = report.lead_time_days;
  return [
    h(
      "div",
      { class: "kpis" },
      kpi("pending", fmt.int(report.pending.length)),
      kpi("oldest", report.pending.length ? `${fmt.int(report.pending[0].age_days)} d` : "—"),
      kpi("approval p50", lead.count ? `${lead.p50} d` : "—", lead.count ? `p90 ${lead.p90} d` : null),
    ),
    h(
      "div",
      { class: "scroll" },
      table(
        [
          { label: "asset", value: (r) => assetLink(r.asset_id) },
          { label: "what, for whom", value: (r) => `${r.category} · ${r.department}` },
          { label: "estimate", value: (r) => fmt.money(r.estimated_cost), num: true },
          { label: "by", value: (r) => r.requested_by },
          { label: "age", value: (r) => `${fmt.int(r.age_days)} d`, num: true },
          { label: "waiting for", value: (r) => fmt.text(r.pending_reason), wrap: true },
        ],
        report.pending,
        { empty: "No request is waiting for a decision." },
      ),
    ),
  ];
}

async function expiring() {
  const report = await api("/reports/warranty-expiring", { query: { within_days: 60 } });
  const weeks = Math.ceil((report.within_days + 1) / 7);
  const buckets = Array.from({ length: weeks }, (_, i) => ({
    label: `≤${Math.min((i + 1) * 7 - 1, report.within_days)} d`,
    value: 0,
    cls: "series-count",
  }));
  for (const item of report.items) buckets[Math.min(weeks - 1, Math.floor(item.days_left / 7))].value += 1;
  return [
    h("p", { class: "card-sub" }, `${fmt.int(report.items.length)} warranties or leases end within ${report.within_days} days, by week.`),
    columnChart({ label: "Warranties and leases expiring, by week", items: buckets, height: 170 }),
    h(
      "div",
      { class: "scroll" },
      table(
        [
          { label: "asset", value: (r) => assetLink(r.asset_id) },
          { label: "kind", value: (r) => r.kind },
          { label: "ends", value: (r) => r.expires_on },
          { label: "days left", value: (r) => fmt.int(r.days_left), num: true },
          { label: "category", value: (r) => r.category },
          { label: "owner", value: (r) => fmt.text(r.owner) },
        ],
        report.items,
        { empty: "Nothing expires in the window." },
      ),
    ),
  ];
}

async function maintenanceDue() {
  const report = await api("/reports/maintenance-due");
  const overdue = report.items.filter((i) => i.overdue_days > 0).length;
  return [
    h(
      "div",
      { class: "kpis" },
      kpi("overdue", fmt.int(overdue)),
      kpi(`due in ${report.within_days} d`, fmt.int(report.items.length - overdue)),
    ),
    h(
      "div",
      { class: "scroll" },
      table(
        [
          { label: "asset", value: (r) => assetLink(r.asset_id) },
          { label: "category", value: (r) => r.category },
          { label: "owner", value: (r) => fmt.text(r.owner) },
          { label: "location", value: (r) => fmt.text(r.location) },
          { label: "due", value: (r) => r.due_on },
          {
            label: "overdue",
            value: (r) =>
              r.overdue_days > 0 ? h("span", { class: "bad" }, `${fmt.int(r.overdue_days)} d`) : `in ${-r.overdue_days} d`,
            num: true,
          },
        ],
        report.items,
        { empty: "No maintenance falls due in the window." },
      ),
    ),
  ];
}

async function replacement() {
  const report = await api("/reports/replacement-candidates");
  return [
    h("p", { class: "card-sub" }, `${fmt.int(report.items.length)} assets in use are past their useful life or cost too much to keep.`),
    h(
      "div",
      { class: "scroll" },
      table(
        [
          { label: "asset", value: (r) => assetLink(r.asset_id) },
          { label: "category", value: (r) => r.category },
          { label: "age / life", value: (r) => `${r.age_months} / ${fmt.text(r.useful_life_months)} mo`, num: true },
          { label: "12-month cost", value: (r) => fmt.money(r.trailing_12m_cost), num: true },
          { label: "reference", value: (r) => fmt.money(r.reference_cost), num: true },
          { label: "why", value: (r) => r.reasons.map((reason) => h("span", { class: "tag" }, reason)), wrap: true },
        ],
        report.items,
        { empty: "No candidates." },
      ),
    ),
  ];
}

export async function overviewPage(main) {
  const inventory = api("/reports/inventory");
  inventory.catch(() => {}); // each card shows the failure itself
  const sections = [
    section("Assets by state", () => inventoryByState(inventory), { id: "card-state" }),
    section("Assets by category", () => inventoryByCategory(inventory), { id: "card-category" }),
    section("Total cost of ownership by category", () => tco("category"), { id: "card-tco-category" }),
    section("Total cost of ownership by department", () => tco("department"), { id: "card-tco-department" }),
    section("Budgets", budgets, { id: "card-budgets" }),
    section("Retirement outcome", retirement, { id: "card-retirement" }),
    section("Pending approvals", pendingRequests, { id: "card-requests" }),
    section("Warranties and leases expiring (60 days)", expiring, { id: "card-expiring" }),
    section("Maintenance due (30 days)", maintenanceDue, { id: "card-maintenance" }),
    section("Replacement candidates", replacement, { id: "card-replacement" }),
  ];
  replace(main, h("h1", {}, "Overview"), h("div", { class: "grid" }, sections.map((x) => x.el)));
  await Promise.all(sections.map((x) => x.done));
}
