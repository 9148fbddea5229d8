// The what-if panel: reads the page's JSON block, posts the what-if to the HTTP API and shows
// the baseline and the what-if side by side. Scenario text reaches the page only as text nodes
// and as escaped chart labels, never as markup.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("workbench-data").textContent);
  const escapeLabel = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const percent = (p) => (100 * p).toFixed(1) + "%";
  const holder = document.getElementById("parameters");
  for (const p of data.parameters) {
    const row = document.createElement("div");
    row.className = "param";
    const label = document.createElement("label");
    label.textContent = p.label;
    const slider = document.createElement("input");
    Object.assign(slider, { type: "range", min: p.low, max: p.high, step: (p.high - p.low) / 100, value: p.value });
    slider.dataset.path = p.path;
    const shown = document.createElement("span");
    shown.textContent = Number(p.value).toPrecision(3);
    // Only a slider the user moved enters the what-if (the browser rounds values to steps).
    slider.addEventListener("input", () => {
      slider.dataset.moved = "1";
      shown.textContent = Number(slider.value).toPrecision(3);
    });
    row.append(label, slider, shown);
    holder.append(row);
  }
  // Observations added on this page: each an observation file's item, shown as a table row
  // with a button to take it out again; the API checks them as it checks a file's.
  const added = [];
  const seenRows = document.querySelector("#seen tbody");
  function addObservation() {
    const [form, id] = document.getElementById("seen-what").value.split(/:(.*)/s);
    const day = document.getElementById("seen-date").value;
    const status = document.getElementById("status");
    if (!day) { status.textContent = "seen: give the date it was seen"; return; }
    const item = form === "variable"
      ? { variable: id, date: day, value: Number(document.getElementById("seen-value").value),
          sd: Number(document.getElementById("seen-sd").value) }
      : { event: id, [form]: day };
    if (form === "variable" && (document.getElementById("seen-value").value === ""
        || document.getElementById("seen-sd").value === "")) {
      status.textContent = "seen: a measurement needs its value and standard deviation";
      return;
    }
    const reliability = Number(document.getElementById("seen-reliability").value);
    if (reliability !== 1) item.reliability = reliability;
    added.push(item);
    const tr = document.createElement("tr");
    const what = document.createElement("td");
    const option = document.getElementById("seen-what").selectedOptions[0].textContent;
    what.textContent = option + " on " + day
      + (form === "variable" ? ": " + item.value + " ± " + item.sd : "")
      + (reliability !== 1 ? " (chance right " + reliability + ")" : "");
    const remove = document.createElement("button");
    remove.textContent = "remove";
    remove.addEventListener("click", () => { added.splice(added.indexOf(item), 1); tr.remove(); });
    const cell = document.createElement("td");
    cell.append(remove);
    tr.append(what, cell);
    seenRows.append(tr);
    // Evidence is read up to the forecast date: without one yet, the latest added is it.
    const asOf = document.getElementById("as-of");
    if (!asOf.value || asOf.value < day) asOf.value = day;
    status.textContent = "";
  }
  function request() {
    const force = [], forbid = [], set = {};
    for (const select of document.querySelectorAll("select[data-event]")) {
      if (select.value === "forbid") forbid.push(select.dataset.event);
      else if (select.value) force.push({ event: select.dataset.event, month: Number(select.value) });
    }
    for (const slider of document.querySelectorAll("input[data-path][data-moved]")) {
      set[slider.dataset.path] = Number(slider.value);
    }
    const asOf = document.getElementById("as-of").value;
    const unobserved = [...document.querySelectorAll("input[data-unseen]:checked:not(:disabled)")]
      .map((box) => box.dataset.unseen);
    return {
      runs: Number(document.getElementById("runs").value),
      seed: Number(document.getElementById("seed").value),
      force, forbid, set,
      ...(asOf ? { as_of: asOf } : {}),
      ...(added.length ? { observations: added } : {}),
      ...(unobserved.length ? { unobserved } : {}),
    };
  }
  function show(result) {
    const body = document.querySelector("#results tbody");
    body.replaceChildren();
    const names = [], before = [], after = [];
    // With no what-if the API sends the baseline alone: show it, with nothing beside it.
    const comparison = result.comparison || Object.fromEntries(
      Object.entries(result.questions).map(([id, q]) => [id, "probability" in q
        ? { baseline: q.probability }
        : Object.fromEntries(Object.entries(q.distribution).map(([l, p]) => [l, { baseline: p }]))]));
    for (const [id, c] of Object.entries(comparison)) {
      const rows = "baseline" in c ? [[null, c]] : Object.entries(c);
      for (const [level, v] of rows) {
        const tr = document.createElement("tr");
        tr.dataset.question = id;
        if (level) tr.dataset.level = level;
        const name = data.questions[id] + (level ? " — " + (data.levels[id][level] || level) : "");
        const cells = "what_if" in v
          ? [name, percent(v.baseline), percent(v.what_if),
             (v.difference >= 0 ? "+" : "") + (100 * v.difference).toFixed(1) + " ± " + (100 * v.se).toFixed(1) + " pts"]
          : [name, percent(v.baseline), "—", "—"];
        cells.forEach((t, i) => { const td = document.createElement("td"); td.textContent = t; if (i) td.className = "num"; tr.append(td); });
        body.append(tr);
        if (!level) { names.push(escapeLabel(data.questions[id])); before.push(v.baseline); after.push(v.what_if ?? null); }
      }
    }
    Plotly.react("chart", [
      { type: "bar", name: "baseline", x: before, y: names, orientation: "h" },
      { type: "bar", name: "what-if", x: after, y: names, orientation: "h" },
    ], { barmode: "group", margin: { l: 420 }, xaxis: { range: [0, 1], tickformat: ".0%" },
         yaxis: { automargin: true, autorange: "reversed" } }, { displaylogo: false, responsive: true });
  }
  async function run() {
    const status = document.getElementById("status");
    status.textContent = "running…";
    const started = performance.now();
    const asked = request();
    const response = await fetch("/api/scenarios/" + encodeURIComponent(data.scenario) + "/simulate", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(asked),
    });
    const answer = await response.json();
    if (!response.ok) {
      // A refused what-if has one line; a field out of its bounds, FastAPI's list of problems.
      status.textContent = Array.isArray(answer.detail)
        ? answer.detail.map((d) => d.loc.slice(1).join(".") + ": " + d.msg).join("; ")
        : String(answer.detail);
      return;
    }
    show(answer);
    const from = answer.interventions && answer.interventions.from;
    status.textContent = "done in " + ((performance.now() - started) / 1000).toFixed(2) + " s"
      + (answer.comparison ? "" : " · no what-if set: the baseline alone (choose an event's option or move a slider)")
      + (answer.conditioning ? " · conditioned on the evidence up to " + asked.as_of + " ("
        + answer.conditioning.observations.length + " observations, events not seen included; "
        + Math.round(100 * answer.conditioning.effective_share) + "% of the runs effective)" : "")
      + (from ? " · the what-if acts from " + from.date + " (month " + from.month + ")" : "");
    document.body.dataset.ran = String(Number(document.body.dataset.ran || 0) + 1);
  }
  document.getElementById("run").addEventListener("click", run);
  document.getElementById("seen-add").addEventListener("click", addObservation);
  run();
})();
