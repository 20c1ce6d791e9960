// The commands an asset page offers: one small form per trigger, posted to the SPEC's path.

import { ApiError, api, idempotencyKey, problemView } from "./api.js";
import { h, replace } from "./dom.js";

const today = () => new Date().toISOString().slice(0, 10);
const text = (name, label, extra = {}) => ({ name, label, type: "text", ...extra });
const money = (name, label, extra = {}) => ({ name, label, type: "money", ...extra });
const date = (name, label, extra = {}) => ({ name, label, type: "date", ...extra });
const choice = (name, label, options, extra = {}) => ({ name, label, type: "select", options, ...extra });

const CORRECTABLE = ["description", "model", "serial_number", "asset_tag", "department", "category"];

/** trigger -> the command's path below /assets/{id}, its label and its fields (SPEC sections 2, 3). */
export const ACTIONS = {
  approve: { label: "Approve", path: "approve", fields: [text("comment", "Comment")] },
  reject: { label: "Reject", path: "reject", fields: [text("reason", "Reason", { required: true })] },
  procure: {
    label: "Procure",
    path: "procure",
    fields: [
      text("vendor", "Vendor", { required: true }),
      money("purchase_cost", "Purchase cost", { required: true }),
      date("acquired_on", "Acquired on", { required: true, value: today }),
      choice("financing", "Financing", ["purchase", "lease", "finance"]),
      date("lease_end", "Lease ends (lease only)"),
      date("warranty_expires", "Warranty expires"),
      text("serial_number", "Serial number"),
      text("asset_tag", "Asset tag"),
      text("order_number", "Order number"),
    ],
  },
  deploy: {
    label: "Deploy",
    path: "deploy",
    fields: [text("owner", "Owner", { required: true }), text("location", "Location", { required: true }), date("deployed_on", "Deployed on")],
  },
  reassign: {
    label: "Reassign",
    path: "reassign",
    fields: [text("owner", "New owner"), text("location", "New location"), text("reason", "Reason")],
  },
  return: { label: "Return", path: "return", fields: [text("location", "Location"), text("reason", "Reason")] },
  start_maintenance: {
    label: "Start maintenance",
    path: "maintenance/start",
    fields: [
      choice("kind", "Kind", ["preventive", "repair", "upgrade", "software_update"], { required: true }),
      text("description", "Description"),
      text("ticket", "Ticket"),
    ],
  },
  complete_maintenance: {
    label: "Complete maintenance",
    path: "maintenance/complete",
    fields: [money("cost", "Cost"), text("notes", "Notes"), date("completed_on", "Completed on")],
  },
  record_cost: {
    label: "Record cost",
    path: "costs",
    fields: [
      choice("kind", "Kind", ["operating", "license", "support", "energy", "other"], { required: true }),
      money("amount", "Amount", { required: true }),
      date("incurred_on", "Incurred on"),
      text("description", "Description"),
    ],
  },
  correct: {
    label: "Correct details",
    path: "corrections",
    fields: [
      choice("field", "Field", CORRECTABLE, { required: true }),
      text("value", "New value", { required: true }),
      text("reason", "Reason", { required: true }),
    ],
    body: (values) => ({ changes: { [values.field]: values.value }, reason: values.reason }),
  },
  retire: {
    label: "Retire",
    path: "retire",
    fields: [
      choice("disposition", "Disposition", ["refurbish", "remarket", "recycle", "donate", "destroy"], { required: true }),
      { name: "data_sanitized", label: "Data sanitized", type: "checkbox" },
      text("sanitization_certificate", "Sanitization certificate"),
      money("recovered_value", "Recovered value"),
      { name: "weight_kg", label: "Weight (kg)", type: "number" },
      date("retired_on", "Retired on"),
    ],
  },
};

/** The triggers to offer: what the asset's state allows and the signed-in principal may do. */
export function offeredTriggers(asset, me) {
  return asset.allowed_triggers.filter((t) => t in ACTIONS && me.may.includes(t));
}

function input(field) {
  const id = `action-${field.name}`;
  const common = { name: field.name, id, required: field.required };
  let control;
  if (field.type === "select") {
    control = h("select", common, field.required ? null : h("option", { value: "" }, "—"), field.options.map((o) => h("option", { value: o }, o)));
  } else if (field.type === "checkbox") {
    control = h("input", { ...common, type: "checkbox" });
  } else {
    const type = field.type === "money" ? "text" : field.type;
    const extra =
      field.type === "money"
        ? { inputmode: "decimal", placeholder: "0.00" }
        : field.type === "number"
          ? { step: "any", min: "0" }
          : {};
    control = h("input", { ...common, ...extra, type, value: field.value ? field.value() : null, autocomplete: "off" });
  }
  return h("label", { class: ["field", field.type === "checkbox" && "check"] }, h("span", {}, field.label + (field.required ? " *" : "")), control);
}

function values(form, action) {
  const out = {};
  for (const field of action.fields) {
    const el = form.elements.namedItem(field.name);
    if (field.type === "checkbox") {
      out[field.name] = el.checked;
      continue;
    }
    const raw = el.value.trim();
    if (raw === "") continue; // optional and empty: leave it out, the service applies its default
    out[field.name] = field.type === "number" ? Number(raw) : raw;
  }
  return out;
}

/** The form of one trigger; `done(asset)` runs after the command succeeded. */
export function actionForm(asset, trigger, { done, cancel }) {
  const action = ACTIONS[trigger];
  const key = idempotencyKey(); // one per opened form, so a double submit appends once
  const errors = h("div", { class: "form-errors" });
  const submit = h("button", { type: "submit", class: "primary" }, action.label);
  const form = h(
    "form",
    { class: "action-form", id: `form-${trigger}` },
    h("h3", {}, action.label),
    h("div", { class: "fields" }, action.fields.map(input)),
    errors,
    h("div", { class: "buttons" }, submit, h("button", { type: "button", on: { click: cancel } }, "Cancel")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(errors);
    const collected = values(form, action);
    try {
      const updated = await api(`/assets/${encodeURIComponent(asset.id)}/${action.path}`, {
        method: "POST",
        body: action.body ? action.body(collected) : collected,
        headers: { "If-Match": `"${asset.version}"`, "Idempotency-Key": key },
      });
      done(updated);
    } catch (error) {
      replace(errors, problemView(error));
      if (error instanceof ApiError && error.status === 412) {
        errors.append(h("p", {}, "The asset changed since this page was loaded; reload it and try again."));
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
