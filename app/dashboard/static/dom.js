// DOM helpers. Every piece of data goes in as a text node or an attribute value, never as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "class") {
      el.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: h("a", {href: "#/"}, "text", otherNode). */
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element, same call shape as h(). */
export function s(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

// ---- formatting ---------------------------------------------------------------------------

const grouped = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

export const fmt = {
  /** Money arrives as a 2-place string; it is shown grouped, never re-rounded. */
  money(value) {
    if (value === null || value === undefined || value === "") return "—";
    const n = Number(value);
    return Number.isFinite(n) ? grouped.format(n) : String(value);
  },
  int(value) {
    return value === null || value === undefined ? "—" : integer.format(value);
  },
  compact(value) {
    return compact.format(value);
  },
  kg(value) {
    return value === null || value === undefined ? "—" : `${oneDecimal.format(value)} kg`;
  },
  pct(value) {
    return value === null || value === undefined ? "—" : `${oneDecimal.format(value * 100)} %`;
  },
  /** "2026-12-06T14:15:09.211229Z" -> "2026-12-06 14:15:09 UTC". */
  timestamp(value) {
    if (!value) return "—";
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(value);
    return m ? `${m[1]} ${m[2]} UTC` : String(value);
  },
  text(value) {
    return value === null || value === undefined || value === "" ? "—" : String(value);
  },
  shortId(id) {
    return String(id).slice(0, 8);
  },
  label(key) {
    return String(key).replaceAll("_", " ");
  },
};

// ---- small building blocks shared by the pages ----------------------------------------------

export function assetLink(id, text) {
  return h("a", { href: `#/assets/${encodeURIComponent(id)}`, class: "mono", title: id }, text ?? fmt.shortId(id));
}

export function stateBadge(state) {
  return h("span", { class: ["badge", `state-${state}`] }, state ?? "—");
}

export function card(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export function kpi(label, value, note) {
  return h(
    "div",
    { class: "kpi" },
    h("div", { class: "kpi-value" }, value),
    h("div", { class: "kpi-label" }, label),
    note ? h("div", { class: "kpi-note" }, note) : null,
  );
}

/** A table from rows of plain values or nodes; `columns` = [{label, value: row => text|Node, num, wrap}]. */
export function table(columns, rows, { empty = "Nothing to show." } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h(
    "table",
    { class: "data" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : null }, c.label)))),
    h(
      "tbody",
      {},
      rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: [c.num && "num", c.wrap && "wrap"] }, c.value(row))))),
    ),
  );
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading" }, text);
}

/** Goes to a hash route; re-renders when it is the current one (no hashchange would fire). */
export function navigate(hash) {
  if (window.location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = hash;
}
