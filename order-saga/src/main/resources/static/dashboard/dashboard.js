// The saga dashboard: plain JavaScript against order-saga's /sagas endpoints, polled every two seconds.
"use strict";

const PAGE_SIZE = 50;
const view = { type: "", state: "", key: "", offset: 0, detail: null };

const $ = (selector) => document.querySelector(selector);

function text(value) {
    return value === null || value === undefined ? "" : String(value);
}

function age(from, to = new Date()) {
    const seconds = Math.max(0, Math.round((to - new Date(from)) / 1000));
    if (seconds < 60) return seconds + " s";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
    return Math.floor(seconds / 86400) + " d";
}

function millis(ms) {
    return ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
}

function time(at) {
    return new Date(at).toLocaleTimeString([], { hour12: false }) + "." + String(new Date(at).getMilliseconds()).padStart(3, "0");
}

function cell(row, value, className) {
    const td = row.insertCell();
    td.textContent = text(value);
    if (className) td.className = className;
    return td;
}

async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        throw new Error(problem.detail || response.status + " " + response.statusText);
    }
    return response.json();
}

async function refreshTypes() {
    const select = $("#type-filter");
    if (select.options.length > 1) return;
    for (const type of Object.keys(await getJson("/sagas/types"))) {
        select.add(new Option(type, type));
    }
}

/** The button that filters by a state, made the first time the state is counted. */
function stateButton(state) {
    const existing = document.querySelector("#counts button[data-state='" + state + "']");
    if (existing) return existing;
    const button = document.createElement("button");
    button.dataset.state = state;
    if (state === "STUCK") button.className = "stuck";
    button.append(state.toLowerCase() + " ");
    const count = document.createElement("span");
    count.className = "count";
    count.id = "count-" + state;
    button.append(count);
    $("#counts").append(button);
    return button;
}

async function refreshCounts() {
    const counts = await getJson("/sagas/counts" + (view.type ? "?type=" + encodeURIComponent(view.type) : ""));
    let all = 0;
    for (const [state, count] of Object.entries(counts)) {
        stateButton(state).querySelector(".count").textContent = count;
        if (state !== "STUCK") all += count;
    }
    $("#count-ALL").textContent = all;
}

async function refreshList() {
    const query = new URLSearchParams({ limit: PAGE_SIZE, offset: view.offset });
    if (view.type) query.set("type", view.type);
    if (view.state) query.set("state", view.state);
    if (view.key) query.set("key", view.key);
    const sagas = await getJson("/sagas?" + query);
    const body = $("#sagas tbody");
    body.replaceChildren();
    for (const saga of sagas) {
        const row = body.insertRow();
        row.dataset.type = saga.type;
        row.dataset.key = saga.key;
        cell(row, saga.type, "type");
        cell(row, saga.key, "key");
        const state = saga.overdue || (saga.deadLetters > 0 && !["CONFIRMED", "REJECTED"].includes(saga.state))
            ? saga.state + " · stuck" : saga.state;
        cell(row, state, "state state-" + saga.state);
        cell(row, saga.step, "step");
        const detail = cell(row, saga.detail, "detail");
        if (saga.overdue) {
            detail.append(" ");
            const flag = document.createElement("span");
            flag.className = "overdue";
            flag.textContent = pastDue(saga) ? "past its deadline since " + age(saga.dueAt)
                : "resending in this step for " + age(saga.updatedAt);
            detail.append(flag);
        }
        if (saga.deadLetters > 0) {
            const flag = document.createElement("span");
            flag.className = "overdue";
            flag.textContent = " " + saga.deadLetters + " dead letter(s)";
            detail.append(flag);
        }
        cell(row, age(saga.startedAt), "age");
        cell(row, age(saga.updatedAt) + " ago", "updated");
        row.addEventListener("click", () => {
            location.hash = "#/saga/" + encodeURIComponent(saga.type) + "/" + encodeURIComponent(saga.key);
        });
    }
    $("#page").textContent = "page " + (view.offset / PAGE_SIZE + 1);
    $("#newer").disabled = view.offset === 0;
    $("#older").disabled = sagas.length < PAGE_SIZE;
}

function pastDue(saga) {
    return saga.dueAt !== null && new Date(saga.dueAt) < new Date();
}

async function refreshDetail() {
    const detail = await getJson("/sagas/" + encodeURIComponent(view.detail.type) + "/"
        + encodeURIComponent(view.detail.key));
    const saga = detail.saga;
    $("#detail-type").textContent = saga.type;
    $("#detail-key").textContent = saga.key;
    $("#detail-state").textContent = saga.state + (!saga.overdue ? ""
        : pastDue(saga) ? " · stuck: past its deadline" : " · stuck: resending in this step for " + age(saga.updatedAt));
    $("#detail-state").className = "state state-" + saga.state;
    $("#detail-step").textContent = saga.step + (saga.detail ? " (" + saga.detail + ")" : "");
    $("#detail-status").textContent = text(detail.status);
    $("#detail-reason").textContent = detail.reason || "—";
    $("#detail-total").textContent = detail.currency ? detail.totalAmount + " " + detail.currency
        + " (minor units) from account " + detail.accountId : "";
    $("#detail-started").textContent = new Date(saga.startedAt).toLocaleString() + " (" + age(saga.startedAt) + " ago)";
    $("#detail-due").textContent = saga.dueAt ? new Date(saga.dueAt).toLocaleTimeString() : "none";
    $("#dead-letters").hidden = saga.deadLetters === 0;
    view.processingGroup = detail.processingGroup;
    $("#dead-letter-count").textContent = saga.deadLetters + " event(s) of this saga wait as dead letters.";
    const body = $("#timeline tbody");
    body.replaceChildren();
    detail.timeline.forEach((entry, i) => {
        const row = body.insertRow();
        row.className = "kind-" + entry.kind;
        cell(row, time(entry.at));
        cell(row, "+" + millis(entry.millisSinceStart));
        const next = detail.timeline[i + 1];
        cell(row, next ? millis(next.millisSinceStart - entry.millisSinceStart) : "");
        cell(row, entry.kind.toLowerCase(), "kind");
        cell(row, entry.name, "name");
        cell(row, entry.detail, "detail");
    });
}

async function refreshAudit() {
    const replay = await getJson("/audit/replay");
    $("#audit").textContent = replay.replaying ? "replaying, " + replay.percent + " % (event " + replay.position
        + " of " + replay.head + ")" : replay.running ? "up to date at event " + replay.position : "stopped";
}

async function refresh() {
    try {
        await refreshTypes();
        await refreshCounts();
        await refreshAudit();
        if (view.detail) {
            await refreshDetail();
        } else {
            await refreshList();
        }
        $("#updated").textContent = new Date().toLocaleTimeString();
        $("#error").hidden = true;
    } catch (failure) {
        $("#error").textContent = "Could not refresh: " + failure.message;
        $("#error").hidden = false;
    }
}

function route() {
    const match = location.hash.match(/^#\/saga\/([^/]+)\/(.+)$/);
    view.detail = match ? { type: decodeURIComponent(match[1]), key: decodeURIComponent(match[2]) } : null;
    $("#list").hidden = view.detail !== null;
    $("#saga-detail").hidden = view.detail === null;
    refresh();
}

$("#counts").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    document.querySelectorAll("#counts button").forEach((b) => b.classList.remove("selected"));
    button.classList.add("selected");
    view.state = button.dataset.state;
    view.offset = 0;
    location.hash = "";
    route();
});
$("#type-filter").addEventListener("change", (event) => {
    view.type = event.target.value;
    view.offset = 0;
    refresh();
});
$("#key-search").addEventListener("input", (event) => {
    if (event.target.checkValidity()) {
        view.key = event.target.value.trim();
        view.offset = 0;
        refresh();
    }
});
$("#search").addEventListener("submit", (event) => event.preventDefault());
$("#newer").addEventListener("click", () => { view.offset = Math.max(0, view.offset - PAGE_SIZE); refresh(); });
$("#older").addEventListener("click", () => { view.offset += PAGE_SIZE; refresh(); });
$("#retry").addEventListener("click", async () => {
    // The browser asks for the admin's credentials when the endpoint answers 401 with a Basic challenge.
    const response = await fetch("/admin/dead-letters/" + encodeURIComponent(view.processingGroup) + "/"
        + encodeURIComponent(view.detail.key) + "/retry", { method: "POST" });
    const outcome = await response.json().catch(() => ({}));
    $("#retry-outcome").textContent = response.ok
        ? (outcome.handled ? "handled; " : "failed again; ") + outcome.remaining + " left"
        : outcome.detail || response.status + " " + response.statusText;
    refresh();
});
$("#back").addEventListener("click", (event) => { event.preventDefault(); location.hash = ""; });
window.addEventListener("hashchange", route);
setInterval(refresh, 2000);
route();
