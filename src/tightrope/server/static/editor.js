// The scenario editor: validates or saves the text through the HTTP API and lists each
// problem (file, line, field) as text, then a valid scenario's notes.
"use strict";
(function () {
  const source = document.getElementById("source");
  const status = document.getElementById("status");
  const list = document.getElementById("problems");
  document.getElementById("file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) source.value = await file.text();
  });
  async function send(path) {
    list.replaceChildren();
    status.textContent = "…";
    const response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: source.value, name: "editor.yaml" }),
    });
    const answer = await response.json();
    const problems = answer.problems || (response.ok ? [] : [String(answer.detail)]);
    for (const problem of problems) {
      const item = document.createElement("li");
      item.textContent = problem;
      list.append(item);
    }
    for (const note of answer.notes || []) {  // a valid scenario's likely slips
      const item = document.createElement("li");
      item.className = "note";
      item.textContent = "note: " + note;
      list.append(item);
    }
    status.textContent = response.ok ? (answer.saved ? "saved as " + answer.id : (answer.valid ? "valid" : "not valid")) : "refused";
    if (response.ok && answer.saved) window.location.href = "/scenarios/" + encodeURIComponent(answer.id);
  }
  document.getElementById("validate").addEventListener("click", () => send("/api/scenarios/validate"));
  document.getElementById("save").addEventListener("click", () => send("/api/scenarios"));
})();
