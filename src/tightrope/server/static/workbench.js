// The what-if panel: reads the page's JSON block, posts the what-if to the HTTP API and shows
// the baseline and the what-if side by side. Scenario text reaches the page only as text nodes
// and as escaped chart labels, never as markup.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("workbench-data").textContent);
  const escapeLabel = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const percent = (p) => (100 * p).toFixed(1) + "%";
  // A change in points beside its error, to the error's first digit as the reports write it
  // (report/numbers.py change_points): "-1.83 ± 0.04 pt", not "-1.8 ± 0.0".
  const points = (difference, se) => {
    const error = 100 * se;
    const places = error > 0 && error < 0.05 ? Math.min(4, Math.ceil(-Math.log10(error))) : 1;
    return (difference >= 0 ? "+" : "") + (100 * difference).toFixed(places) + " ± " + error.toFixed(places) + " pt";
  };
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
  const field = (id) => document.getElementById(id);
  // A measured variable, settlement or position: an observation with a value and its sd.
  const MEASURED = ["variable", "settlement", "position"];
  function showObservation(item) {
    const form = item.variable !== undefined ? "variable"
      : item.issue !== undefined ? (item.actor !== undefined ? "position" : "settlement")
      : item.ended ? "ended" : item.under_way ? "under_way" : "date";
    const day = item.date || item.ended || item.under_way;
    const id = form === "position" ? item.issue + "." + item.actor
      : item.variable || item.issue || item.event;
    const option = [...document.querySelectorAll("#seen-what option")]
      .find((o) => o.value === form + ":" + id);
    added.push(item);
    const tr = document.createElement("tr");
    const what = document.createElement("td");
    what.textContent = (option ? option.textContent : id) + " on " + day
      + (MEASURED.includes(form) ? ": " + item.value + " ± " + item.sd : "")
      + (item.reliability !== undefined ? " (chance right " + item.reliability + ")" : "");
    const remove = document.createElement("button");
    remove.textContent = "remove";
    // The table shows only while it has rows.
    remove.addEventListener("click", () => {
      added.splice(added.indexOf(item), 1);
      tr.remove();
      field("seen").hidden = added.length === 0;
    });
    const cell = document.createElement("td");
    cell.append(remove);
    tr.append(what, cell);
    document.querySelector("#seen tbody").append(tr);
    field("seen").hidden = false;
    // Evidence is read up to the forecast date: without one yet, the latest added is it.
    if (!field("as-of").value || field("as-of").value < day) field("as-of").value = day;
  }
  function addObservation() {
    const [form, id] = field("seen-what").value.split(/:(.*)/s);
    const day = field("seen-date").value;
    const status = field("status");
    if (!day) { status.textContent = "seen: give the date it was seen"; return; }
    const measured = MEASURED.includes(form);
    if (measured && (field("seen-value").value === "" || field("seen-sd").value === "")) {
      status.textContent = "seen: a measurement needs its value and standard deviation";
      return;
    }
    const [issue, actor] = id.split(".");
    const what = form === "variable" ? { variable: id }
      : form === "settlement" ? { issue: id }
      : form === "position" ? { issue: issue, actor: actor } : { event: id };
    const item = measured
      ? { ...what, date: day, value: Number(field("seen-value").value),
          sd: Number(field("seen-sd").value) }
      : { ...what, [form]: day };
    const reliability = Number(field("seen-reliability").value);
    if (reliability !== 1) item.reliability = reliability;
    showObservation(item);
    status.textContent = "";
  }
  // The page's address holds the last what-if run (after '#', as the request's JSON), so a link
  // brings a colleague the same what-if; only form fields are set from it, never markup.
  let linkNote = "";  // said once, after the first run
  function restore() {
    if (location.hash.length < 2) return;
    let asked;
    try { asked = JSON.parse(decodeURIComponent(location.hash.slice(1))); } catch (error) {
      linkNote = "this link's what-if could not be read: the page's defaults";
      return;
    }
    if (typeof asked !== "object" || asked === null) return;
    // A hand-edited link may hold anything: lists and mappings are read only when they are.
    const list = (value) => (Array.isArray(value) ? value : []);
    const mapping = (value) => (value && typeof value === "object" && !Array.isArray(value) ? value : {});
    if (Number.isFinite(asked.runs)) field("runs").value = asked.runs;
    if (Number.isFinite(asked.seed)) field("seed").value = asked.seed;
    const lever = (event) => [...document.querySelectorAll("select[data-event]")]
      .find((select) => select.dataset.event === event);
    for (const item of list(asked.force)) {
      const select = item && lever(item.event);
      if (select) select.value = String(item.month);
    }
    for (const event of list(asked.forbid)) {
      const select = lever(event);
      if (select) select.value = "forbid";
    }
    for (const [path, value] of Object.entries(mapping(asked.set))) {
      const slider = [...document.querySelectorAll("input[data-path]")]
        .find((input) => input.dataset.path === path);
      if (slider && Number.isFinite(value)) {
        slider.value = value;
        slider.dispatchEvent(new Event("input"));
      }
    }
    for (const item of list(asked.observations)) {
      if (item && typeof item === "object") showObservation(item);
    }
    for (const box of document.querySelectorAll("input[data-unseen]")) {
      if (list(asked.unobserved).includes(box.dataset.unseen)) box.checked = true;
    }
    for (const [event, day] of Object.entries(mapping(asked.watched_until))) {
      const input = [...document.querySelectorAll("input[data-watched]:not(:disabled)")]
        .find((field) => field.dataset.watched === event);
      if (input && typeof day === "string") input.value = day;
    }
    field("as-of").value = typeof asked.as_of === "string" ? asked.as_of : "";
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
    const asOf = field("as-of").value;
    const unobserved = [...document.querySelectorAll("input[data-unseen]:checked:not(:disabled)")]
      .map((box) => box.dataset.unseen);
    // The days sources end, given here (the scenario's own, shown fixed, it applies itself).
    const watched = Object.fromEntries(
      [...document.querySelectorAll("input[data-watched]:not(:disabled)")]
        .filter((input) => input.value).map((input) => [input.dataset.watched, input.value]));
    return {
      runs: Number(document.getElementById("runs").value),
      seed: Number(document.getElementById("seed").value),
      force, forbid, set,
      ...(asOf ? { as_of: asOf } : {}),
      ...(added.length ? { observations: added } : {}),
      ...(unobserved.length ? { unobserved } : {}),
      ...(Object.keys(watched).length ? { watched_until: watched } : {}),
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
        // A level no run can reach is marked, its reason on hover, as the reports do.
        const why = level ? ((result.questions[id] || {}).unreachable || {})[level] : undefined;
        const name = data.questions[id] + (level ? " — " + (data.levels[id][level] || level) : "")
          + (why ? " ◇" : "");
        if (why) tr.title = "no run can reach this level, so its 0% is the model's structure, not a forecast: " + why;
        const cells = "what_if" in v
          ? [name, percent(v.baseline), percent(v.what_if),
             points(v.difference, v.se)]
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
        + Math.round(100 * answer.conditioning.effective_share) + "% of the runs effective)"
        + (answer.conditioning.left_out ? "; " + answer.conditioning.left_out.note : "") : "")
      + (from ? " · the what-if acts from " + from.date + " (month " + from.month + ")" : "")
      + (linkNote ? " · " + linkNote : "");
    linkNote = "";
    history.replaceState(null, "", "#" + encodeURIComponent(JSON.stringify(asked)));
    document.body.dataset.ran = String(Number(document.body.dataset.ran || 0) + 1);
  }
  document.getElementById("run").addEventListener("click", run);
  field("seen-add").addEventListener("click", addObservation);
  restore();
  run();
})();
