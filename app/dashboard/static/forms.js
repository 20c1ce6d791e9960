// The command forms' shared parts: field specs, inputs, the values to post, and the submit that shows
// a refusal's problem+json inline. Used by the asset actions and by "New request" / "Register asset".

import { idempotencyKey, problemView } from "./api.js";
import { h, replace } from "./dom.js";

export const today = () => new Date().toISOString().slice(0, 10);
export const text = (name, label, extra = {}) => ({ name, label, type: "text", ...extra });
export const money = (name, label, extra = {}) => ({ name, label, type: "money", ...extra });
export const date = (name, label, extra = {}) => ({ name, label, type: "date", ...extra });
export const months = (name, label, extra = {}) => ({ name, label, type: "integer", ...extra });
export const choice = (name, label, options, extra = {}) => ({ name, label, type: "select", options, ...extra });

const EXTRA = {
  money: { inputmode: "decimal", placeholder: "0.00" },
  number: { step: "any", min: "0" },
  integer: { step: "1", min: "1", inputmode: "numeric" },
};

/** One labelled input; its id is `<prefix>-<name>`, and `field.suggestions` become a datalist. */
function input(field, prefix) {
  const id = `${prefix}-${field.name}`;
  const common = { name: field.name, id, required: field.required };
  let control;
  if (field.type === "select") {
    control = h("select", common, field.required ? null : h("option", { value: "" }, "—"), field.options.map((o) => h("option", { value: o }, o)));
  } else if (field.type === "checkbox") {
    control = h("input", { ...common, type: "checkbox" });
  } else {
    const type = field.type === "money" ? "text" : field.type === "integer" ? "number" : field.type;
    const list = field.suggestions?.length ? `${id}-list` : null;
    control = [
      h("input", { ...common, ...EXTRA[field.type], type, list, value: field.value ? field.value() : null, autocomplete: "off" }),
      list ? h("datalist", { id: list }, field.suggestions.map((v) => h("option", { value: v }))) : null,
    ];
  }
  return h("label", { class: ["field", field.type === "checkbox" && "check"] }, h("span", {}, field.label + (field.required ? " *" : "")), control);
}

/** The form's values by field name; an optional field left empty is left out (the service applies its default). */
export function values(form, fields) {
  const out = {};
  for (const field of fields) {
    const el = form.elements.namedItem(field.name);
    if (field.type === "checkbox") {
      out[field.name] = el.checked;
      continue;
    }
    const raw = el.value.trim();
    if (raw === "") continue;
    out[field.name] = field.type === "number" || field.type === "integer" ? Number(raw) : raw;
  }
  return out;
}

/**
 * A command's form. `send(values, idempotencyKey)` posts it and `done(result)` runs after it
 * succeeded; a refusal shows as problem+json inline, followed by `explain(error)` when that says more.
 * One Idempotency-Key per opened form, so a double submit appends once. With `novalidate` the browser
 * does not check the fields first, so the service's 422 names what is missing.
 */
export function commandForm({ id, title, submitLabel = title, fields, prefix, novalidate = false, send, done, cancel, explain }) {
  const key = idempotencyKey();
  const errors = h("div", { class: "form-errors" });
  const submit = h("button", { type: "submit", class: "primary" }, submitLabel);
  const form = h(
    "form",
    { class: "action-form", id, novalidate },
    h("h3", {}, title),
    h("div", { class: "fields" }, fields.map((field) => input(field, prefix))),
    errors,
    h("div", { class: "buttons" }, submit, h("button", { type: "button", on: { click: cancel } }, "Cancel")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(errors);
    try {
      done(await send(values(form, fields), key));
    } catch (error) {
      replace(errors, problemView(error));
      const note = explain ? explain(error) : null;
      if (note) errors.append(h("p", {}, note));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
