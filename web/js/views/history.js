// History: statistics, the overall score over time and per-dimension averages (Chart.js, vendored
// in web/vendor/chartjs), with the same numbers as tables for screen readers, and every session.

import { api } from "../api.js";
import { h, clear, score, formatDate, announce } from "../dom.js";
import { sessionItem } from "./home.js";

const PAGE = 10;
let chartLoading = null;

/** Chart.js as a classic script (its UMD build sets window.Chart), loaded once. */
function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLoading) {
    chartLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL("../../vendor/chartjs/chart.umd.min.js", import.meta.url).href;
      script.onload = () => resolve(window.Chart);
      script.onerror = () => {
        chartLoading = null;
        reject(new Error("The chart library could not be loaded."));
      };
      document.head.append(script);
    });
  }
  return chartLoading;
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export async function render(root) {
  const charts = [];
  root.append(h("div.page-head", h("h1", "Your progress"), h("p.lede", "Every session you finish adds a point. Look for the trend, not single scores.")));
  // The chart library loads with the data, and the charts are drawn without an entry animation
  // as soon as their canvases are on the page: no blank boxes while a script or an animation runs.
  const chartLibrary = loadChart().then(
    (Chart) => ({ Chart }),
    (error) => ({ error }),
  );
  const [stats, first, library] = await Promise.all([api("/api/users/me/stats"), api(`/api/sessions?limit=${PAGE}`), chartLibrary]);

  root.append(
    h(
      "section.grid.grid--3.stats",
      { "aria-label": "Summary" },
      stat(stats.total_interviews, "completed interviews"),
      stat(score(stats.average_score), "average score"),
      stat(score(stats.best_score), "best score"),
    ),
  );

  const trend = (stats.trend || []).filter((p) => p.overall_score !== null && p.overall_score !== undefined);
  const dims = [
    ["Relevance", stats.relevance_avg],
    ["Grammar", stats.grammar_avg],
    ["Fluency", stats.fluency_avg],
    ["Talking points", stats.keyword_avg],
  ];

  const trendCanvas = h("canvas#trend-chart", { role: "img", "aria-label": trendSummary(trend) });
  const dimCanvas = h("canvas#dimension-chart", { role: "img", "aria-label": `Average scores: ${dims.map(([n, v]) => `${n} ${score(v)}`).join(", ")}` });
  root.append(
    h(
      "div.grid.grid--2",
      { style: { marginTop: "1rem" } },
      h(
        "section.card",
        { "aria-labelledby": "trend-title" },
        h("h2#trend-title", "Overall score over time"),
        trend.length ? h("div.chart-box", trendCanvas) : h("p.empty", "Finish an interview to see your first point here."),
        trend.length
          ? h(
              "details",
              h("summary", "Show as a table"),
              h("table", h("thead", h("tr", h("th", { scope: "col" }, "Session"), h("th", { scope: "col" }, "Date"), h("th", { scope: "col" }, "Overall"))), h("tbody", trend.map((p) => h("tr", h("td", p.title), h("td", formatDate(p.completed_at)), h("td", score(p.overall_score)))))),
            )
          : null,
      ),
      h(
        "section.card",
        { "aria-labelledby": "dims-title" },
        h("h2#dims-title", "Average by dimension"),
        stats.total_interviews ? h("div.chart-box", dimCanvas) : h("p.empty", "Averages appear after your first finished interview."),
        stats.total_interviews
          ? h("details", h("summary", "Show as a table"), h("table", h("thead", h("tr", h("th", { scope: "col" }, "Dimension"), h("th", { scope: "col" }, "Average"))), h("tbody", dims.map(([n, v]) => h("tr", h("td", n), h("td", score(v)))))))
          : null,
      ),
    ),
  );

  const list = h("ul.session-list");
  const more = h("button.button", { type: "button" }, "Show more");
  const sessionsTitle = h("h2#sessions-title", { tabindex: "-1" }, `All sessions (${first.total})`);
  const sessionsCard = h("section.card", { style: { marginTop: "1rem" }, "aria-labelledby": "sessions-title" }, sessionsTitle, list, h("div.row", { style: { marginTop: ".75rem" } }, more));
  root.append(sessionsCard);
  let offset = 0;
  const addPage = (page) => {
    for (const s of page.items) list.append(sessionItem(s, { onDelete }));
    offset += page.items.length;
    more.hidden = offset >= page.total;
  };
  if (!first.items.length) list.replaceWith(h("div.empty", h("p", "No sessions yet."), h("a.button.button--primary", { href: "#/new" }, "Start your first interview")));
  addPage(first);
  let loading = false;
  more.addEventListener("click", async () => {
    // Not `disabled` while loading: a disabled button drops the keyboard focus to <body>.
    if (loading) return;
    loading = true;
    more.setAttribute("aria-disabled", "true");
    const before = offset;
    try {
      addPage(await api(`/api/sessions?limit=${PAGE}&offset=${offset}`));
      // The last page hides the button: the focus goes to the first session just shown.
      const firstNew = list.children[before] && list.children[before].querySelector("a, button");
      if (more.hidden && firstNew) firstNew.focus();
    } finally {
      loading = false;
      more.removeAttribute("aria-disabled");
    }
  });

  async function onDelete(session) {
    if (!window.confirm(`Delete “${session.title}” with its recordings and report? This cannot be undone.`)) return;
    await api(`/api/sessions/${session.id}`, { method: "DELETE" });
    const shown = offset;
    clear(list);
    offset = 0;
    const page = await api(`/api/sessions?limit=${Math.min(100, Math.max(PAGE, shown))}`);
    addPage(page);
    // The count said the old number, and the focus was on the Delete button just removed (it
    // fell to <body>): the heading takes it, with the new count, and the deletion is announced.
    sessionsTitle.textContent = `All sessions (${page.total})`;
    if (!page.total) list.append(h("li.empty", h("p", "No sessions left."), h("a.button.button--primary", { href: "#/new" }, "Start a new interview")));
    sessionsTitle.focus();
    announce(`Deleted “${session.title}”.`);
  }

  if (trend.length || stats.total_interviews) {
    try {
      if (library.error) throw library.error;
      const { Chart } = library;
      const text = cssVar("--muted");
      const grid = cssVar("--border");
      const primary = cssVar("--primary");
      Chart.defaults.font.family = cssVar("--font") || "system-ui";
      Chart.defaults.color = text;
      if (trend.length) {
        charts.push(
          new Chart(trendCanvas, {
            type: "line",
            data: {
              labels: trend.map((p) => formatDate(p.completed_at)),
              datasets: [
                {
                  label: "Overall score",
                  data: trend.map((p) => Math.round(p.overall_score)),
                  borderColor: primary,
                  backgroundColor: primary,
                  pointRadius: 4,
                  tension: 0.25,
                },
              ],
            },
            options: {
              maintainAspectRatio: false,
              animation: false,
              scales: { y: { min: 0, max: 100, grid: { color: grid } }, x: { grid: { display: false } } },
              plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => trend[items[0].dataIndex].title } } },
            },
          }),
        );
      }
      if (stats.total_interviews) {
        charts.push(
          new Chart(dimCanvas, {
            type: "bar",
            data: {
              labels: dims.map(([n]) => n),
              datasets: [{ label: "Average", data: dims.map(([, v]) => (v === null ? null : Math.round(v))), backgroundColor: [primary, "#7a6fb0", "#2b6e47", "#c08a1e"], borderRadius: 6 }],
            },
            options: {
              maintainAspectRatio: false,
              animation: false,
              scales: { y: { min: 0, max: 100, grid: { color: grid } }, x: { grid: { display: false } } },
              plugins: { legend: { display: false } },
            },
          }),
        );
      }
    } catch (error) {
      root.prepend(h("div.notice.notice--warn", error.message, " The tables below the charts have the same numbers."));
    }
  }

  return () => charts.forEach((chart) => chart.destroy());
}

function trendSummary(trend) {
  if (!trend.length) return "No finished sessions yet";
  const first = Math.round(trend[0].overall_score);
  const last = Math.round(trend[trend.length - 1].overall_score);
  return `Overall score over ${trend.length} session${trend.length === 1 ? "" : "s"}: from ${first} to ${last}`;
}

function stat(value, label) {
  return h("div.card.stat", h("span.stat__value", String(value ?? "–")), h("span.stat__label", label));
}
