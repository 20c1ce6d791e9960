// The commands an asset page offers: one small form per trigger, posted to the SPEC's path.

import { ApiError, api } from "./api.js";
import { choice, commandForm, date, money, months, text, today } from "./forms.js";

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
      months("useful_life_months", "Useful life (months)"),
      money("residual_value", "Residual value"),
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

/** The form of one trigger, posted with If-Match (the version shown); `done(asset)` runs after the command succeeded. */
export function actionForm(asset, trigger, { done, cancel }) {
  const action = ACTIONS[trigger];
  return commandForm({
    id: `form-${trigger}`,
    title: action.label,
    fields: action.fields,
    prefix: "action",
    send: (collected, key) =>
      api(`/assets/${encodeURIComponent(asset.id)}/${action.path}`, {
        method: "POST",
        body: action.body ? action.body(collected) : collected,
        headers: { "If-Match": `"${asset.version}"`, "Idempotency-Key": key },
      }),
    explain: (error) =>
      error instanceof ApiError && error.status === 412
        ? "The asset changed since this page was loaded; reload it and try again."
        : null,
    done,
    cancel,
  });
}
