// Live rules of a survey page: after each change the page asks the server to check the answers
// with the questionnaire's own rules (the same check that decides on submission), then shows or
// hides questions, lists allowed choices and explains refused answers. The server saves the
// answers as a draft at the same time. Without this script the page still works: the server
// checks everything when the respondent saves or sends.

const DELAY_MS = 250;

function csrfToken(form) {
  const field = form.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

function apply(form, state, touched) {
  const hidden = new Set(state.hidden || []);
  form.querySelectorAll("[data-key]").forEach((element) => {
    element.hidden = hidden.has(element.dataset.key);
  });
  form.querySelectorAll(".survey-question[data-key]").forEach((element) => {
    const key = element.dataset.key;
    const message = (state.errors || {})[key] || "";
    const shown = touched.has(key) ? message : "";
    const box = element.querySelector(".invalid-feedback");
    if (box && box.textContent !== shown) box.textContent = shown;
    element.querySelectorAll("input, textarea, select").forEach((input) => {
      if (shown) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
    const allowed = (state.choices || {})[key];
    element.querySelectorAll(".form-check").forEach((choice) => {
      const input = choice.querySelector("input");
      choice.hidden = Boolean(allowed) && !allowed.includes(input.value);
      if (choice.hidden) input.checked = false;
    });
  });
}

export function initSurveys(root) {
  root.querySelectorAll("form[data-survey]").forEach((form) => {
    if (form.dataset.surveyReady) return;
    form.dataset.surveyReady = "1";
    const touched = new Set();
    let timer = null;
    let sequence = 0;
    const check = async () => {
      const mine = ++sequence;
      const body = new FormData(form);
      body.delete("action");
      const response = await fetch(form.dataset.checkUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrfToken(form) },
        credentials: "same-origin",
      });
      if (!response.ok || mine !== sequence) return;
      apply(form, await response.json(), touched);
      form.dataset.checked = String(mine);
    };
    form.addEventListener("change", (event) => {
      const holder = event.target.closest("[data-key]");
      if (holder) touched.add(holder.dataset.key);
      clearTimeout(timer);
      timer = setTimeout(check, DELAY_MS);
    });
  });
}
