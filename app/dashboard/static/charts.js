// Small hand-written SVG charts. Colours come from CSS classes (style.css), text from text nodes.

import { fmt, s } from "./dom.js";

const CHAR_WIDTH = 6.4; // average width of an 11px sans-serif character, for truncating labels

function fit(text, width) {
  const str = String(text);
  const max = Math.max(3, Math.floor(width / CHAR_WIDTH));
  return str.length <= max ? str : str.slice(0, max - 1) + "…";
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

function scaleMax(max, ticks = 4) {
  if (!(max > 0)) return { top: 1, step: 1 };
  const step = niceStep(max / ticks);
  return { top: Math.ceil(max / step) * step, step };
}

function linkOrGroup(href, ...children) {
  return href ? s("a", { href }, ...children) : s("g", {}, ...children);
}

function legend(series, x, y) {
  let offset = x;
  return s(
    "g",
    { class: "legend" },
    series.map((item) => {
      const group = s(
        "g",
        {},
        s("rect", { x: offset, y: y - 9, width: 10, height: 10, rx: 2, class: item.cls }),
        s("text", { x: offset + 14, y }, item.label),
      );
      offset += 14 + item.label.length * CHAR_WIDTH + 16;
      return group;
    }),
  );
}

/**
 * Vertical bars, one per item: [{label, value, cls, href, title}].
 */
export function columnChart({ items, format = fmt.int, width = 520, height = 210, label = "chart" }) {
  const top = 22;
  const bottom = 30;
  const side = 8;
  const plotH = height - top - bottom;
  const slot = (width - 2 * side) / Math.max(1, items.length);
  const barW = Math.min(56, slot * 0.7);
  const { top: max } = scaleMax(Math.max(0, ...items.map((i) => i.value)));
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": label });
  svg.append(s("line", { x1: side, x2: width - side, y1: top + plotH, y2: top + plotH, class: "axis" }));
  items.forEach((item, i) => {
    const x = side + slot * i + (slot - barW) / 2;
    const barH = (item.value / max) * plotH;
    const y = top + plotH - barH;
    const tip = item.title ?? `${item.label}: ${format(item.value)}`;
    svg.append(
      linkOrGroup(
        item.href,
        s("rect", { x, y, width: barW, height: barH, rx: 2, class: ["bar", item.cls] }, s("title", {}, tip)),
        s("text", { x: x + barW / 2, y: y - 5, class: "value", "text-anchor": "middle" }, format(item.value)),
        s(
          "text",
          { x: x + barW / 2, y: top + plotH + 16, class: "tick", "text-anchor": "middle" },
          fit(item.label, slot - 4),
        ),
      ),
    );
  });
  return svg;
}

/**
 * Horizontal (optionally stacked) bars, one row per item.
 *   rows:   [{label, href, values: [one number per series], note, noteCls, marker, cls}]
 *   series: [{label, cls}]; `marker` draws a vertical line in the row (a budget, say).
 */
export function barChart({
  rows,
  series,
  format = fmt.compact,
  width = 560,
  labelWidth = 124,
  noteWidth = 92,
  markerLabel = null,
  label = "chart",
}) {
  const rowH = 18;
  const gap = 8;
  const showLegend = series.length > 1 || markerLabel;
  const legendH = showLegend ? 24 : 4;
  const axisH = 20;
  const x0 = labelWidth + 8;
  const plotW = width - x0 - noteWidth - 8;
  const height = legendH + rows.length * (rowH + gap) + axisH;
  const totals = rows.map((r) => r.values.reduce((a, b) => a + b, 0));
  const { top: max, step } = scaleMax(Math.max(0, ...totals, ...rows.map((r) => r.marker ?? 0)));
  const scale = (v) => (v / max) * plotW;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": label });

  if (showLegend) {
    const items = [...series];
    if (markerLabel) items.push({ label: markerLabel, cls: "marker-key" });
    svg.append(legend(items, x0, 14));
  }
  const bottom = legendH + rows.length * (rowH + gap);
  for (let v = 0; v <= max + step / 2; v += step) {
    const x = x0 + scale(v);
    svg.append(
      s("line", { x1: x, x2: x, y1: legendH - 2, y2: bottom, class: v === 0 ? "axis" : "grid" }),
      s("text", { x, y: bottom + 14, class: "tick", "text-anchor": "middle" }, format(v)),
    );
  }
  rows.forEach((row, i) => {
    const y = legendH + i * (rowH + gap) + gap / 2;
    const group = s("g", { class: "row" });
    group.append(
      linkOrGroup(
        row.href,
        s(
          "text",
          { x: labelWidth, y: y + rowH / 2 + 4, class: "row-label", "text-anchor": "end" },
          fit(row.label, labelWidth),
          s("title", {}, row.label),
        ),
      ),
    );
    let x = x0;
    row.values.forEach((value, j) => {
      const w = scale(value);
      group.append(
        s(
          "rect",
          { x, y, width: w, height: rowH, class: ["bar", row.cls ?? series[j].cls] },
          s("title", {}, `${row.label} — ${series[j].label}: ${format(value)}`),
        ),
      );
      x += w;
    });
    if (row.marker !== undefined && row.marker !== null) {
      const mx = x0 + scale(row.marker);
      group.append(
        s(
          "line",
          { x1: mx, x2: mx, y1: y - 3, y2: y + rowH + 3, class: "marker" },
          s("title", {}, `${row.label} — ${markerLabel}: ${format(row.marker)}`),
        ),
      );
    }
    if (row.note) {
      group.append(
        s("text", { x: x0 + plotW + 8, y: y + rowH / 2 + 4, class: ["note", row.noteCls] }, row.note),
      );
    }
    svg.append(group);
  });
  return svg;
}
