// Functions that run inside the page (page.evaluate serialises them): plain browser JavaScript, so that the
// Node test program is not type-checked against the DOM's globals.

/** The page's widths, and the outermost elements that stick out of it (for the failure message). */
export function pageWidths() {
  const client = document.documentElement.clientWidth;
  const sticksOut = (e) => !!e && e.getBoundingClientRect().right > client + 1;
  const scrollsInside = (e) => {
    for (let up = e.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll("body *")]
    .filter((e) => sticksOut(e) && !sticksOut(e.parentElement) && !scrollsInside(e))
    .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join(".")}`);
  return { scroll: document.documentElement.scrollWidth, client, wide };
}

/** Where a text element's lines break other than after a space: the words cut in two, with some context. */
export function wordsCutByWrapping(element) {
  const text = element.firstChild;
  const range = document.createRange();
  let previousTop = null;
  const cuts = [];
  for (let i = 0; i < text.length; i++) {
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    const top = range.getBoundingClientRect().top;
    if (previousTop !== null && top > previousTop + 2 && text.data[i - 1] !== " ") {
      cuts.push(text.data.slice(Math.max(0, i - 8), i + 8));
    }
    previousTop = top;
  }
  return cuts;
}

/** The computed background colours of the page and of its first card. */
export function backgrounds() {
  return {
    body: getComputedStyle(document.body).backgroundColor,
    card: getComputedStyle(document.querySelector(".card")).backgroundColor,
  };
}

/** Whether a dialog element is open. */
export function isOpen(dialog) {
  return dialog.open;
}
