// The lifecycle of GET /lifecycle drawn as a layered SVG graph, the current state highlighted.

import { h, s } from "./dom.js";

const NODE_W = 104;
const NODE_H = 34;
const COL_GAP = 132;
const ROW_GAP = 84;

/** Edges between different states, one per (source, trigger). */
function edgesOf(lifecycle) {
  const edges = [];
  for (const t of lifecycle.transitions) {
    if (t.dest === null) continue;
    for (const from of t.source) if (from !== t.dest) edges.push({ from, to: t.dest, trigger: t.trigger });
  }
  return edges;
}

/** Layers by the longest path from the initial states, after setting aside the edges that close a
 * cycle (found by a depth-first walk), so that return and complete_maintenance point backwards. */
function layers(lifecycle, edges) {
  const back = new Set();
  const visiting = new Set();
  const done = new Set();
  const visit = (state) => {
    visiting.add(state);
    for (const edge of edges.filter((e) => e.from === state)) {
      if (visiting.has(edge.to)) back.add(edge);
      else if (!done.has(edge.to)) visit(edge.to);
    }
    visiting.delete(state);
    done.add(state);
  };
  for (const state of [...lifecycle.initial, ...lifecycle.states]) if (!done.has(state)) visit(state);
  const layer = Object.fromEntries(lifecycle.states.map((st) => [st, 0]));
  for (let pass = 0; pass < lifecycle.states.length; pass++) {
    for (const edge of edges) {
      if (!back.has(edge)) layer[edge.to] = Math.max(layer[edge.to], layer[edge.from] + 1);
    }
  }
  return { layer, back };
}

function boundaryPoint(center, toward) {
  const dx = toward.x - center.x;
  const dy = toward.y - center.y;
  const sx = dx === 0 ? Infinity : NODE_W / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : NODE_H / 2 / Math.abs(dy);
  const k = Math.min(sx, sy);
  return { x: center.x + dx * k, y: center.y + dy * k };
}

export function lifecycleDiagram(lifecycle, current, allowed = []) {
  const edges = edgesOf(lifecycle);
  const { layer } = layers(lifecycle, edges);
  const columns = [];
  for (const state of lifecycle.states) (columns[layer[state]] ??= []).push(state);
  const tallest = Math.max(...columns.map((c) => c.length));
  const pos = {};
  columns.forEach((states, col) => {
    states.forEach((state, row) => {
      pos[state] = {
        x: col * (NODE_W + COL_GAP) + NODE_W / 2,
        y: (row + (tallest - states.length) / 2) * ROW_GAP + NODE_H / 2,
      };
    });
  });

  const edgeNodes = [];
  const labels = [];
  const extent = { minX: 0, maxX: 0, minY: 0, maxY: 0 };
  const grow = (p) => {
    extent.minX = Math.min(extent.minX, p.x);
    extent.maxX = Math.max(extent.maxX, p.x);
    extent.minY = Math.min(extent.minY, p.y);
    extent.maxY = Math.max(extent.maxY, p.y);
  };
  for (const state of lifecycle.states) {
    grow({ x: pos[state].x - NODE_W / 2, y: pos[state].y - NODE_H / 2 });
    grow({ x: pos[state].x + NODE_W / 2, y: pos[state].y + NODE_H / 2 });
  }
  const middle = ((tallest - 1) / 2) * ROW_GAP + NODE_H / 2;
  const hasReverse = (edge) => edges.some((e) => e.from === edge.to && e.to === edge.from);
  for (const edge of edges) {
    const a = pos[edge.from];
    const b = pos[edge.to];
    const span = Math.abs(layer[edge.to] - layer[edge.from]);
    let d;
    let mid;
    if (span >= 2) {
      // A long edge leaves the band of nodes: an arch from the top of one node to the top of the
      // other (below them when either sits in the lower row), clear of the nodes in between.
      const below = a.y > middle + 1 || b.y > middle + 1;
      const sign = below ? 1 : -1;
      const start = { x: a.x, y: a.y + (sign * NODE_H) / 2 };
      const end = { x: b.x + (b.x > a.x ? -12 : 12), y: b.y + (sign * NODE_H) / 2 };
      const outer = below ? Math.max(start.y, end.y) : Math.min(start.y, end.y);
      const lane = outer + sign * (22 + 10 * span);
      d = `M${start.x},${start.y} C${start.x},${lane} ${end.x},${lane} ${end.x},${end.y}`;
      mid = { x: (start.x + end.x) / 2, y: 0.75 * lane + 0.125 * (start.y + end.y) + (below ? 12 : -4) };
    } else {
      // Neighbours: a gentle curve bending to the left of the direction of travel, more when the
      // reverse edge exists too, so that the pair (and their labels) never overlap.
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const length = Math.hypot(dx, dy) || 1;
      const bend = hasReverse(edge) ? 26 : 6;
      const control = { x: (a.x + b.x) / 2 + (dy / length) * bend, y: (a.y + b.y) / 2 - (dx / length) * bend };
      const start = boundaryPoint(a, control);
      const end = boundaryPoint(b, control);
      d = `M${start.x},${start.y} Q${control.x},${control.y} ${end.x},${end.y}`;
      const curve = { x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x, y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y };
      mid = { x: curve.x, y: curve.y + (dx >= 0 ? -3 : 11) };
    }
    grow({ x: mid.x - 60, y: mid.y - 12 });
    grow({ x: mid.x + 60, y: mid.y + 6 });
    const live = edge.from === current && allowed.includes(edge.trigger);
    edgeNodes.push(
      s("path", { d, class: ["edge", live && "live"], "marker-end": live ? "url(#arrow-live)" : "url(#arrow)" }),
    );
    labels.push(
      s("text", { x: mid.x, y: mid.y, class: ["edge-label", live && "live"], "text-anchor": "middle" }, edge.trigger),
    );
  }

  const pad = 10;
  const width = extent.maxX - extent.minX + 2 * pad;
  const height = extent.maxY - extent.minY + 2 * pad;
  const arrow = (id) =>
    s(
      "marker",
      { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: "userSpaceOnUse", orient: "auto" },
      s("path", { d: "M0,0 L10,5 L0,10 z", class: id }),
    );
  const svg = s(
    "svg",
    {
      viewBox: `${extent.minX - pad} ${extent.minY - pad} ${width} ${height}`,
      class: "chart lifecycle",
      role: "img",
      "aria-label": `Lifecycle, current state ${current}`,
    },
    s("defs", {}, arrow("arrow"), arrow("arrow-live")),
    edgeNodes,
  );
  for (const state of lifecycle.states) {
    const { x, y } = pos[state];
    const terminal = lifecycle.terminal.includes(state);
    const initial = lifecycle.initial.includes(state);
    svg.append(
      s(
        "g",
        { class: ["node", `state-${state}`, state === current && "current", terminal && "terminal"] },
        s("rect", { x: x - NODE_W / 2, y: y - NODE_H / 2, width: NODE_W, height: NODE_H, rx: initial ? 17 : 6 }),
        terminal
          ? s("rect", { x: x - NODE_W / 2 + 3, y: y - NODE_H / 2 + 3, width: NODE_W - 6, height: NODE_H - 6, rx: 4, class: "inner" })
          : null,
        s("text", { x, y: y + 4, "text-anchor": "middle" }, state),
        s("title", {}, `${state}${initial ? " (initial)" : ""}${terminal ? " (terminal)" : ""}`),
      ),
    );
  }
  svg.append(...labels);
  return svg;
}

/** The transitions as a table; the ones the asset may take now are marked. */
export function transitionsTable(lifecycle, current, allowed = []) {
  return h(
    "table",
    { class: "data compact" },
    h("thead", {}, h("tr", {}, h("th", {}, "trigger"), h("th", {}, "from"), h("th", {}, "to"))),
    h(
      "tbody",
      {},
      lifecycle.transitions.map((t) =>
        h(
          "tr",
          { class: allowed.includes(t.trigger) ? "live" : null },
          h("td", {}, h("code", {}, t.trigger), allowed.includes(t.trigger) ? h("span", { class: "now" }, " now") : null),
          h("td", {}, t.source.length ? t.source.join(", ") : "(new asset)"),
          h("td", {}, t.dest ?? "(unchanged)"),
        ),
      ),
    ),
  );
}
