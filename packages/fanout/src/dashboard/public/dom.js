// Every page element is built here, through the DOM: text goes in as text (textContent), never as markup,
// so a payload or a failure reason cannot inject anything into the page.

const SVG_NS = "http://www.w3.org/2000/svg";

function apply(element, props) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "text") {
      element.textContent = String(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An HTML element: `h("td", { class: "num" }, "42")`. */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  apply(element, props);
  return append(element, children);
}

/** An SVG element, the same way. */
export function s(tag, props, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, props);
  return append(element, children);
}

/** Replaces an element's content. */
export function fill(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** `42s`, `5m`, `3h`, `2d`, like the CLI; `–` when unknown. */
export function formatAge(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const n = Math.max(0, Math.round(seconds));
  if (n < 120) return `${n}s`;
  if (n < 7200) return `${Math.round(n / 60)}m`;
  if (n < 172800) return `${Math.round(n / 3600)}h`;
  return `${Math.round(n / 86400)}d`;
}

export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString([], { hour12: false });
}

/** Keeps the start of a long name, with the whole of it in a tooltip where it is drawn. */
export function shorten(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
