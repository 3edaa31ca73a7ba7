// Work-order pages: the check-in adds the browser's location when allowed; the customer signs on a
// canvas (signature_pad) whose PNG goes into the form as a data URL.
(() => {
  const checkIn = document.querySelector("[data-check-in]");
  if (checkIn && navigator.geolocation) {
    let located = false;
    checkIn.addEventListener("submit", (event) => {
      if (located) return;
      event.preventDefault();
      const status = checkIn.querySelector("[data-location-status]");
      const send = () => { located = true; checkIn.requestSubmit(); };
      navigator.geolocation.getCurrentPosition(
        (position) => {
          checkIn.querySelector('[name="latitude"]').value = position.coords.latitude.toFixed(6);
          checkIn.querySelector('[name="longitude"]').value = position.coords.longitude.toFixed(6);
          checkIn.querySelector('[name="accuracy_m"]').value = Math.round(position.coords.accuracy);
          send();
        },
        (error) => {
          // Denied, unavailable or too slow: check in without the place rather than not at all.
          if (status) status.dataset.locationError = String(error.code);
          send();
        },
        // A network fix is precise enough to show the engineer was on site, and fast indoors.
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
      );
    });
  }

  const form = document.querySelector("[data-sign-form]");
  const canvas = form && form.querySelector("[data-signature-pad]");
  if (!canvas || typeof SignaturePad === "undefined") return;
  const pad = new SignaturePad(canvas, { backgroundColor: "rgba(255,255,255,0)", penColor: "#1d273b" });
  const resize = () => {
    // Draw at the device's pixel ratio so the signature stays sharp; resizing clears the canvas.
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  };
  window.addEventListener("resize", resize);
  resize();
  form.querySelector("[data-signature-clear]").addEventListener("click", () => pad.clear());
  form.addEventListener("submit", (event) => {
    const empty = form.querySelector("[data-signature-empty]");
    if (pad.isEmpty()) {
      event.preventDefault();
      empty.classList.add("d-block");
      return;
    }
    empty.classList.remove("d-block");
    form.querySelector('[name="signature"]').value = pad.toDataURL("image/png");
  });
})();
