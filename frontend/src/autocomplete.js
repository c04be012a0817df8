// An accessible autocomplete (WAI-ARIA 1.2 combobox with a listbox popup).
// Markup: <input data-autocomplete="/url?kind=occupation" data-target="id-of-hidden-input">.
// Arrow keys move through suggestions, Enter picks one, Escape closes; a live region announces
// how many suggestions there are.

let counter = 0;

export function initAutocompletes(root) {
  root.querySelectorAll?.("input[data-autocomplete]:not([data-ac-ready])").forEach(setup);
}

function setup(input) {
  input.dataset.acReady = "1";
  const listId = `ac-list-${++counter}`;
  const list = document.createElement("ul");
  list.id = listId;
  list.setAttribute("role", "listbox");
  list.className = "ac-list list-group";
  list.hidden = true;
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  input.after(list, status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("autocomplete", "off");
  const hidden = input.dataset.target ? document.getElementById(input.dataset.target) : null;

  let items = [];
  let active = -1;
  let timer = null;
  let controller = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((o, i) => o.setAttribute("aria-selected", i === index ? "true" : "false"));
    options.forEach((o, i) => o.classList.toggle("active", i === index));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
  };
  const choose = (index) => {
    const item = items[index];
    if (!item) return;
    input.value = item.label;
    if (hidden) hidden.value = item.value;
    input.dispatchEvent(new CustomEvent("autocomplete:chosen", { detail: item, bubbles: true }));
    close();
  };
  const render = () => {
    list.replaceChildren(
      ...items.map((item, i) => {
        const li = document.createElement("li");
        li.id = `${listId}-opt-${i}`;
        li.setAttribute("role", "option");
        li.className = "list-group-item list-group-item-action";
        li.textContent = item.label;
        if (item.detail) {
          const small = document.createElement("small");
          small.className = "d-block text-body-secondary";
          small.textContent = item.detail;
          li.append(small);
        }
        li.addEventListener("mousedown", (e) => {
          e.preventDefault();
          choose(i);
        });
        return li;
      }),
    );
    const open = items.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    status.textContent = (input.dataset.acCountTemplate || "%s suggestions").replace("%s", items.length);
  };
  const fetchSuggestions = async () => {
    const q = input.value.trim();
    if (hidden) hidden.value = "";
    if (q.length < 2) {
      items = [];
      render();
      return;
    }
    controller?.abort();
    controller = new AbortController();
    const url = new URL(input.dataset.autocomplete, window.location.origin);
    url.searchParams.set("q", q);
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
      const data = await response.json();
      items = data.results || [];
      active = -1;
      render();
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });
  input.addEventListener("keydown", (e) => {
    if (list.hidden && e.key !== "ArrowDown") return;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (list.hidden && items.length) render();
      highlight(Math.min(items.length - 1, active + 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      highlight(Math.max(0, active - 1));
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      choose(active);
    } else if (e.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}
