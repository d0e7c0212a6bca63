// A confirmation in the page's own dialog element (not window.confirm): styled like the page, and it says
// exactly what will move where.

const dialog = () => document.getElementById("confirm");

/** Resolves true when the operator confirms, false on Cancel or Escape; `danger` for what cannot be undone. */
export function confirmAction(title, text, confirmLabel, { danger = false } = {}) {
  const element = dialog();
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  const ok = document.getElementById("confirm-ok");
  const cancel = document.getElementById("confirm-cancel");
  ok.textContent = confirmLabel;
  ok.classList.toggle("danger", danger);
  ok.classList.toggle("primary", !danger);
  return new Promise((resolve) => {
    const finish = (value) => {
      ok.removeEventListener("click", onOk);
      cancel.removeEventListener("click", onCancel);
      element.removeEventListener("close", onClose);
      if (element.open) element.close();
      resolve(value);
    };
    const onOk = () => finish(true);
    const onCancel = () => finish(false);
    const onClose = () => finish(false);
    ok.addEventListener("click", onOk);
    cancel.addEventListener("click", onCancel);
    element.addEventListener("close", onClose);
    element.showModal();
    cancel.focus();
  });
}
