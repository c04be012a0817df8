import "htmx.org";
import "bootstrap/js/dist/collapse";
import "bootstrap/js/dist/dropdown";
import { initAutocompletes } from "./autocomplete.js";

document.addEventListener("DOMContentLoaded", () => initAutocompletes(document));
document.body?.addEventListener("htmx:load", (event) => initAutocompletes(event.target));
