// "#/assets/<id>": the asset now, its lifecycle, its costs, its whole history and the verification.

import { allPages, api, problemView } from "./api.js";
import { ACTIONS, actionForm, offeredTriggers } from "./actions.js";
import { barChart } from "./charts.js";
import { card, fmt, h, kpi, loading, navigate, replace, stateBadge } from "./dom.js";
import { lifecycleDiagram, transitionsTable } from "./lifecycle.js";

const MONEY_FIELDS = new Set([
  "estimated_cost", "purchase_cost", "residual_value", "maintenance_cost", "other_costs", "recovered_value",
]);
const DETAIL_FIELDS = [
  "id", "state", "version", "category", "model", "description", "department", "requested_by",
  "estimated_cost", "vendor", "purchase_cost", "acquired_on", "financing", "lease_end", "warranty_expires",
  "serial_number", "asset_tag", "owner", "location", "useful_life_months", "residual_value",
  "maintenance_cost", "other_costs", "recovered_value", "disposition", "pending_reason", "created_at",
  "updated_at",
];

let flash = null; // shown once on the next render of an asset page (after a command succeeded)

/** A message for the next asset page rendered (after a command elsewhere created the asset). */
export function flashOnNextAssetPage(message) {
  flash = message;
}

function valueText(key, value) {
  if (value === null || value === undefined) return h("span", { class: "muted" }, "—");
  if (MONEY_FIELDS.has(key)) return fmt.money(value);
  if (key === "created_at" || key === "updated_at") return fmt.timestamp(value);
  if (key === "state") return stateBadge(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function details(asset) {
  return h(
    "dl",
    { class: "details" },
    DETAIL_FIELDS.map((key) => [h("dt", {}, fmt.label(key)), h("dd", { class: key === "id" ? "mono" : null }, valueText(key, asset[key]))]),
  );
}

function costs(tco) {
  if (tco instanceof Error) return problemView(tco);
  return [
    h(
      "div",
      { class: "kpis" },
      kpi("total cost of ownership", fmt.money(tco.tco)),
      kpi("book value", fmt.money(tco.book_value)),
      kpi("per year", fmt.money(tco.annualized_cost)),
      kpi("age", tco.age_months === null ? "—" : `${tco.age_months} mo`),
    ),
    barChart({
      label: "Cost of ownership",
      series: [{ label: "amount", cls: "series-purchase" }],
      labelWidth: 110,
      rows: [
        { label: "purchase", values: [Number(tco.purchase_cost)], note: fmt.money(tco.purchase_cost), cls: "series-purchase" },
        { label: "maintenance", values: [Number(tco.maintenance_cost)], note: fmt.money(tco.maintenance_cost), cls: "series-maintenance" },
        { label: "other costs", values: [Number(tco.other_costs)], note: fmt.money(tco.other_costs), cls: "series-other" },
        {
          label: "recovered",
          values: [Number(tco.recovered_value)],
          note: Number(tco.recovered_value) ? `−${fmt.money(tco.recovered_value)}` : fmt.money(tco.recovered_value),
          cls: "series-recovered",
        },
      ],
    }),
    h("p", { class: "card-sub" }, `As of ${tco.as_of}.`),
  ];
}

function timeline(events) {
  return h(
    "ol",
    { class: "timeline", id: "timeline" },
    events.map((event) => {
      const data = Object.entries(event.data).filter(([, v]) => v !== null && v !== undefined);
      return h(
        "li",
        { class: "event", dataset: { version: String(event.version), type: event.type } },
        h(
          "div",
          { class: "event-head" },
          h("span", { class: "version" }, `v${event.version}`),
          h("strong", { class: "event-type" }, event.type),
          h("span", { class: "muted" }, fmt.timestamp(event.recorded_at)),
          h("span", {}, "by ", h("span", { class: "actor" }, event.metadata.actor)),
        ),
        data.length
          ? h(
              "dl",
              { class: "event-data" },
              data.map(([k, v]) => [h("dt", {}, fmt.label(k)), h("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))]),
            )
          : null,
        h("div", { class: "hash mono", title: event.hash }, `#${event.position} · hash ${event.hash.slice(0, 16)}…`),
      );
    }),
  );
}

function verifyControls(asset, me) {
  const result = h("span", { id: "verify-result", role: "status" });
  const allowed = me.may.includes("audit");
  const button = h("button", { type: "button", id: "verify", disabled: !allowed }, "Verify history");
  if (!allowed) {
    return h(
      "div",
      { class: "verify" },
      button,
      h("span", { class: "muted" }, " Checking the hash chain needs the auditor or admin role."),
    );
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    replace(result, "Verifying…");
    try {
      const check = await api(`/assets/${encodeURIComponent(asset.id)}/verify`);
      replace(
        result,
        check.ok
          ? h("span", { class: "ok" }, `✓ Intact: ${check.events} events, every hash matches.`)
          : h("span", { class: "bad" }, `✗ Broken: version ${check.first_bad_version} does not match its hash (${check.events} events).`),
      );
      result.dataset.ok = String(check.ok);
    } catch (error) {
      replace(result, problemView(error));
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "verify" }, button, " ", result);
}

function actionsCard(asset, me) {
  const offered = offeredTriggers(asset, me);
  const panel = h("div", { class: "action-panel" });
  const roles = me.roles.join(", ");
  if (!offered.length) {
    const why = asset.allowed_triggers.length
      ? `Your roles (${roles}) allow none of the actions this ${asset.state} asset may take (${asset.allowed_triggers.join(", ")}).`
      : `A ${asset.state} asset takes no further action.`;
    return h("section", { class: "card wide", id: "actions" }, h("h2", {}, "Actions"), h("p", { class: "muted" }, why));
  }
  const buttons = offered.map((trigger) => {
    const button = h("button", { type: "button", class: "action", dataset: { trigger } }, ACTIONS[trigger].label);
    button.addEventListener("click", () => {
      replace(
        panel,
        actionForm(asset, trigger, {
          cancel: () => replace(panel),
          done: (updated) => {
            flash = `${ACTIONS[trigger].label}: done, the asset is now ${updated.state} at version ${updated.version}.`;
            navigate(`#/assets/${encodeURIComponent(asset.id)}`);
          },
        }),
      );
      panel.querySelector("input, select")?.focus();
    });
    return button;
  });
  return h(
    "section",
    { class: "card wide", id: "actions" },
    h("h2", {}, "Actions"),
    h("div", { class: "buttons" }, buttons),
    panel,
  );
}

export async function assetPage(main, id, me) {
  replace(main, loading());
  const path = `/assets/${encodeURIComponent(id)}`;
  const [asset, lifecycle, tco, events] = await Promise.all([
    api(path),
    api("/lifecycle"),
    api(`${path}/tco`).catch((error) => error),
    allPages(`${path}/events`),
  ]).catch((error) => [error]);
  if (asset instanceof Error) {
    replace(main, h("h1", {}, "Asset"), problemView(asset));
    return;
  }
  const message = flash;
  flash = null;
  replace(
    main,
    h(
      "div",
      { class: "asset-head" },
      h("h1", {}, asset.model ?? "Asset", " ", h("span", { class: "muted" }, asset.asset_tag ?? "")),
      h(
        "p",
        {},
        stateBadge(asset.state),
        ` version ${asset.version} · ${asset.category} · ${asset.department} · `,
        h("span", { class: "mono" }, asset.id),
      ),
    ),
    message ? h("div", { class: "flash", role: "status" }, message) : null,
    h(
      "div",
      { class: "grid" },
      actionsCard(asset, me),
      card("Details", details(asset)),
      card("Cost of ownership", costs(tco)),
      h(
        "section",
        { class: "card wide", id: "lifecycle" },
        h("h2", {}, "Lifecycle"),
        lifecycleDiagram(lifecycle, asset.state, asset.allowed_triggers),
        h(
          "p",
          { class: "card-sub" },
          "Filled: the current state. Rounded: where an asset starts. Double border: terminal. " +
            "Green arrows: what may happen next. Triggers that keep the state are in the table.",
        ),
        h("details", {}, h("summary", {}, "All transitions"), transitionsTable(lifecycle, asset.state, asset.allowed_triggers)),
      ),
      h(
        "section",
        { class: "card wide", id: "history" },
        h("div", { class: "toolbar" }, h("h2", {}, `History (${events.length} events)`), verifyControls(asset, me)),
        timeline(events),
      ),
    ),
  );
}
