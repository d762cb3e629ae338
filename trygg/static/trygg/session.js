// Warns before a session ends and offers to extend it (WCAG 2.2.1 Timing Adjustable). The server renders how
// many seconds the session has left into #session-warning; every request restarts the idle clock, and the
// "Förläng sessionen" button makes one. When the absolute lifetime ends the session first, nothing can extend
// it and the warning says so.
(function () {
  "use strict";

  const dialog = document.getElementById("session-warning");
  const status = document.getElementById("session-status");
  if (!dialog || !status) {
    return;
  }
  const data = dialog.dataset;
  const warningMs = Number(data.warningSeconds) * 1000;
  let deadline = Date.now() + Number(data.secondsLeft) * 1000;
  let extendable = data.extendable === "true";
  let timer = null;
  let returnFocus = null;
  let busy = false;

  function show(state) {
    for (const element of dialog.querySelectorAll("[data-state]")) {
      element.hidden = element.dataset.state !== state;
    }
    const clock = new Date(deadline).toLocaleTimeString(document.documentElement.lang || "sv", {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    for (const element of dialog.querySelectorAll(".session-deadline")) {
      element.textContent = clock;
    }
    dialog.dataset.shown = state;
    dialog.dataset.deadline = String(deadline);
    if (dialog.hidden) {
      returnFocus = document.activeElement;
      dialog.hidden = false;
    }
    const first = dialog.querySelector("button:not([hidden])");
    if (first) {
      first.focus();
    }
  }

  function hide() {
    dialog.hidden = true;
    if (returnFocus && document.contains(returnFocus)) {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function schedule() {
    window.clearTimeout(timer);
    const now = Date.now();
    if (now >= deadline) {
      show("expired");
      return;
    }
    if (now < deadline - warningMs) {
      timer = window.setTimeout(schedule, deadline - warningMs - now);
      return;
    }
    if (dialog.hidden || dialog.dataset.shown !== (extendable ? "extendable" : "final")) {
      show(extendable ? "extendable" : "final");
    }
    timer = window.setTimeout(schedule, deadline - now);
  }

  async function ask() {
    const token = data.csrfToken;
    if (!token) {
      // A visitor's session: loading the page again restarts its idle clock.
      const response = await fetch(data.extendUrl, { credentials: "same-origin" });
      return response.ok ? { seconds_left: Number(data.idleSeconds), extendable: true } : null;
    }
    const response = await fetch(data.extendUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual", // a session that has already ended is sent to the login page
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    });
    const type = response.headers.get("Content-Type") || "";
    return response.ok && type.startsWith("application/json") ? response.json() : null;
  }

  async function extend() {
    if (busy) {
      return;
    }
    busy = true;
    let answer = null;
    try {
      answer = await ask();
    } catch (error) {
      answer = null;
    }
    busy = false;
    if (answer === null) {
      deadline = Date.now();
      schedule();
      return;
    }
    deadline = Date.now() + answer.seconds_left * 1000;
    extendable = answer.extendable;
    hide();
    status.textContent = status.dataset.extended;
    schedule();
  }

  dialog.querySelector("[data-action=extend]").addEventListener("click", extend);
  dialog.querySelector("[data-action=close]").addEventListener("click", hide);
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      hide();
    }
  });
  schedule();
})();
