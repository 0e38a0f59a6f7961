/* The demo's Telegram-like chat page. Every text people or the bot wrote is put in the page
   with textContent (never innerHTML); links only with http(s) addresses. */
"use strict";

const LANGS = { id: "Bahasa Indonesia", en: "English" };
const POLL_SECONDS = 25;
let L = {};
let lang = localStorage.getItem("demo.lang") || "id";
let cast = [];
let dashboard = "";
const panes = [];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function fmt(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, key) => (key in values ? String(values[key]) : m));
}

async function api(path, body, signal) {
  const init = body === undefined ? { signal } : {
    method: "POST", signal, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ ok: false }));
  if (!response.ok || data.ok === false) throw new Error(data.error || `HTTP ${response.status}`);
  return data.result !== undefined ? data.result : data;
}

function toast(text) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 2800);
}

function alertBox(text) {
  document.getElementById("alert-text").textContent = text;
  document.getElementById("alert").hidden = false;
}

/* ------------------------------------------------ Telegram's formatting from entities */
const TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote" };

function safeUrl(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (e) { return null; }
}

function entityNode(entity, text) {
  if (entity.type === "text_link" || entity.type === "url") {
    const href = safeUrl(entity.type === "url" ? text : entity.url);
    if (href) return el("a", { href, target: "_blank", rel: "noopener noreferrer" });
  }
  if (entity.type === "spoiler") return el("span", { class: "spoiler" });
  return el(TAGS[entity.type] || "span", { class: `e-${entity.type}` });
}

function renderEntities(parent, text, entities, start, end) {
  const sorted = (entities || []).filter((e) => e.offset >= start && e.offset + e.length <= end)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  let at = start;
  let i = 0;
  while (i < sorted.length) {
    const entity = sorted[i];
    if (entity.offset < at) { i++; continue; } // overlaps one already drawn
    if (entity.offset > at) parent.append(text.slice(at, entity.offset));
    const stop = entity.offset + entity.length;
    const node = entityNode(entity, text.slice(entity.offset, stop));
    const inner = [];
    for (i = i + 1; i < sorted.length && sorted[i].offset < stop; i++) inner.push(sorted[i]);
    renderEntities(node, text, inner, entity.offset, stop);
    parent.append(node);
    at = stop;
  }
  if (at < end) parent.append(text.slice(at, end));
}

function formatted(text, entities) {
  const span = el("span", { class: "text" });
  renderEntities(span, text || "", entities, 0, (text || "").length);
  return span;
}

/* ------------------------------------------------ one chat */
class Pane {
  constructor(index, root) {
    this.index = index;
    this.root = root;
    this.userId = null;
    this.person = null;
    this.state = null;
    this.generation = 0;
    this.hiddenKeyboard = null;
    this.build();
  }

  build() {
    this.select = el("select", { class: "person", "aria-label": "person", onchange: () => this.onSelect() });
    this.status = el("span", { class: "status" });
    this.blockButton = el("button", { type: "button", class: "block", onclick: () => this.toggleBlock() }, "🚫");
    this.head = el("div", { class: "chat-head" }, el("div", { class: "who" }, this.select, this.status), this.blockButton);
    this.nameInput = el("input", { type: "text", class: "new-name", maxlength: "40" });
    this.newRow = el("form", { class: "newperson", hidden: true, onsubmit: (ev) => { ev.preventDefault(); this.createPerson(); } },
      this.nameInput, el("button", { type: "submit", class: "new-ok" }, "OK"));
    this.timeline = el("div", { class: "timeline", role: "log", "aria-live": "polite" });
    this.banner = el("div", { class: "banner", hidden: true });
    this.keyboard = el("div", { class: "keyboard", hidden: true });
    this.menuButton = el("button", { type: "button", class: "menu", hidden: true, onclick: () => this.openMenu() });
    this.input = el("input", { type: "text", class: "compose-text", autocomplete: "off" });
    this.sendButton = el("button", { type: "submit", class: "send" });
    this.compose = el("form", { class: "compose", onsubmit: (ev) => { ev.preventDefault(); this.sendText(); } },
      this.menuButton, this.input, this.sendButton);
    this.root.replaceChildren(this.head, this.newRow, this.timeline, this.banner, this.keyboard, this.compose);
  }

  relabel() {
    this.input.placeholder = L.message;
    this.sendButton.textContent = L.send;
    this.nameInput.placeholder = L.new_person_name;
    this.blockButton.title = L.block;
    this.fillSelect();
    if (this.state) this.render();
  }

  fillSelect() {
    const people = allPeople();
    this.select.replaceChildren(...people.map((p) => el("option", { value: String(p.user_id), text: p.title })),
      el("option", { value: "new", text: L.new_person }));
    if (this.userId) this.select.value = String(this.userId);
  }

  onSelect() {
    if (this.select.value === "new") { this.newRow.hidden = false; this.nameInput.focus(); return; }
    this.newRow.hidden = true;
    this.open(Number(this.select.value));
  }

  async createPerson() {
    const name = this.nameInput.value.trim();
    if (!name) return;
    const digits = String(Math.floor(10000000 + Math.random() * 89999999));
    const person = { user_id: 800000000 + Number(digits.slice(0, 8)) % 99999999, first_name: name, last_name: "",
      language: lang, phone: "62812" + digits, role: "", title: name, fresh: true };
    const extra = JSON.parse(localStorage.getItem("demo.extra") || "[]");
    extra.push(person);
    localStorage.setItem("demo.extra", JSON.stringify(extra));
    await api("/emu/add_user", { user_id: person.user_id, first_name: name, language_code: lang });
    this.nameInput.value = "";
    this.newRow.hidden = true;
    panes.forEach((p) => p.fillSelect());
    this.open(person.user_id);
  }

  open(userId) {
    this.userId = userId;
    this.person = allPeople().find((p) => p.user_id === userId) || null;
    this.select.value = String(userId);
    this.root.dataset.user = String(userId);
    updateTabs();
    this.state = null;
    this.generation++;
    this.loop(this.generation);
  }

  async loop(generation) {
    let version = -1;
    let controller = null;
    while (generation === this.generation) {
      try {
        const path = version < 0
          ? `/emu/messages?chat_id=${this.userId}&include_user=true`
          : `/emu/wait_change?chat_id=${this.userId}&version=${version}&timeout=${POLL_SECONDS}&include_user=true`;
        controller = new AbortController();
        const state = await api(path, undefined, controller.signal);
        if (generation !== this.generation) return;
        if (version < 0 || state.changed !== false) { this.state = state; this.render(); }
        version = state.version;
      } catch (e) {
        if (generation !== this.generation) return;
        this.status.textContent = L.offline;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  render() {
    const s = this.state;
    const nearBottom = this.timeline.scrollHeight - this.timeline.scrollTop - this.timeline.clientHeight < 80;
    const items = [];
    for (const m of s.messages || []) if (!m.deleted) items.push({ at: m.sent_at, kind: "msg", m });
    for (const r of s.refusals || []) items.push({ at: r.at, kind: "refusal", r });
    items.sort((a, b) => a.at - b.at);
    const nodes = items.map((item) => (item.kind === "msg" ? this.messageNodes(item.m) : [this.refusalNode(item.r)])).flat();
    if (!nodes.length) nodes.push(el("div", { class: "note empty", text: L.empty }));
    this.timeline.replaceChildren(...nodes);
    if (nearBottom || !this.rendered) this.timeline.scrollTop = this.timeline.scrollHeight;
    this.rendered = true;
    this.renderStatus();
    this.renderBanner();
    this.renderKeyboard();
    this.renderMenu();
  }

  renderStatus() {
    const s = this.state;
    clearTimeout(this.typingTimer);
    const lastBot = Math.max(0, ...(s.messages || []).filter((m) => m.from_bot).map((m) => m.sent_at));
    const at = s.last_action_at || 0;
    const fresh = s.last_action === "typing" && at > lastBot && Date.now() / 1000 - at < 5;
    this.status.textContent = fresh ? L.typing : "";
    this.status.classList.toggle("typing", fresh);
    if (fresh) this.typingTimer = setTimeout(() => this.renderStatus(), 1000);
  }

  messageNodes(m) {
    const bubble = el("div", { class: `msg ${m.from_bot ? "in" : "out"}`, "data-message-id": String(m.message_id) });
    const file = m.file;
    if (m.kind === "photo" && file) {
      bubble.append(el("img", { src: `/emu/file?file_id=${encodeURIComponent(file.file_id)}`, alt: "", loading: "lazy" }));
    } else if (m.kind === "document" && file) {
      bubble.append(el("a", { class: "doc", href: `/emu/file?file_id=${encodeURIComponent(file.file_id)}`,
        download: file.file_name || "", target: "_blank", text: `${file.file_name || L.download}` }));
    } else if (m.kind === "contact") {
      bubble.append(`📱 ${m.payload.contact.phone_number}`);
    } else if (m.kind === "location") {
      const loc = m.payload.location;
      bubble.append(`📍 ${loc.latitude.toFixed(4)}, ${loc.longitude.toFixed(4)}`);
    }
    if (m.text !== null && m.text !== undefined) bubble.append(formatted(m.text, m.entities));
    if (m.caption) bubble.append(formatted(m.caption, m.entities));
    const time = new Date(m.sent_at * 1000).toLocaleTimeString(lang === "id" ? "id-ID" : "en-GB", { hour: "2-digit", minute: "2-digit" });
    bubble.append(el("span", { class: "meta", text: m.edited ? `${L.edited} ${time}` : time }));
    const nodes = [bubble];
    if (m.inline_keyboard && m.inline_keyboard.length) {
      nodes.push(el("div", { class: "inline", "data-message-id": String(m.message_id) },
        ...m.inline_keyboard.map((row) => el("div", { class: "row" }, ...row.map((b) => this.inlineButton(m, b))))));
    }
    return nodes;
  }

  inlineButton(m, b) {
    if (b.url) {
      const href = safeUrl(b.url);
      return el("button", { type: "button", class: "inline-button", text: `${b.text} ↗`,
        onclick: () => href && window.open(href, "_blank", "noopener") });
    }
    return el("button", { type: "button", class: "inline-button", text: b.text,
      onclick: (ev) => this.press(ev.currentTarget, m.message_id, b.callback_data) });
  }

  async press(button, messageId, data) {
    button.disabled = true;
    try {
      const id = await api("/emu/press_button", { chat_id: this.userId, message_id: messageId, callback_data: data });
      const answer = await api(`/emu/wait_callback_answer?callback_query_id=${encodeURIComponent(id)}&timeout=15`);
      if (answer.text) (answer.show_alert ? alertBox : toast)(answer.text);
    } catch (e) {
      toast(e.message);
    } finally {
      button.disabled = false;
    }
  }

  refusalNode(r) {
    let text;
    if (r.error_code === 429) text = fmt(L.refused_429, { seconds: r.retry_after || 1 });
    else if (r.error_code === 403) text = L.refused_403;
    else text = fmt(L.refused_400, { description: r.description });
    return el("div", { class: "note refusal", "data-code": String(r.error_code), text: `⚠️ ${text}` });
  }

  renderBanner() {
    const blocked = !!this.state.blocked;
    this.banner.hidden = !blocked;
    this.blockButton.hidden = blocked;
    if (blocked) {
      this.banner.replaceChildren(el("span", { text: L.blocked }),
        el("button", { type: "button", class: "unblock", text: L.unblock, onclick: () => this.setBlocked(false) }));
    }
  }

  toggleBlock() { this.setBlocked(true); }

  async setBlocked(blocked) {
    try { await api(blocked ? "/emu/block" : "/emu/unblock", { user_id: this.userId }); } catch (e) { toast(e.message); }
  }

  keyboardSource() {
    const withKeyboard = (this.state.messages || []).filter((m) => m.from_bot && m.reply_keyboard);
    return withKeyboard.length ? withKeyboard[withKeyboard.length - 1].message_id : null;
  }

  renderKeyboard() {
    const keyboard = this.state.reply_keyboard;
    const source = this.keyboardSource();
    if (!keyboard || (keyboard.one_time_keyboard && this.hiddenKeyboard === source)) {
      this.keyboard.hidden = true;
      this.keyboard.replaceChildren();
      this.input.placeholder = L.message;
      return;
    }
    this.keyboard.hidden = false;
    this.input.placeholder = keyboard.input_field_placeholder || L.message;
    this.keyboard.replaceChildren(...keyboard.rows.map((row) => el("div", { class: "row" },
      ...row.map((b) => el("button", { type: "button", class: "reply-key", text: b.text,
        onclick: () => this.replyKey(b, keyboard.one_time_keyboard, source) })))));
  }

  async replyKey(b, oneTime, source) {
    if (oneTime) { this.hiddenKeyboard = source; this.renderKeyboard(); }
    try {
      if (b.request_contact) {
        await api("/emu/share_contact", { user_id: this.userId, phone_number: this.phone() });
      } else if (b.request_location) {
        const place = await api(`/api/place?user_id=${this.userId}`);
        await api("/emu/share_location", { user_id: this.userId, latitude: place.latitude, longitude: place.longitude });
      } else {
        await this.say(b.text);
      }
    } catch (e) { toast(e.message); }
  }

  phone() {
    return (this.person && this.person.phone) || `62812${String(this.userId).slice(-8)}`;
  }

  async say(text) {
    const p = this.person || {};
    await api("/emu/send_message", { user_id: this.userId, text, first_name: p.first_name || undefined,
      last_name: p.last_name || undefined, language_code: p.language || lang });
  }

  async sendText() {
    const text = this.input.value.trim();
    if (!text || !this.userId) return;
    this.input.value = "";
    try { await this.say(text); } catch (e) { toast(e.message); this.input.value = text; }
  }

  renderMenu() {
    const button = this.state.menu_button;
    const usable = button && button.type === "web_app" && button.web_app && safeUrl(button.web_app.url);
    this.menuButton.hidden = !usable;
    if (usable) this.menuButton.textContent = button.text || L.menu;
  }

  async openMenu() {
    const button = this.state.menu_button;
    const url = safeUrl(button.web_app.url);
    if (!url) return;
    const initData = await api(`/emu/web_app_init_data?user_id=${this.userId}`);
    const target = `${url.split("#")[0]}#tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=8.0&tgWebAppPlatform=web`;
    document.getElementById("overlay-title").textContent = button.text || L.menu;
    document.getElementById("overlay-frame").src = target;
    document.getElementById("overlay").hidden = false;
  }
}

function allPeople() {
  const extra = JSON.parse(localStorage.getItem("demo.extra") || "[]");
  return [...cast, ...extra];
}

function updateTabs() {
  document.querySelectorAll("#tabs button").forEach((tab) => {
    const pane = panes[Number(tab.dataset.tab)];
    const person = pane && pane.person;
    tab.textContent = person ? person.title.split(",")[0] : (Number(tab.dataset.tab) === 0 ? L.left : L.right);
  });
}

function showTab(index) {
  document.querySelectorAll("#tabs button").forEach((tab) => tab.setAttribute("aria-selected", String(Number(tab.dataset.tab) === index)));
  document.querySelectorAll(".pane").forEach((pane) => pane.classList.toggle("active", Number(pane.dataset.pane) === index));
}

async function loadLabels() {
  const data = await api(`/api/labels?lang=${encodeURIComponent(lang)}`);
  L = data.labels;
  document.documentElement.lang = lang;
  document.title = L.title;
  document.getElementById("title").textContent = L.title;
  document.getElementById("intro").textContent = L.intro;
  const other = lang === "id" ? "en" : "id";
  document.getElementById("lang").textContent = LANGS[other];
  document.getElementById("overlay-close").textContent = `✕ ${L.close}`;
  document.getElementById("alert-ok").textContent = L.alert_ok;
  panes.forEach((p) => p.relabel());
  updateTabs();
}

async function main() {
  await loadLabels();
  const data = await api("/api/cast");
  cast = data.people;
  dashboard = data.dashboard;
  document.querySelectorAll(".pane").forEach((root, i) => panes.push(new Pane(i, root)));
  panes.forEach((p) => p.relabel());
  const first = (role) => cast.find((p) => p.role === role);
  const left = first("farmer") || cast[0];
  const right = first("coordinator") || cast[1] || cast[0];
  if (left) panes[0].open(left.user_id);
  if (right) panes[1].open(right.user_id);
  document.querySelectorAll("#tabs button").forEach((tab) => tab.addEventListener("click", () => showTab(Number(tab.dataset.tab))));
  document.getElementById("lang").addEventListener("click", async () => {
    lang = lang === "id" ? "en" : "id";
    localStorage.setItem("demo.lang", lang);
    await loadLabels();
  });
  document.getElementById("overlay-close").addEventListener("click", () => {
    document.getElementById("overlay").hidden = true;
    document.getElementById("overlay-frame").src = "about:blank";
  });
  document.getElementById("alert-ok").addEventListener("click", () => { document.getElementById("alert").hidden = true; });
  document.body.dataset.ready = "1";
}

main().catch((e) => { document.body.dataset.error = String(e); });
