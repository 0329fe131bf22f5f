// maillage what-if map: the front end of maillage.explore (an anywidget ES module).
// Hand-written, no dependency, nothing fetched: the communes are SVG paths drawn once,
// each update only changes their fill and the venue markers. Licence: MIT (maillage).

const NS = "http://www.w3.org/2000/svg";
const SCALE = 1e5; // coordinates come as integer steps of 1e-5 degree (maps/_layers.py)

function el(tag, attrs = {}, text) {
  const node = tag.startsWith("svg:")
    ? document.createElementNS(NS, tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function project(lon, lat, k) {
  return [lon * k, -lat];
}

function ringPath(ring, k) {
  let x = 0, y = 0, d = "";
  for (let i = 0; i < ring.length; i += 2) {
    x += ring[i]; y += ring[i + 1];
    const [px, py] = project(x / SCALE, y / SCALE, k);
    d += (i ? "L" : "M") + px.toFixed(5) + " " + py.toFixed(5);
  }
  return d + "Z";
}

function frNumber(v, digits = 0) {
  return Number(v).toLocaleString("fr-FR", {
    minimumFractionDigits: digits, maximumFractionDigits: digits,
  });
}

function render({ model, el: root }) {
  root.classList.add("maillage-whatif");
  const shapes = model.get("shapes");
  const k = Math.cos((shapes.centre_lat * Math.PI) / 180);
  const [x0, y0, x1, y1] = shapes.bounds; // lon/lat
  const [px0, py1] = project(x0, y0, k);
  const [px1, py0] = project(x1, y1, k);
  let view = [px0, py0, px1 - px0, py1 - py0];

  const notice = el("div", { class: "maillage-whatif-notice", hidden: "" });
  const wrap = el("div", { class: "maillage-whatif-body" });
  const svg = el("svg:svg", { class: "maillage-whatif-map", role: "img" });
  svg.setAttribute("aria-label", "Carte des temps d'accès : cliquer pour ouvrir un lieu");
  const gCommunes = el("svg:g", { class: "communes" });
  const gVenues = el("svg:g", { class: "venues" });
  const gProposals = el("svg:g", { class: "proposals" });
  svg.append(gCommunes, gProposals, gVenues);
  const side = el("div", { class: "maillage-whatif-panel" });
  wrap.append(svg, side);
  root.append(notice, wrap);

  const paths = shapes.shapes.map((polys, i) => {
    const d = polys.map((rings) => rings.map((r) => ringPath(r, k)).join("")).join("");
    const p = el("svg:path", { d, "fill-rule": "evenodd", "data-code": shapes.codes[i] });
    const title = el("svg:title");
    p.append(title);
    gCommunes.append(p);
    return p;
  });

  function setView() {
    svg.setAttribute("viewBox", view.map((v) => v.toFixed(5)).join(" "));
  }
  setView();

  function toLonLat(evt) {
    const pt = svg.createSVGPoint();
    pt.x = evt.clientX; pt.y = evt.clientY;
    const p = pt.matrixTransform(svg.getScreenCTM().inverse());
    return [p.x / k, -p.y];
  }

  let live = false;
  let readOnly = false;
  function send(msg) {
    if (readOnly) return;
    root.classList.add("busy");
    model.send(msg);
  }

  // ---- communes: fill by class, white zones outlined (only the communes that changed)
  const drawn = paths.map(() => ({ fill: null, white: null, title: null }));
  function drawCommunes() {
    const fills = model.get("fills");
    const white = model.get("white");
    const titles = model.get("titles");
    const colours = model.get("legend").colours;
    const grey = model.get("legend").no_data_colour;
    paths.forEach((p, i) => {
      const was = drawn[i];
      const fill = fills[i] >= 0 ? colours[fills[i]] : grey;
      if (was.fill !== fill) { p.setAttribute("fill", fill); was.fill = fill; }
      if (was.white !== white[i]) {
        p.setAttribute("class", white[i] ? "white-zone" : "");
        was.white = white[i];
      }
      if (was.title !== titles[i]) { p.firstChild.textContent = titles[i] || ""; was.title = titles[i]; }
    });
  }

  // ---- venues: supported filled, others hollow, hypothetical ones in orange
  let drag = null;
  function drawVenues() {
    gVenues.replaceChildren();
    const r = view[2] / 160;
    for (const v of model.get("venue_marks")) {
      const [x, y] = project(v.lon, v.lat, k);
      const cls = "venue" + (v.supported ? " supported" : "") + (v.hypothetical ? " hypothetical" : "");
      const c = el("svg:circle", {
        cx: x, cy: y, r, class: cls, "data-venue": v.venue_id, "data-x": v.x, "data-y": v.y,
      });
      c.style.strokeWidth = (r / 3).toString();
      c.append(el("svg:title", {}, v.name + (v.hypothetical ? " (hypothétique)" : "") +
        " — cliquer pour le fermer, glisser pour le déplacer"));
      c.addEventListener("pointerdown", (evt) => {
        evt.stopPropagation();
        drag = { id: v.venue_id, node: c, start: [evt.clientX, evt.clientY], moved: false };
        svg.setPointerCapture(evt.pointerId);
      });
      gVenues.append(c);
    }
  }

  function drawProposals() {
    gProposals.replaceChildren();
    const r = view[2] / 110;
    model.get("proposals").forEach((s, i) => {
      const [x, y] = project(s.lon, s.lat, k);
      const g = el("svg:g", { class: "proposal", "data-rank": s.rank });
      g.append(el("svg:circle", { cx: x, cy: y, r }));
      g.append(el("svg:text", { x, y: y + r * 0.4, "font-size": r * 1.1 }, String(s.rank)));
      gProposals.append(g);
    });
  }

  // ---- panel
  function drawPanel() {
    const panel = model.get("panel");
    side.replaceChildren();
    side.append(el("h3", {}, "Et si… ?"));
    const t = model.get("threshold_min");
    const slider = el("input", {
      type: "range", min: "5", max: String(model.get("horizon_min")), step: "1",
      value: String(t), class: "threshold", "aria-label": "Seuil (minutes)",
    });
    if (readOnly) slider.disabled = true;
    const lab = el("label", { class: "row" }, `Seuil : ${frNumber(t)} min `);
    lab.append(slider);
    slider.addEventListener("change", () => {
      model.set("threshold_min", Number(slider.value));
      model.save_changes();
      root.classList.add("busy");
    });
    side.append(lab);
    const dl = el("dl", { class: "headline" });
    for (const [term, value, change] of panel.rows || []) {
      dl.append(el("dt", {}, term));
      const dd = el("dd", {}, value);
      if (change) dd.append(el("span", { class: "change" }, " " + change));
      dl.append(dd);
    }
    side.append(dl);
    const buttons = el("div", { class: "buttons" });
    const mk = (label, type, disabled) => {
      const b = el("button", { type: "button", "data-action": type }, label);
      if (disabled || readOnly) b.disabled = true;
      b.addEventListener("click", () => send({ type }));
      buttons.append(b);
    };
    mk("Annuler", "undo", !panel.can_undo);
    mk("Revenir au départ", "reset", !panel.can_undo);
    mk("Proposer des sites", "suggest", false);
    if (panel.can_range) mk("Calculer la fourchette", "range", false);
    side.append(buttons);
    const props = model.get("proposals");
    if (props.length) {
      const ol = el("ol", { class: "proposals" });
      props.forEach((s, i) => {
        const li = el("li", {}, `${s.label} (+${frNumber(s.gain_population)} hab.) `);
        const b = el("button", { type: "button", "data-accept": String(i) }, "Accepter");
        if (readOnly) b.disabled = true;
        b.addEventListener("click", () => send({ type: "accept", index: i }));
        li.append(b);
        ol.append(li);
      });
      side.append(el("h4", {}, "Sites proposés"), ol);
    }
    for (const [title, names] of panel.changed || []) {
      if (!names.length) continue;
      side.append(el("h4", {}, title));
      side.append(el("p", { class: "changed" }, names.join(", ")));
    }
    if (panel.history && panel.history.length) {
      side.append(el("h4", {}, "Changements"));
      const ol = el("ol", { class: "history" });
      panel.history.forEach((h) => ol.append(el("li", {}, h)));
      side.append(ol);
    }
    const legend = model.get("legend");
    const lg = el("div", { class: "legend" }, legend.title);
    legend.labels.forEach((label, i) => {
      const row = el("div", { class: "row" });
      row.append(el("span", { class: "sw", style: `background:${legend.colours[i]}` }), label);
      lg.append(row);
    });
    for (const [cls, label] of legend.extra) {
      const row = el("div", { class: "row" });
      row.append(el("span", { class: "sw " + cls }), label);
      lg.append(row);
    }
    side.append(lg);
    if (panel.message) side.append(el("p", { class: "message" }, panel.message));
    root.dataset.headline = JSON.stringify(model.get("headline_state"));
    root.dataset.updateMs = String(panel.update_ms ?? "");
  }

  function drawAll() {
    drawCommunes(); drawVenues(); drawProposals(); drawPanel();
    root.classList.remove("busy");
  }

  // ---- pointer: click to open, drag a venue to move it, drag the map to pan, wheel to zoom
  let pan = null;
  svg.addEventListener("pointerdown", (evt) => {
    if (drag) return;
    pan = { start: [evt.clientX, evt.clientY], view: view.slice(), moved: false };
    svg.setPointerCapture(evt.pointerId);
  });
  svg.addEventListener("pointermove", (evt) => {
    const state = drag || pan;
    if (!state) return;
    const dx = evt.clientX - state.start[0], dy = evt.clientY - state.start[1];
    if (Math.hypot(dx, dy) > 4) state.moved = true;
    if (!state.moved) return;
    if (drag && !readOnly) {
      const [lon, lat] = toLonLat(evt);
      const [x, y] = project(lon, lat, k);
      drag.node.setAttribute("cx", x); drag.node.setAttribute("cy", y);
    } else if (pan) {
      const ratio = view[2] / svg.getBoundingClientRect().width;
      view = [pan.view[0] - dx * ratio, pan.view[1] - dy * ratio, view[2], view[3]];
      setView();
    }
  });
  svg.addEventListener("pointerup", (evt) => {
    if (drag) {
      if (drag.moved) {
        const [lon, lat] = toLonLat(evt);
        send({ type: "move", venue_id: drag.id, lon, lat });
      } else {
        send({ type: "close", venue_id: drag.id });
      }
      drag = null;
    } else if (pan) {
      if (!pan.moved) {
        const [lon, lat] = toLonLat(evt);
        send({ type: "add", lon, lat });
      }
      pan = null;
    }
  });
  svg.addEventListener("wheel", (evt) => {
    evt.preventDefault();
    const f = evt.deltaY > 0 ? 1.25 : 0.8;
    const pt = svg.createSVGPoint();
    pt.x = evt.clientX; pt.y = evt.clientY;
    const p = pt.matrixTransform(svg.getScreenCTM().inverse());
    view = [p.x - (p.x - view[0]) * f, p.y - (p.y - view[1]) * f, view[2] * f, view[3] * f];
    setView(); drawVenues(); drawProposals();
  }, { passive: false });

  // ---- a live kernel answers the ping; without one the map is the saved state, read-only
  model.on("msg:custom", (msg) => {
    if (msg.type === "pong") { live = true; notice.hidden = true; }
    if (msg.type === "error") {
      root.classList.remove("busy");
      notice.textContent = msg.text; notice.hidden = false;
    }
  });
  // one update changes several traits at once: draw once, at the next frame
  let pending = false;
  function scheduleDraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; drawAll(); });
  }
  for (const name of ["fills", "white", "titles", "venue_marks", "panel", "proposals", "threshold_min"]) {
    model.on(`change:${name}`, scheduleDraw);
  }
  drawAll();
  try { model.send({ type: "ping" }); } catch (e) { /* no kernel */ }
  const timer = setTimeout(() => {
    if (live) return;
    readOnly = true;
    root.classList.add("read-only");
    notice.textContent = model.get("read_only_notice");
    notice.hidden = false;
    drawPanel();
  }, 3000);
  return () => clearTimeout(timer);
}

export default { render };
