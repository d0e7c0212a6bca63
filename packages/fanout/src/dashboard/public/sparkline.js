import { s } from "./dom.js";

/** A small line chart of `values` (oldest first), scaled to its own maximum; a flat line when all are zero. */
export function sparkline(values, { width = 120, height = 28, label = "" } = {}) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const y = (v) => (height - 2 - ((height - 4) * v) / max).toFixed(1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${y(v)}`).join(" ");
  const area = `0,${height} ${points} ${width},${height}`;
  return s(
    "svg",
    {
      class: "sparkline",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "aria-label": label,
    },
    s("title", { text: label }),
    s("polygon", { class: "spark-area", points: area }),
    s("polyline", { class: "spark-line", points }),
  );
}
