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
