// cobranza dashboard: the phone menu and live filtering of lists.
// No framework; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  // A form with data-live="#target" reloads only the target's rows as the
  // owner types, using the page's own URL with partial=1.
  for (const form of document.querySelectorAll("form[data-live]")) {
    const target = document.querySelector(form.dataset.live);
    if (!target) continue;
    let timer = null;
    const refresh = async () => {
      const query = new URLSearchParams(new FormData(form));
      history.replaceState(null, "", `${form.action}?${query}`);
      query.set("partial", "1");
      const response = await fetch(`${form.action}?${query}`, {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
      if (response.ok) target.innerHTML = await response.text();
    };
    form.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      refresh();
    });
  }
});
