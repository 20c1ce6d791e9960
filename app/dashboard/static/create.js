// "New request" and "Register asset": the two commands that start an asset (POST /assets and
// POST /assets/register), offered on the inventory page to keys whose GET /me `may` lists them.

import { api } from "./api.js";
import { flashOnNextAssetPage } from "./asset.js";
import { h, navigate, replace } from "./dom.js";
import { commandForm, date, money, text, today } from "./forms.js";

/** action of the permission table -> its button, form and path (SPEC section 3). */
export const CREATES = {
  request: {
    label: "New request",
    title: "Request an asset",
    path: "/assets",
    fields: [
      text("category", "Category", { required: true, suggest: "by_category" }),
      text("model", "Model", { required: true }),
      text("department", "Department", { required: true, suggest: "by_department" }),
      money("estimated_cost", "Estimated cost", { required: true }),
      date("needed_by", "Needed by"),
      text("description", "Description"),
      text("justification", "Justification"),
    ],
  },
  register: {
    label: "Register asset",
    title: "Register an asset already owned",
    path: "/assets/register",
    fields: [
      text("category", "Category", { required: true, suggest: "by_category" }),
      text("model", "Model", { required: true }),
      text("department", "Department", { required: true, suggest: "by_department" }),
      money("purchase_cost", "Purchase cost", { required: true }),
      date("acquired_on", "Acquired on", { required: true, value: today }),
      text("vendor", "Vendor"),
      text("serial_number", "Serial number"),
      text("asset_tag", "Asset tag"),
      date("warranty_expires", "Warranty expires"),
      // Both given: the asset is deployed to them at once.
      text("owner", "Deploy to owner"),
      text("location", "Deploy at location", { suggest: "by_location" }),
    ],
  },
};

/**
 * The header buttons of the creations the key may make, and the panel their forms open in (both
 * null when it may make none). `inventory` (GET /reports/inventory) suggests known categories etc.
 */
export function createControls(me, inventory) {
  const offered = Object.keys(CREATES).filter((action) => me.may.includes(action));
  if (!offered.length) return { buttons: null, panel: null };
  const panel = h("div", { class: "action-panel create-panel", id: "create-panel" });
  const known = (list) => Object.keys(inventory?.[list] ?? {}).filter((k) => k !== "null").sort();
  const buttons = offered.map((action) => {
    const spec = CREATES[action];
    const button = h("button", { type: "button", class: "primary", id: `create-${action}` }, spec.label);
    button.addEventListener("click", () => {
      const fields = spec.fields.map((f) => (f.suggest ? { ...f, suggestions: known(f.suggest) } : f));
      replace(
        panel,
        commandForm({
          id: `form-${action}`,
          title: spec.title,
          submitLabel: spec.label,
          fields,
          prefix: action,
          novalidate: true,
          send: (body, key) => api(spec.path, { method: "POST", body, headers: { "Idempotency-Key": key } }),
          done: (asset) => {
            flashOnNextAssetPage(`${spec.label}: done, the asset is ${asset.state} at version ${asset.version}.`);
            navigate(`#/assets/${encodeURIComponent(asset.id)}`);
          },
          cancel: () => replace(panel),
        }),
      );
      panel.querySelector("input, select")?.focus();
    });
    return button;
  });
  return { buttons: h("div", { class: "buttons" }, buttons), panel };
}
