// Accessibility repairs for the leaders' dashboard (WCAG 2.1 AA), as the ESM module of a
// Panel JSComponent with two parameters: `lang` (the page language, "nb" or "en") and
// `sidebar_toggle` (the name of the header's sidebar button in that language; empty keeps
// Panel's "Toggle sidebar").
//
// Panel 1.9 and Bokeh 3.9 offer no option for these, so the component mends the page after
// each render. It watches the document and every shadow root (Bokeh draws each component in
// its own) and, whenever something is drawn, at most every 100 ms:
//   - sets <html lang> to the page language (Panel's template always says "en"; 3.1.1);
//   - names every slider handle (role="slider") by its slider's title without the value
//     (axe: aria-input-field-name; 4.1.2);
//   - turns Bokeh's tab headers into a tablist of tabs that Enter and Space open and the
//     arrow keys move between (Bokeh's tabs take focus but ignore the keyboard; 2.1.1, 4.1.2);
//   - takes the list role off the Bootstrap template's sidebar <ul>, which holds <div>s
//     (axe: list; 1.3.1);
//   - marks the template's #main as the main landmark (2.4.1);
//   - names a date picker's own visible input by the picker's title (axe: label; 4.1.2).

const DELAY_MS = 100;

function titleOf(handle) {
  // The slider's title in the same shadow root: "Label: <span class=bk-slider-value>…</span>".
  const root = handle.getRootNode();
  const title = root.querySelector ? root.querySelector(".bk-slider-title") : null;
  if (!title) return "";
  let text = "";
  for (const node of title.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) text += node.textContent;
  }
  return text.replace(/[:\s]+$/, "").trim();
}

function mendTabs(root) {
  for (const wrapper of root.querySelectorAll(".bk-headers-wrapper")) {
    wrapper.setAttribute("role", "tablist");
    const tabs = [...wrapper.querySelectorAll(":scope > .bk-tab")];
    tabs.forEach((tab, i) => {
      const active = tab.classList.contains("bk-active");
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", active ? "true" : "false");
      tab.tabIndex = active ? 0 : -1; // one stop in the tab order; arrows move within
      if (tab.dataset.btiKeys) return;
      tab.dataset.btiKeys = "1";
      tab.addEventListener("keydown", (event) => {
        const all = [...wrapper.querySelectorAll(":scope > .bk-tab")];
        const at = all.indexOf(tab);
        let next = null;
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          tab.click();
          return;
        } else if (event.key === "ArrowRight") next = all[(at + 1) % all.length];
        else if (event.key === "ArrowLeft") next = all[(at - 1 + all.length) % all.length];
        else if (event.key === "Home") next = all[0];
        else if (event.key === "End") next = all[all.length - 1];
        if (next) {
          event.preventDefault();
          for (const other of all) other.tabIndex = other === next ? 0 : -1;
          next.focus();
        }
      });
    });
  }
}

function mendRoot(root) {
  for (const handle of root.querySelectorAll('[role="slider"]')) {
    const name = titleOf(handle);
    if (name && handle.getAttribute("aria-label") !== name) {
      handle.setAttribute("aria-label", name);
    }
  }
  // A date picker (flatpickr) shows a second input of its own, unlabelled: give it the
  // picker's title (axe: label; 1.3.1, 4.1.2).
  for (const input of root.querySelectorAll("input.flatpickr-input ~ input")) {
    const title = root.querySelector("label");
    const name = title ? title.textContent.replace(/[:\s]+$/, "").trim() : "";
    if (name && input.getAttribute("aria-label") !== name) input.setAttribute("aria-label", name);
  }
  mendTabs(root);
}

export function render({ model }) {
  const observed = new WeakSet();
  let timer = null;

  const observer = new MutationObserver(() => {
    if (timer === null) timer = setTimeout(scan, DELAY_MS);
  });

  function watch(root) {
    if (observed.has(root)) return;
    observed.add(root);
    observer.observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class"],
    });
  }

  function walk(root) {
    watch(root);
    mendRoot(root);
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  }

  function scan() {
    timer = null;
    const html = document.documentElement;
    if (model.lang && html.lang !== model.lang) html.lang = model.lang;
    const list = document.querySelector("#sidebar > ul.nav");
    if (list) list.setAttribute("role", "none");
    const main = document.querySelector("#main");
    if (main && !main.hasAttribute("role")) main.setAttribute("role", "main");
    const toggle = document.querySelector("#sidebar-toggle");
    if (toggle && model.sidebar_toggle) toggle.setAttribute("aria-label", model.sidebar_toggle);
    walk(document);
  }

  model.on("lang", scan);
  model.on("sidebar_toggle", scan);
  model.on("remove", () => observer.disconnect());
  scan();
}
