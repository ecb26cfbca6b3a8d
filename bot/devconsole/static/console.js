// The development console: simulated WeChat users talking to certdesk through /dev/api.
"use strict";

const USERS_KEY = "certdesk-dev-users";
const state = { users: [], current: "", last: {}, chats: {} };
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const init = { ...options, headers: { "Content-Type": "application/json" } };
  if (init.body && typeof init.body !== "string") init.body = JSON.stringify(init.body);
  const response = await fetch("/dev/api/" + path, init);
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok && !data.error) data.error = "HTTP " + response.status;
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// Text from certdesk may hold <a href="...">label</a> links (WeChat renders them); nothing else
// is interpreted as HTML.
function richText(text) {
  const span = el("span");
  const link = /<a href="([^"]+)">([^<]*)<\/a>/g;
  let at = 0;
  for (const match of text.matchAll(link)) {
    span.append(text.slice(at, match.index));
    const href = match[1];
    const anchor = el("a", { href, target: "_blank", rel: "noopener" }, match[2]);
    if (href.includes("/pay/h5/")) {
      anchor.classList.add("pay-link");
      anchor.addEventListener("click", (event) => { event.preventDefault(); pay(); });
    }
    span.append(anchor);
    at = match.index + match[0].length;
  }
  span.append(text.slice(at));
  return span;
}

function bubble(item) {
  if (item.from === "user") {
    if (item.kind === "image") return el("li", { class: "user" }, el("img", { src: item.url, alt: "发送的照片" }));
    return el("li", { class: "user" }, item.text);
  }
  if (item.from === "system") return el("li", { class: "system" }, item.text);
  const via = el("span", { class: "via" }, { reply: "被动回复", custom: "客服消息", template: "模板消息" }[item.via] || item.via);
  if (item.kind === "notice") {
    const node = el("li", { class: "notice" }, via, el("span", { class: "title" }, item.title));
    for (const line of item.lines) node.append(el("div", {}, line));
    if (item.url) node.append(el("a", { href: item.url, target: "_blank", rel: "noopener" }, "详情"));
    return node;
  }
  if (item.kind === "image") {
    return el("li", { class: "bot" }, via, el("img", { src: item.url, alt: "图片消息" }),
      el("button", { type: "button", class: "scan", onclick: () => pay() }, "扫码支付"));
  }
  return el("li", { class: "bot" }, via, richText(item.text || ""));
}

function show(openid, item) {
  (state.chats[openid] ||= []).push(item);
  if (openid === state.current) {
    $("chat").append(bubble(item));
    $("chat").scrollTop = $("chat").scrollHeight;
  }
}

function renderChat() {
  const chat = $("chat");
  chat.replaceChildren(...(state.chats[state.current] || []).map(bubble));
  chat.scrollTop = chat.scrollHeight;
}

async function deliver(message, echo) {
  const openid = state.current;
  if (echo) show(openid, { from: "user", ...echo });
  const answer = await api("chat/" + openid, { method: "POST", body: message });
  if (answer.error) show(openid, { from: "system", text: "发送失败：" + answer.error });
  else if (answer.reply) show(openid, { from: "bot", ...answer.reply });
  await poll();
}

// One poll at a time: a message must not be shown twice.
let polling = Promise.resolve();
function poll() {
  polling = polling.then(pollOnce, pollOnce);
  return polling;
}

async function pollOnce() {
  for (const openid of state.users) {
    const data = await api(`chat/${openid}/messages?after=${state.last[openid] || 0}`);
    if (!data.messages) continue;
    if (data.last < (state.last[openid] || 0)) {  // the server restarted: its sandbox is new
      state.last[openid] = 0;
      continue;
    }
    for (const message of data.messages) show(openid, { from: "bot", ...message });
    state.last[openid] = Math.max(state.last[openid] || 0, ...data.messages.map((m) => m.n));
  }
}

async function pay() {
  const result = await api("pay/" + state.current, { method: "POST", body: {} });
  const line = $("pay-result");
  if (result.error && !result.out_trade_no) {
    line.textContent = result.error;
    line.className = "result error";
    show(state.current, { from: "system", text: result.error });
    return;
  }
  const yuan = (result.amount_fen / 100).toFixed(2);
  line.textContent = `已支付 ¥${yuan}（${result.out_trade_no}），/pay/notify 回应 ${result.notify_status}`;
  line.className = "result";
  show(state.current, { from: "system", text: `模拟付款人已扫码支付 ¥${yuan}` });
  setTimeout(poll, 300);
}

function addUser(openid, select = true) {
  if (!state.users.includes(openid)) {
    state.users.push(openid);
    $("user-select").append(el("option", { value: openid }, openid));
    localStorage.setItem(USERS_KEY, JSON.stringify(state.users));
  }
  if (select) {
    state.current = openid;
    $("user-select").value = openid;
    renderChat();
  }
}

async function newUser() {
  const openid = "o-dev-" + Math.random().toString(36).slice(2, 10);
  addUser(openid);
  await deliver({ kind: "subscribe" }, { kind: "text", text: "（关注公众号）" });
}

function photoFile(file) {
  const reader = new FileReader();
  reader.onload = () => {
    const data = String(reader.result).split(",", 2)[1];
    deliver({ kind: "photo", data }, { kind: "image", url: reader.result });
  };
  reader.readAsDataURL(file);
}

async function refreshOutbox() {
  const data = await api("outbox");
  if (!data.sms) return;
  $("sms-list").replaceChildren(...data.sms.slice().reverse().map((m) =>
    el("li", {}, `${m.phone}（${m.purpose}）：${m.text}`)));
  $("email-list").replaceChildren(...data.email.slice().reverse().map((m) =>
    el("li", {}, `${m.to}：${m.subject}${m.attachments.length ? "（附件 " + m.attachments.join("、") + "）" : ""}\n${m.text}`)));
  $("notice-list").replaceChildren(...data.notices.slice().reverse().map((m) =>
    el("li", {}, `${m.touser}：${m.title}\n${m.lines.join("\n")}`)));
}

let bridge = {};
let shownPrompt = null;

async function refreshBridge(data) {
  if (data && data.error) {  // a refused action: said in the chat, the state read again
    show(state.current, { from: "system", text: "证书助手：" + data.error });
    data = null;
  }
  bridge = data || await api("bridge");
  if (bridge.error) return;
  const key = bridge.key_label ? `Key ${bridge.key_label}` : "全新 Key";
  const tries = bridge.pin_tries === 0 ? "PIN 已锁定" : `PIN 剩余 ${bridge.pin_tries} 次`;
  const summary = !bridge.running ? "未启动"
    : [bridge.connected ? "已连接服务器" : "连接中",
       bridge.paired ? `已与微信配对（${bridge.paired_user}）` : (bridge.scene ? "显示配对二维码，等待扫码" : "未配对"),
       bridge.key_inserted ? `${key} 已插入（${tries}${bridge.key_certificate ? "，" + bridge.key_certificate.expiry : ""}）` : "Key 已拔出"].join(" · ");
  $("bridge-state").textContent = summary;
  $("bridge-log").replaceChildren(...(bridge.statuses || []).map((line) => el("li", {}, line)));
  $("bridge-auto-pin").checked = bridge.auto_pin !== false;
  showPrompt(bridge.prompt);
}

// The bridge window waits for the user to type: the prompt and its input box stay until answered.
function showPrompt(prompt) {
  const id = prompt ? prompt.id : null;
  if (id === shownPrompt) return;
  shownPrompt = id;
  $("bridge-prompt").hidden = !prompt;
  $("bridge-prompt-text").textContent = prompt ? prompt.text + "：" : "";
  $("bridge-prompt-input").value = "";
  if (prompt) $("bridge-prompt-input").focus();
}

async function answerPrompt(answer) {
  if (shownPrompt === null) return;
  await refreshBridge(await api("bridge/answer", { method: "POST", body: { id: shownPrompt, answer } }));
}

async function bridgeCall(path, body) {
  await refreshBridge(await api("bridge/" + path, { method: "POST", body }));
}

async function bridgeScan() {
  await refreshBridge();
  if (!bridge.scene) {
    show(state.current, { from: "system", text: "证书助手没有显示配对二维码：请先启动证书助手" });
    return;
  }
  await deliver({ kind: "scan", key: bridge.scene }, { kind: "text", text: "（扫描证书助手的二维码）" });
  setTimeout(refreshBridge, 500);
}

async function start() {
  const info = await api("info");
  $("account-name").textContent = info.service;
  for (const button of info.menu) {
    const entries = button.sub_button || [button];
    for (const entry of entries) {
      if (entry.type !== "click") continue;
      $("menu").append(el("button", {
        type: "button", class: "menu-btn", "data-key": entry.key,
        onclick: () => deliver({ kind: "click", key: entry.key }, { kind: "text", text: "【菜单】" + entry.name }),
      }, entry.name));
    }
  }
  $("samples").append("示例照片：");
  info.samples.forEach((url, i) => $("samples").append(el("img", {
    src: url, alt: "示例照片 " + (i + 1), class: "sample", "data-n": String(i + 1),
    onclick: () => deliver({ kind: "photo", sample: i + 1 }, { kind: "image", url }),
  })));
  $("staff").replaceChildren(...info.staff.map((s) =>
    el("li", {}, `${s.username}（${s.role}） 密码 ${s.password}`)));
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    deliver({ kind: "text", content: text }, { kind: "text", text });
  });
  $("photo-file").addEventListener("change", (event) => {
    if (event.target.files[0]) photoFile(event.target.files[0]);
    event.target.value = "";
  });
  $("user-select").addEventListener("change", (event) => { state.current = event.target.value; renderChat(); });
  $("new-user").addEventListener("click", newUser);
  $("pay").addEventListener("click", () => pay());
  $("bridge-start").addEventListener("click", async () => refreshBridge(await api("bridge/start", { method: "POST", body: {} })));
  $("bridge-scan").addEventListener("click", bridgeScan);
  $("bridge-remove").addEventListener("click", async () => refreshBridge(await api("bridge/key", { method: "POST", body: { inserted: false } })));
  $("bridge-insert").addEventListener("click", async () => refreshBridge(await api("bridge/key", { method: "POST", body: { inserted: true } })));
  $("bridge-personalise").addEventListener("click", () => bridgeCall("personalise",
    { openid: state.current, expires_in_days: Number($("bridge-expiry").value) }));
  $("bridge-lock").addEventListener("click", () => bridgeCall("lock", {}));
  $("bridge-auto-pin").addEventListener("change", (event) => bridgeCall("auto_pin", { enabled: event.target.checked }));
  $("bridge-prompt").addEventListener("submit", (event) => {
    event.preventDefault();
    answerPrompt($("bridge-prompt-input").value);
  });
  $("bridge-prompt-cancel").addEventListener("click", () => answerPrompt(null));
  $("add-user").addEventListener("click", () => {
    const openid = (window.prompt("模拟用户的 openid（o 开头）") || "").trim();
    if (/^o[A-Za-z0-9_-]{1,40}$/.test(openid)) addUser(openid);
  });
  setInterval(refreshBridge, 1000);
  const saved = JSON.parse(localStorage.getItem(USERS_KEY) || "[]");
  if (saved.length) {
    saved.forEach((openid) => addUser(openid, false));
    addUser(saved[0]);
  } else {
    await newUser();
  }
  setInterval(poll, 1500);
  setInterval(refreshOutbox, 2000);
  refreshOutbox();
}

document.addEventListener("DOMContentLoaded", start);
