import "htmx.org";
import "bootstrap/js/dist/collapse";
import "bootstrap/js/dist/dropdown";
import { initAutocompletes } from "./autocomplete.js";
import { initSurveys } from "./survey.js";

document.addEventListener("DOMContentLoaded", () => {
  initAutocompletes(document);
  initSurveys(document);
});
document.body?.addEventListener("htmx:load", (event) => initAutocompletes(event.target));
