// Weibao's small behaviours. No framework: htmx does the fragments, Tabler the widgets.
document.addEventListener("htmx:responseError", (event) => {
  // Show the API-style error {"detail", "code"} or the status text next to the triggering element.
  const xhr = event.detail.xhr;
  let detail = xhr.statusText;
  try { detail = JSON.parse(xhr.responseText).detail || detail; } catch (e) { /* HTML error page */ }
  const box = document.createElement("div");
  box.className = "alert alert-danger mt-2";
  box.setAttribute("role", "alert");
  box.textContent = detail;
  event.detail.elt.insertAdjacentElement("afterend", box);
});

// Priority preview on intake/triage forms: the urgency x impact matrix is embedded as JSON
// (<script id="priority-matrix">) by the page; an emergency is always the critical priority.
function weibaoPriorityPreview(form) {
  const box = form.querySelector("[data-priority-preview]");
  if (!box) return;
  const source = document.getElementById(box.dataset.priorityPreview);
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const pick = (name) => {
    const checked = form.querySelector(`[name="${name}"]:checked`);
    if (checked && checked.type === "radio") return checked.value;
    const select = form.querySelector(`select[name="${name}"]`);
    return select ? select.value : "";
  };
  const emergency = form.querySelector('[name="is_emergency"]');
  const priority = emergency && emergency.checked ? data.emergency : data.matrix[`${pick("urgency")}-${pick("impact")}`];
  box.replaceChildren();
  const badge = document.createElement("span");
  if (priority === undefined) {
    badge.className = "text-secondary";
    badge.textContent = "—";
  } else {
    badge.className = `badge bg-${data.colours[priority] || "secondary"}-lt fs-4`;
    badge.dataset.priority = priority;
    badge.textContent = data.labels[priority];
  }
  box.appendChild(badge);
}

document.addEventListener("change", (event) => {
  const form = event.target.closest && event.target.closest("form");
  if (form) weibaoPriorityPreview(form);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form").forEach(weibaoPriorityPreview);
});

// Filter forms (data-drop-empty): leave empty parameters out of the request, so the pushed URL
// only names the filters in use (?queue=open&status=pending, not ?q=&priority=&...).
document.addEventListener("htmx:configRequest", (event) => {
  const elt = event.detail.elt;
  if (!elt || !elt.closest || !elt.closest("[data-drop-empty]")) return;
  const data = event.detail.formData;
  if (!data) return;
  new Set(data.keys()).forEach((key) => {
    if (data.getAll(key).every((value) => value === "")) data.delete(key);
  });
});

// Star ratings light up every star up to the chosen one (5 lights 1-5), not only the chosen button.
function lightStars(group) {
  const checked = group.querySelector("input:checked");
  const chosen = checked ? Number(checked.value) : 0;
  group.querySelectorAll("input").forEach((input) => {
    const label = group.querySelector(`label[for="${input.id}"]`);
    if (label) label.classList.toggle("is-lit", Number(input.value) <= chosen);
  });
}
document.addEventListener("change", (event) => {
  const group = event.target.closest && event.target.closest(".star-rating");
  if (group) lightStars(group);
});
document.addEventListener("DOMContentLoaded", () => document.querySelectorAll(".star-rating").forEach(lightStars));
document.addEventListener("htmx:afterSwap", () => document.querySelectorAll(".star-rating").forEach(lightStars));

// SLA countdowns: badges with data-sla-due (ISO time) recount every 30 s with the phrases of the
// enclosing [data-sla-formats] (translated by the server); past the deadline they turn red.
function slaDuration(formats, seconds) {
  const minutes = Math.floor(Math.max(0, seconds) / 60);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days) return formats.d.replace("%(d)s", days).replace("%(h)s", hours);
  if (hours) return formats.h.replace("%(h)s", hours).replace("%(m)s", mins);
  return formats.m.replace("%(m)s", mins);
}
function slaCountdowns() {
  const now = Date.now();
  document.querySelectorAll("[data-sla-due]").forEach((badge) => {
    const holder = badge.closest("[data-sla-formats]");
    const due = Date.parse(badge.dataset.slaDue);
    if (!holder || Number.isNaN(due)) return;
    let formats;
    try { formats = JSON.parse(holder.dataset.slaFormats); } catch (e) { return; }
    const seconds = Math.round((due - now) / 1000);
    if (seconds <= 0) {
      badge.textContent = formats.overdue.replace("%(time)s", slaDuration(formats, -seconds));
      badge.dataset.slaState = "overdue";
      badge.className = badge.className.replace(/\bbg-\w+-lt\b/, "bg-red-lt");
    } else {
      badge.textContent = formats.left.replace("%(time)s", slaDuration(formats, seconds));
    }
  });
}
document.addEventListener("DOMContentLoaded", () => {
  slaCountdowns();
  setInterval(slaCountdowns, 30000);
});
document.addEventListener("htmx:afterSwap", slaCountdowns);
