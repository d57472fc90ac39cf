// The dashboard's browser code: plain ES2020, no build step, run as is by the browser. It reads the
// hub only through its GraphQL API (the queries come in the page's config), draws every chart with
// uPlot and writes every CSV with csv-stringify, both served from the hub's own node_modules.
/* global uPlot, csv_stringify_sync */
(() => {
  const config = JSON.parse(document.getElementById("hublot-dashboard-config").textContent);
  const LANG_KEY = "hublot-dashboard:lang";
  const API_KEY = "hublot-dashboard:api-key";
  const COLORS = ["#1b4f9c", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9", "#6a3d9a", "#444444"];

  const store = (area) => {
    try {
      const s = window[area];
      s.getItem("probe");
      return s;
    } catch {
      const memory = new Map();
      return {
        getItem: (k) => memory.get(k) ?? null,
        setItem: (k, v) => memory.set(k, v),
        removeItem: (k) => memory.delete(k),
      };
    }
  };
  const local = store("localStorage");
  // The key is kept for this tab only: closing it forgets the key.
  const session = store("sessionStorage");

  const state = {
    lang: local.getItem(LANG_KEY) === "EN" ? "EN" : "FR",
    apiKey: session.getItem(API_KEY) || "",
    renderId: 0,
  };

  /** What the page drew, for people who read numbers and for tests: chart id → uPlot instance. */
  const charts = new Map();
  window.hublotDashboard = { charts };

  // ---------------------------------------------------------------- words and numbers

  const t = (key, params = {}) => {
    const text = config.messages[state.lang][key] ?? config.messages.FR[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) =>
      params[name] === undefined ? `{${name}}` : String(params[name]),
    );
  };
  const locale = () => (state.lang === "FR" ? "fr-FR" : "en-GB");
  const formatNumber = (value) => {
    if (value === null || value === undefined || Number.isNaN(value)) return "—";
    const abs = Math.abs(value);
    const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : 2;
    return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
  };
  const formatPercent = (share) =>
    new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(share);
  const formatWhen = (iso) =>
    iso
      ? new Intl.DateTimeFormat(locale(), {
          dateStyle: "medium",
          timeStyle: "short",
          timeZone: "Europe/Paris",
        }).format(new Date(iso))
      : t("never");
  const withUnit = (value, unit, unitMult) => {
    const mult = unitMult ? ` × 10^${unitMult}` : "";
    return value === null || value === undefined ? "—" : `${formatNumber(value)} ${unit ?? ""}${mult}`.trim();
  };
  const docRef = (ref) =>
    ref.lineEnd && ref.lineEnd !== ref.line
      ? t("docLines", { doc: ref.doc, line: ref.line, lineEnd: ref.lineEnd })
      : t("docLine", { doc: ref.doc, line: ref.line });
  const obsStatusLabel = (status) => (`obs${status}` in config.messages.FR ? t(`obs${status}`) : status);
  const measureLabel = (measure) => measure.replace(/_/g, " ");
  /** Seconds since the epoch at a period's first day: uPlot's time axis. */
  const toSeconds = (isoDate) => Date.parse(`${isoDate}T00:00:00Z`) / 1000;

  // ---------------------------------------------------------------- DOM

  /** Builds an element; text always goes in as text, never as HTML. */
  const h = (tag, props, ...children) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props ?? {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  };
  const main = document.getElementById("main");
  /** Replaces the screen's content; children may be nested arrays and nulls, as with `h`. */
  const show = (...children) =>
    main.replaceChildren(
      ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false),
    );

  // ---------------------------------------------------------------- GraphQL

  class HubError extends Error {}

  async function graphql(name, variables) {
    const headers = { "content-type": "application/json", accept: "application/json" };
    if (state.apiKey) headers.authorization = `Bearer ${state.apiKey}`;
    let res;
    try {
      res = await fetch(config.graphqlUrl, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: config.queries[name], variables, operationName: null }),
      });
    } catch (error) {
      throw new HubError(t("networkError", { message: error.message }));
    }
    let body;
    try {
      body = await res.json();
    } catch {
      throw new HubError(t("error", { message: `HTTP ${res.status}` }));
    }
    if (body.errors?.length && !body.data) {
      throw new HubError(t("error", { message: body.errors.map((e) => e.message).join(" ; ") }));
    }
    // A partial answer (a field the caller may not see) is shown, with what failed.
    return { data: body.data, errors: body.errors ?? [] };
  }

  // ---------------------------------------------------------------- charts

  /** A uPlot line chart of `lines` over shared x values; registers it under `id`, sized to `host`. */
  function lineChart(id, host, { xs, periods, lines, height, compact, marks }) {
    const labelOf = new Map(xs.map((x, i) => [x, periods[i]]));
    const series = [
      { label: t("period"), value: (_u, x) => labelOf.get(x) ?? "—" },
      ...lines.map((line, i) => ({
        label: line.label,
        stroke: line.color ?? COLORS[i % COLORS.length],
        width: line.width ?? 2,
        spanGaps: false,
        points: { show: true, size: compact ? 5 : 7 },
        value: (_u, v) => formatNumber(v),
      })),
    ];
    const data = [xs, ...lines.map((line) => line.values)];
    // Revised values: a series of points only per line that has some, drawn over that line.
    for (const mark of marks ?? []) {
      series.push({
        label: mark.label,
        stroke: mark.color,
        width: 0,
        paths: () => null,
        points: { show: true, size: 13, stroke: mark.color, fill: "#ffffff", width: 3 },
        value: (_u, v) => formatNumber(v),
      });
      data.push(mark.values);
    }
    const width = Math.max(200, Math.floor(host.clientWidth || 300));
    const opts = {
      width,
      height,
      scales: { x: { time: true } },
      legend: { show: !compact },
      cursor: { points: { size: 8 } },
      series,
      axes: [
        {
          size: compact ? 28 : 40,
          space: compact ? 44 : 60,
          font: "12px system-ui, sans-serif",
          // Ticks at the periods themselves, labelled as the API writes them (2024, 2024-Q3), while they fit.
          splits: xs.length <= (compact ? 6 : 14) ? () => xs : undefined,
          values: (_u, splits) =>
            splits.map((x) => labelOf.get(x) ?? String(new Date(x * 1000).getUTCFullYear())),
        },
        {
          size: compact ? 52 : 70,
          font: "12px system-ui, sans-serif",
          values: (_u, splits) => splits.map((v) => formatNumber(v)),
        },
      ],
    };
    charts.get(id)?.destroy();
    const chart = new uPlot(opts, data, host);
    charts.set(id, chart);
    return chart;
  }

  /** Charts wait for their host to be in the page, where it has a width. */
  const pending = [];
  const drawPending = () => {
    for (const draw of pending.splice(0)) draw();
  };

  const resizer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const chart = charts.get(entry.target.dataset.chartId);
      const width = Math.floor(entry.contentRect.width);
      if (chart && width > 0 && Math.abs(chart.width - width) > 2)
        chart.setSize({ width, height: chart.height });
    }
  });

  function chartHost(id, caption) {
    const host = h("div", { class: "chart", dataset: { chartId: id }, role: "img", "aria-label": caption });
    resizer.observe(host);
    return host;
  }

  /** A table of numbers, for people who read numbers and for screen readers: every chart has one. */
  function numbersTable(caption, head, rows) {
    return h(
      "table",
      { class: "numbers" },
      h("caption", null, caption),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          head.map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        null,
        rows.map((cells) =>
          h(
            "tr",
            null,
            cells.map((c, i) => (i === 0 ? h("th", { scope: "row" }, c) : h("td", null, c))),
          ),
        ),
      ),
    );
  }

  // ---------------------------------------------------------------- frame

  function renderFrame() {
    document.documentElement.lang = state.lang.toLowerCase();
    document.title = t("title");
    document.getElementById("skip").textContent = t("skip");
    const nav = document.getElementById("nav");
    const here = (location.hash || "#/").split("?")[0];
    const link = (href, key) =>
      h(
        "a",
        {
          href,
          "aria-current": here === href || (href === "#/" && here.startsWith("#/indicator")) ? "page" : null,
        },
        t(key),
      );
    nav.replaceChildren(
      h(
        "ul",
        null,
        h("li", null, link("#/", "navOverview")),
        h("li", null, link("#/filieres", "navFilieres")),
        h("li", null, link("#/sources", "navSources")),
        h("li", null, h("a", { href: config.graphqlUrl }, t("navPlayground"))),
      ),
    );
    const tools = document.getElementById("tools");
    const keyInput = h("input", {
      id: "api-key",
      type: "password",
      autocomplete: "off",
      spellcheck: "false",
      value: state.apiKey,
      "aria-describedby": "api-key-help",
    });
    tools.replaceChildren(
      h(
        "button",
        {
          type: "button",
          id: "lang-switch",
          lang: state.lang === "FR" ? "en" : "fr",
          "aria-label": t("switchLanguageLabel"),
          onclick: () => {
            state.lang = state.lang === "FR" ? "EN" : "FR";
            local.setItem(LANG_KEY, state.lang);
            render();
          },
        },
        t("switchLanguage"),
      ),
      h(
        "details",
        { class: "api-key" },
        h("summary", null, state.apiKey ? t("apiKeyInUse") : t("apiKeyNone")),
        h(
          "form",
          {
            onsubmit: (event) => {
              event.preventDefault();
              state.apiKey = keyInput.value.trim();
              if (state.apiKey) session.setItem(API_KEY, state.apiKey);
              else session.removeItem(API_KEY);
              render();
            },
          },
          h("label", { for: "api-key" }, t("apiKey")),
          keyInput,
          h("p", { id: "api-key-help", class: "help" }, t("apiKeyHelp")),
          h("button", { type: "submit" }, t("apiKeySave")),
          h(
            "button",
            {
              type: "button",
              onclick: () => {
                state.apiKey = "";
                session.removeItem(API_KEY);
                render();
              },
            },
            t("apiKeyClear"),
          ),
        ),
      ),
    );
    document.getElementById("footer").textContent = t("footer", {
      url: new URL(config.graphqlUrl, location.href).pathname,
    });
  }

  function showError(error, retry) {
    show(
      h(
        "div",
        { class: "error", role: "alert" },
        h("p", null, error instanceof HubError ? error.message : t("error", { message: String(error) })),
        h("button", { type: "button", onclick: retry }, t("retry")),
      ),
    );
  }

  function partialErrors(errors) {
    if (!errors.length) return null;
    return h(
      "div",
      { class: "error", role: "alert" },
      h("p", null, t("error", { message: errors.map((e) => e.message).join(" ; ") })),
    );
  }

  // ---------------------------------------------------------------- overview

  /** The orientations (O1…O5) an indicator is linked to, through the agenda nodes that act on it. */
  const orientationsOf = (indicator) =>
    [
      ...new Set(indicator.agendaNodes.map((n) => n.code.split(".")[0]).filter((c) => /^O\d+$/.test(c))),
    ].sort();

  /** The series a card draws: the one `latest` read, else a headline total, else any total. */
  function cardSeries(candidates, latest) {
    const totals = candidates.filter((s) => s.observations.length > 0);
    return (
      totals.find((s) => latest && s.id === latest.series.id) ??
      totals.find((s) => s.headline) ??
      totals[0] ??
      null
    );
  }

  function freshnessOf(indicator, sources) {
    const streams = sources
      .flatMap((s) => s.streams)
      .filter((s) => s.indicatorCodes.includes(indicator.code));
    if (!streams.length) return { text: t("freshnessNone"), level: "none" };
    const successes = streams
      .map((s) => s.lastSuccessAt)
      .filter(Boolean)
      .sort();
    const newest = successes[successes.length - 1];
    if (!newest) {
      const failures = streams
        .map((s) => s.lastFailureAt)
        .filter(Boolean)
        .sort();
      const failed = failures[failures.length - 1];
      return {
        text: failed ? t("freshnessFailed", { when: formatWhen(failed) }) : t("freshnessNever"),
        level: "stale",
      };
    }
    const stale = streams.some((s) => s.stale);
    return {
      text: t(stale ? "freshnessStale" : "freshnessOk", { when: formatWhen(newest) }),
      level: stale ? "stale" : "ok",
    };
  }

  function progressBar(p, target) {
    const share = p.shareAchieved;
    const shown = Math.max(0, Math.min(1, share));
    const fill = h("div", { class: "bar-fill" });
    fill.style.width = `${(shown * 100).toFixed(2)}%`;
    return h(
      "div",
      {
        class: `bar status-${p.status.toLowerCase()}`,
        role: "progressbar",
        "aria-valuemin": 0,
        "aria-valuemax": 100,
        "aria-valuenow": Math.round(shown * 100),
        "aria-valuetext": t("shareAchieved", { share: formatPercent(share) }),
        "aria-label": t("progressLabel", { target: target?.label ?? p.targetCode }),
        dataset: { shareAchieved: String(share), targetCode: p.targetCode },
      },
      fill,
    );
  }

  function targetsBlock(indicator) {
    if (!indicator.targets.length) return h("p", { class: "muted" }, t("noTargets"));
    const byCode = new Map(indicator.targets.map((tg) => [tg.code, tg]));
    const progress = indicator.progress.length
      ? indicator.progress
      : indicator.targets.map((tg) => ({ targetCode: tg.code, status: "NO_DATA", shareAchieved: null }));
    return h(
      "ul",
      { class: "targets" },
      progress.map((p) => {
        const target = byCode.get(p.targetCode);
        return h(
          "li",
          { dataset: { targetCode: p.targetCode } },
          h(
            "p",
            { class: "target-label" },
            h("span", { class: `status status-${p.status.toLowerCase()}` }, t(p.status)),
            " ",
            // In French, the agenda's own sentence (it carries the value); in English, the paraphrase and the value.
            !target
              ? p.targetCode
              : state.lang === "FR" && target.labelFr
                ? target.labelFr
                : `${target.label} — ${target.valueText}`,
            target?.horizon
              ? h("span", { class: "muted" }, ` (${t("horizon", { horizon: target.horizon })})`)
              : null,
          ),
          p.shareAchieved === null || p.shareAchieved === undefined
            ? null
            : [
                progressBar(p, target),
                h(
                  "p",
                  { class: "muted small" },
                  `${t("shareAchieved", { share: formatPercent(p.shareAchieved) })} · `,
                  t("progressFigures", {
                    baseline: formatNumber(p.baselineValue),
                    baselinePeriod: p.baselinePeriod ?? "—",
                    latest: formatNumber(p.latestValue),
                    latestPeriod: p.latestPeriod ?? "—",
                    target: formatNumber(p.targetValue),
                  }),
                  // The starting point is the agenda's printed figure, not a measurement: say where it is printed.
                  target?.baselineValue !== null &&
                    target?.baselineValue === p.baselineValue &&
                    target.refs.length
                    ? h(
                        "span",
                        { class: "agenda-figure" },
                        t("baselineFromAgenda", { where: docRef(target.refs[0]) }),
                      )
                    : null,
                ),
              ],
        );
      }),
    );
  }

  function baselinesBlock(indicator) {
    if (!indicator.baselines.length) return h("p", { class: "muted small" }, t("noBaselines"));
    return h(
      "ul",
      { class: "baselines small" },
      indicator.baselines.map((b) =>
        h(
          "li",
          null,
          `${b.valueText}${b.period ? ` (${b.period})` : ""}`,
          b.sourceNamed ? ` — ${b.sourceNamed}` : "",
          b.refs.length ? h("span", { class: "muted" }, ` · ${b.refs.map(docRef).join(" ; ")}`) : null,
        ),
      ),
    );
  }

  function latestBlock(latest, seriesUnit, territoryName) {
    if (!latest) return h("p", { class: "latest" }, h("span", { class: "muted" }, t("noValue")));
    const ref = latest.provenance?.docRef;
    return h(
      "p",
      { class: "latest" },
      h(
        "strong",
        { class: "latest-value", dataset: { value: String(latest.value) } },
        withUnit(latest.value, latest.series?.unit ?? seriesUnit, latest.series?.unitMult),
      ),
      " ",
      h("span", { class: "period" }, latest.period),
      latest.obsStatus && latest.obsStatus !== "A"
        ? h("abbr", { class: "obs", title: obsStatusLabel(latest.obsStatus) }, ` ${latest.obsStatus}`)
        : null,
      territoryName ? h("span", { class: "muted" }, ` ${t("atTerritory", { name: territoryName })}`) : null,
      ref ? h("span", { class: "agenda-figure" }, t("fromAgenda", { doc: ref.doc, line: ref.line })) : null,
    );
  }

  function card(indicator, context, primaryOrientation) {
    const { sources, fallbackName, seriesAt } = context;
    const of = (list) => list.filter((s) => s.indicatorCode === indicator.code);
    let latest = indicator.latest;
    let series = cardSeries(of(seriesAt.metropole), latest);
    let territoryName = null;
    if (!latest && !series) {
      latest = indicator.latestFallback;
      series = cardSeries(of(seriesAt.fallback), latest);
      if (latest || series) territoryName = fallbackName;
    }
    const chartId = `card:${indicator.code}`;
    const others = orientationsOf(indicator).filter((o) => o !== primaryOrientation);
    const freshness = freshnessOf(indicator, sources);
    const figure = series
      ? (() => {
          const caption = t("chartOf", { name: `${indicator.label} — ${measureLabel(series.measure)}` });
          const host = chartHost(chartId, caption);
          const obs = series.observations;
          pending.push(() =>
            lineChart(chartId, host, {
              xs: obs.map((o) => toSeconds(o.periodStart)),
              periods: obs.map((o) => o.period),
              lines: [{ label: measureLabel(series.measure), values: obs.map((o) => o.value) }],
              height: 110,
              compact: true,
            }),
          );
          return h(
            "figure",
            { class: "spark" },
            host,
            h(
              "details",
              null,
              h("summary", null, t("seeNumbers")),
              numbersTable(
                caption,
                [t("period"), `${t("value")} (${series.unit})`, t("status")],
                obs.map((o) => [o.period, formatNumber(o.value), obsStatusLabel(o.obsStatus)]),
              ),
            ),
          );
        })()
      : null;
    return h(
      "article",
      { class: "card", id: `card-${indicator.code}`, dataset: { indicator: indicator.code } },
      h(
        "header",
        null,
        h("span", { class: "number" }, t("indicatorNumber", { number: indicator.number })),
        h("h3", null, h("a", { href: `#/indicator/${encodeURIComponent(indicator.code)}` }, indicator.label)),
        others.length
          ? h("p", { class: "muted small" }, t("alsoOrientations", { codes: others.join(", ") }))
          : null,
      ),
      h("h4", { class: "visually-hidden" }, t("latest")),
      latestBlock(latest, series?.unit ?? indicator.unit, territoryName),
      figure,
      h("h4", null, t("targets")),
      targetsBlock(indicator),
      h("h4", null, t("baselines")),
      baselinesBlock(indicator),
      h(
        "p",
        { class: `freshness freshness-${freshness.level} small` },
        h("span", { class: "label" }, `${t("freshness")}${t("colon")}`),
        freshness.text,
      ),
      h(
        "p",
        { class: "small" },
        h("a", { href: `#/indicator/${encodeURIComponent(indicator.code)}` }, t("openIndicator")),
      ),
    );
  }

  /** The agenda's state in one line of counts: values, verdicts on targets, late sources. */
  function glance(agenda, sources) {
    const withValue = agenda.filter((i) => i.latest || i.latestFallback).length;
    const verdicts = new Map();
    for (const p of agenda.flatMap((i) => i.progress))
      verdicts.set(p.status, (verdicts.get(p.status) ?? 0) + 1);
    const streams = sources.flatMap((s) => s.streams);
    const late = streams.filter((s) => s.stale).length;
    const item = (count, label, cls) =>
      h("li", { class: cls }, h("strong", { class: "count" }, String(count)), h("span", null, label));
    return h(
      "ul",
      { class: "glance", "aria-label": t("glance") },
      item(`${withValue}/${agenda.length}`, t("glanceWithValue")),
      ["ACHIEVED", "ON_TRACK", "OFF_TRACK", "PACE_UNKNOWN"].map((status) =>
        item(verdicts.get(status) ?? 0, t(`glance${status}`), `glance-${status.toLowerCase()}`),
      ),
      h(
        "li",
        { class: late ? "late" : null },
        h(
          "a",
          { href: "#/sources" },
          h("strong", { class: "count" }, `${late}/${streams.length}`),
          h("span", null, t("glanceLate")),
        ),
      ),
    );
  }

  async function renderOverview(id) {
    const { data, errors } = await graphql("overview", {
      lang: state.lang,
      fallback: config.fallbackTerritory,
    });
    if (id !== state.renderId) return;
    const agenda = data.indicators.nodes.filter((i) => i.number !== null && i.number !== undefined);
    const groups = new Map(
      data.orientations.nodes.map((o) => [o.code, { title: `${o.code} — ${o.label}`, items: [] }]),
    );
    const unlinked = { title: t("noOrientation"), items: [] };
    const context = {
      sources: data.ingestSources,
      fallbackName: data.fallbackTerritory?.name,
      seriesAt: { metropole: data.metropole.nodes, fallback: data.fallback.nodes },
    };
    for (const indicator of agenda) {
      const [first] = orientationsOf(indicator);
      (groups.get(first) ?? unlinked).items.push(indicator);
    }
    show(
      h("h1", { tabindex: -1 }, t("overviewTitle")),
      h("p", { class: "intro" }, t("overviewIntro")),
      partialErrors(errors),
      glance(agenda, data.ingestSources),
      [...groups.entries(), ["none", unlinked]]
        .filter(([, g]) => g.items.length)
        .map(([code, g]) =>
          h(
            "section",
            { class: "orientation", "aria-labelledby": `orientation-${code}` },
            h("h2", { id: `orientation-${code}` }, g.title),
            h(
              "div",
              { class: "cards" },
              g.items.map((i) => card(i, context, code)),
            ),
          ),
        ),
    );
    drawPending();
  }

  // ---------------------------------------------------------------- one indicator

  /** The table model of what the indicator page shows: one row per period, one column per territory. */
  function tableModel(seriesOfMeasure, territories) {
    const columns = territories
      .map((tr) => ({ ...tr, series: seriesOfMeasure.find((s) => s.territoryCode === tr.code) }))
      .filter((c) => c.series);
    const periods = new Map();
    for (const c of columns) {
      for (const o of c.series.observations) {
        if (!periods.has(o.period)) periods.set(o.period, o.periodStart);
      }
    }
    const rows = [...periods.entries()]
      .sort((a, b) => (a[1] === b[1] ? a[0].localeCompare(b[0]) : a[1].localeCompare(b[1])))
      .map(([period, periodStart]) => ({
        period,
        periodStart,
        cells: columns.map((c) => c.series.observations.find((o) => o.period === period) ?? null),
      }));
    return { columns, rows };
  }

  function csvOf(model, unit) {
    const header = [t("period")];
    for (const c of model.columns)
      header.push(`${c.name} (${c.code}) [${unit}]`, `${c.name} (${c.code}) ${t("status")}`);
    const records = model.rows.map((r) => {
      const record = [r.period];
      for (const o of r.cells) record.push(o ? o.value : "", o ? o.obsStatus : "");
      return record;
    });
    return csv_stringify_sync.stringify([header, ...records], {
      cast: { number: (v) => String(v) },
      record_delimiter: "unix",
    });
  }

  function provenancePanel(panel, column, row, obs) {
    const p = obs.provenance;
    const item = (label, value) =>
      value === null || value === undefined ? null : [h("dt", null, label), h("dd", null, value)];
    const heading = h(
      "h3",
      { tabindex: -1 },
      t("provenanceOf", {
        territory: column.name,
        period: row.period,
        value: withUnit(obs.value, column.series.unit, column.series.unitMult),
      }),
    );
    panel.replaceChildren(
      heading,
      h(
        "dl",
        null,
        item(t("status"), `${obs.obsStatus} — ${obsStatusLabel(obs.obsStatus)}`),
        item(
          t("dataset"),
          column.series.dataset ? `${column.series.dataset.name} (${column.series.dataset.licence})` : null,
        ),
        item(t("sourceUrl"), p.sourceUrl ? h("code", { class: "url" }, p.sourceUrl) : null),
        item(t("retrievedAt"), p.retrievedAt ? formatWhen(p.retrievedAt) : null),
        item(t("runId"), p.runId),
        item(t("rawPayloadId"), p.rawPayloadId),
        item(t("derivation"), column.series.derivation),
        item(
          t("derivedFrom"),
          p.derivedFrom?.length ? p.derivedFrom.map((d) => `#${d.seriesId} ${d.period}`).join(", ") : null,
        ),
        item(t("baselines"), p.docRef ? docRef(p.docRef) : null),
        item(t("validFrom"), formatWhen(obs.validFrom)),
        item(
          t("revisions"),
          obs.revisions.length
            ? h(
                "ul",
                null,
                obs.revisions.map((r) =>
                  h(
                    "li",
                    null,
                    t("replacedOn", {
                      value: `${formatNumber(r.value)} (${r.obsStatus})`,
                      when: formatWhen(r.validTo),
                    }),
                  ),
                ),
              )
            : t("noRevisions"),
        ),
      ),
      h("button", { type: "button", onclick: () => (panel.hidden = true) }, t("close")),
    );
    panel.hidden = false;
    heading.focus();
  }

  function seriesTable(model, unit, panel) {
    return h(
      "table",
      { class: "numbers series-table", id: "series-table" },
      h("caption", null, `${t("value")} (${unit}) — ${t("provenanceHint")}`),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, t("period")),
          model.columns.map((c) => h("th", { scope: "col", dataset: { territory: c.code } }, c.name)),
        ),
      ),
      h(
        "tbody",
        null,
        model.rows.map((row) =>
          h(
            "tr",
            { dataset: { period: row.period } },
            h("th", { scope: "row" }, row.period),
            row.cells.map((obs, i) => {
              if (!obs) return h("td", { class: "empty", dataset: { territory: model.columns[i].code } }, "");
              const revised = obs.revisions.length > 0;
              return h(
                "td",
                {
                  class: revised ? "revised" : null,
                  dataset: {
                    territory: model.columns[i].code,
                    value: obs.value === null ? "" : String(obs.value),
                    status: obs.obsStatus,
                  },
                },
                h(
                  "button",
                  {
                    type: "button",
                    class: "cell",
                    onclick: () => provenancePanel(panel, model.columns[i], row, obs),
                  },
                  formatNumber(obs.value),
                  obs.obsStatus !== "A"
                    ? h("abbr", { class: "obs", title: obsStatusLabel(obs.obsStatus) }, ` ${obs.obsStatus}`)
                    : null,
                  revised ? h("span", { class: "revised-mark", title: t("revisedMark") }, " ✎") : null,
                  revised ? h("span", { class: "visually-hidden" }, ` (${t("revised")})`) : null,
                ),
              );
            }),
          ),
        ),
      ),
    );
  }

  async function renderIndicator(id, code, params) {
    const { data, errors } = await graphql("indicator", {
      code,
      lang: state.lang,
      territories: config.comparedTerritories,
    });
    if (id !== state.renderId) return;
    const indicator = data.indicator;
    const names = new Map(
      [data.metropole, data.departement, ...data.places.nodes]
        .filter(Boolean)
        .map((tr) => [tr.code, tr.name]),
    );
    const territories = config.comparedTerritories.map((c) => ({ code: c, name: names.get(c) ?? c }));
    const all = data.seriesList.nodes;
    const measures = [...new Set(all.map((s) => s.measure))].sort((a, b) => {
      const ha = all.some((s) => s.measure === a && s.headline) ? 0 : 1;
      const hb = all.some((s) => s.measure === b && s.headline) ? 0 : 1;
      return ha - hb || a.localeCompare(b);
    });
    const measure = measures.includes(params.get("measure")) ? params.get("measure") : measures[0];
    const ofMeasure = all.filter((s) => s.measure === measure);
    const model = tableModel(ofMeasure, territories);
    const unit = ofMeasure[0]?.unit ?? indicator.unit;
    const panel = h("section", {
      class: "provenance",
      id: "provenance",
      "aria-label": t("provenance"),
      hidden: true,
    });

    const head = [
      h("p", null, h("a", { href: "#/" }, t("back"))),
      h("p", { class: "number" }, t("indicatorNumber", { number: indicator.number ?? "—" })),
      h("h1", { tabindex: -1 }, indicator.label),
      partialErrors(errors),
      indicator.description ? h("p", { class: "intro" }, indicator.description) : null,
      h(
        "p",
        { class: "small muted" },
        [
          indicator.provider ? `${t("provider")}${t("colon")}${indicator.provider.name}` : null,
          indicator.sourcesNamed.length
            ? `${t("sourcesNamed")}${t("colon")}${indicator.sourcesNamed.join(", ")}`
            : null,
          indicator.refs.length ? indicator.refs.map(docRef).join(" ; ") : null,
        ]
          .filter(Boolean)
          .join(" · "),
      ),
    ];
    const context = h(
      "div",
      { class: "columns" },
      h("section", null, h("h2", null, t("targets")), targetsBlock(indicator)),
      h("section", null, h("h2", null, t("baselines")), baselinesBlock(indicator)),
    );

    if (!model.columns.length) {
      show(head, h("p", { class: "notice" }, t("noSeries")), context);
      return;
    }
    const chartId = `indicator:${code}:${measure}`;
    const caption = t("indicatorSeriesTitle", { measure: measureLabel(measure) });
    const host = chartHost(chartId, caption);
    const missing = territories.filter((tr) => !model.columns.some((c) => c.code === tr.code));
    const csv = csvOf(model, unit);
    const download = h(
      "a",
      {
        class: "button",
        id: "download-csv",
        download: `hublot-${code}-${measure}.csv`,
        href: URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" })),
      },
      t("downloadCsv"),
    );
    const picker =
      measures.length > 1
        ? h(
            "p",
            null,
            h("label", { for: "measure" }, `${t("measure")} `),
            h(
              "select",
              {
                id: "measure",
                onchange: (e) => {
                  location.hash = `#/indicator/${encodeURIComponent(code)}?measure=${encodeURIComponent(e.target.value)}`;
                },
              },
              measures.map((m) =>
                h(
                  "option",
                  { value: m, selected: m === measure },
                  all.some((s) => s.measure === m && s.headline)
                    ? `${measureLabel(m)} (${t("headline")})`
                    : measureLabel(m),
                ),
              ),
            ),
          )
        : null;
    const hasRevisions = model.rows.some((r) => r.cells.some((o) => o?.revisions.length));
    show(
      head,
      h(
        "section",
        { class: "series", "aria-labelledby": "series-title" },
        h("h2", { id: "series-title" }, caption),
        picker,
        h("figure", { class: "wide" }, host),
        missing.length
          ? h(
              "p",
              { class: "muted small" },
              t("missingTerritories", { names: missing.map((m) => m.name).join(", ") }),
            )
          : null,
        h("p", { class: "muted small" }, t("statusLegend"), hasRevisions ? ` ${t("revisionsLegend")}` : ""),
        h("div", { class: "table-scroll" }, seriesTable(model, unit, panel)),
        panel,
        h("p", null, download),
      ),
      context,
    );
    lineChart(chartId, host, {
      xs: model.rows.map((r) => toSeconds(r.periodStart)),
      periods: model.rows.map((r) => r.period),
      lines: model.columns.map((c, i) => ({
        label: c.name,
        color: COLORS[config.comparedTerritories.indexOf(c.code) % COLORS.length],
        values: model.rows.map((r) => r.cells[i]?.value ?? null),
        width: i === 0 && c.code === config.comparedTerritories[0] ? 3 : 2,
      })),
      height: 320,
      marks: model.columns
        .map((c, i) => ({
          label: `✎ ${c.name} (${t("revised")})`,
          color: COLORS[config.comparedTerritories.indexOf(c.code) % COLORS.length],
          values: model.rows.map((r) => (r.cells[i]?.revisions.length ? r.cells[i].value : null)),
        }))
        .filter((m) => m.values.some((v) => v !== null)),
    });
  }

  // ---------------------------------------------------------------- filières

  async function renderFilieres(id) {
    const { data, errors } = await graphql("filieres", { lang: state.lang });
    if (id !== state.renderId) return;
    const filieres = data.filieres.nodes;
    const jobs = filieres
      .map((f) => ({ filiere: f, series: f.jobs.find((s) => s.measure === config.jobsMeasure) }))
      .filter((j) => j.series?.observations.length);
    const starts = new Map();
    for (const j of jobs) for (const o of j.series.observations) starts.set(o.period, o.periodStart);
    const periods = [...starts.entries()].sort((a, b) => a[1].localeCompare(b[1]));
    const valueAt = (j, period) => j.series.observations.find((o) => o.period === period)?.value ?? null;
    const chartId = "filieres:jobs";
    const caption = t("jobsByFiliere");
    const host = jobs.length ? chartHost(chartId, caption) : null;
    show(
      h("h1", { tabindex: -1 }, t("filieresTitle")),
      h("p", { class: "intro" }, t("filieresIntro")),
      partialErrors(errors),
      h(
        "section",
        { "aria-labelledby": "jobs-title" },
        h("h2", { id: "jobs-title" }, caption),
        jobs.length
          ? [
              h("figure", { class: "wide" }, host),
              h(
                "div",
                { class: "table-scroll" },
                numbersTable(
                  caption,
                  [t("period"), ...jobs.map((j) => j.filiere.label)],
                  periods.map(([p]) => [p, ...jobs.map((j) => formatNumber(valueAt(j, p)))]),
                ),
              ),
            ]
          : h("p", { class: "notice" }, t("noJobs")),
      ),
      filieres.map((f) =>
        h(
          "section",
          { class: "filiere", id: `filiere-${f.code}`, "aria-labelledby": `filiere-title-${f.code}` },
          h("h2", { id: `filiere-title-${f.code}` }, `${f.code} — ${f.label}`),
          f.description ? h("p", { class: "small" }, f.description) : null,
          h(
            "details",
            null,
            h("summary", null, `${t("sites")} (${f.sites.length})`),
            f.sites.length
              ? h(
                  "div",
                  { class: "table-scroll" },
                  numbersTable(
                    `${t("sites")} — ${f.label}`,
                    [t("site"), t("kind"), t("commune"), t("partners")],
                    f.sites.map((s) => [
                      s.name,
                      s.kindLabel,
                      s.commune?.name ?? "—",
                      s.partners.map((p) => p.name).join(", ") || "—",
                    ]),
                  ),
                )
              : h("p", { class: "muted" }, t("noSites")),
          ),
          h(
            "details",
            null,
            h("summary", null, `${t("partners")} (${f.partners.length})`),
            f.partners.length
              ? h(
                  "ul",
                  { class: "partners" },
                  f.partners.map((p) => h("li", null, p.name, h("span", { class: "muted" }, ` (${p.kind})`))),
                )
              : h("p", { class: "muted" }, t("noPartners")),
          ),
        ),
      ),
    );
    if (host) {
      lineChart(chartId, host, {
        xs: periods.map(([, start]) => toSeconds(start)),
        periods: periods.map(([p]) => p),
        lines: jobs.map((j) => ({ label: j.filiere.label, values: periods.map(([p]) => valueAt(j, p)) })),
        height: 300,
      });
    }
  }

  // ---------------------------------------------------------------- sources

  async function renderSources(id) {
    const { data, errors } = await graphql("sources", {});
    if (id !== state.renderId) return;
    show(
      h("h1", { tabindex: -1 }, t("sourcesTitle")),
      h("p", { class: "intro" }, t("sourcesIntro")),
      partialErrors(errors),
      data.ingestSources.map((source) =>
        h(
          "section",
          { class: "source", id: `source-${source.id}`, "aria-labelledby": `source-title-${source.id}` },
          h("h2", { id: `source-title-${source.id}` }, source.title),
          source.partner ? h("p", { class: "muted small" }, source.partner.name) : null,
          h(
            "div",
            { class: "table-scroll" },
            h(
              "table",
              { class: "numbers streams" },
              h("caption", { class: "visually-hidden" }, source.title),
              h(
                "thead",
                null,
                h(
                  "tr",
                  null,
                  [
                    t("stream"),
                    t("status"),
                    t("lastSuccess"),
                    t("lastFailure"),
                    t("why"),
                    t("nextRun"),
                    t("feeds"),
                  ].map((c) => h("th", { scope: "col" }, c)),
                ),
              ),
              h(
                "tbody",
                null,
                source.streams.map((s) =>
                  h(
                    "tr",
                    { dataset: { stream: s.id }, class: s.stale ? "stale" : null },
                    h(
                      "th",
                      { scope: "row" },
                      h("code", null, s.id),
                      h("div", { class: "small muted" }, s.description),
                    ),
                    h(
                      "td",
                      null,
                      h(
                        "span",
                        { class: `status ${s.stale ? "status-off_track" : "status-achieved"}` },
                        t(s.stale ? "stale" : "fresh"),
                      ),
                    ),
                    h("td", null, formatWhen(s.lastSuccessAt)),
                    h("td", null, s.lastFailureAt ? formatWhen(s.lastFailureAt) : "—"),
                    h("td", { class: "why" }, s.lastError ?? "—"),
                    h("td", null, h("code", null, s.schedule)),
                    h("td", { class: "small" }, s.indicatorCodes.join(", ")),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  // ---------------------------------------------------------------- routing

  async function render() {
    const id = ++state.renderId;
    for (const chart of charts.values()) chart.destroy();
    charts.clear();
    renderFrame();
    const [path, query] = (location.hash.replace(/^#/, "") || "/").split("?");
    const params = new URLSearchParams(query ?? "");
    show(h("p", { class: "loading", role: "status" }, t("loading")));
    main.setAttribute("aria-busy", "true");
    try {
      const indicatorCode = /^\/indicator\/([^/]+)$/.exec(path)?.[1];
      if (indicatorCode) await renderIndicator(id, decodeURIComponent(indicatorCode), params);
      else if (path === "/filieres") await renderFilieres(id);
      else if (path === "/sources") await renderSources(id);
      else await renderOverview(id);
    } catch (error) {
      if (id === state.renderId) showError(error, render);
      console.warn(error);
    } finally {
      if (id === state.renderId) {
        main.removeAttribute("aria-busy");
        // Which render of which page load finished: tests wait for it to change.
        document.body.dataset.ready = `${Math.round(performance.timeOrigin)}-${id}`;
        // Keyboard and screen-reader users land on the new screen's title.
        if (state.focusOnRender) main.querySelector("h1")?.focus();
      }
    }
  }

  window.addEventListener("hashchange", () => {
    state.focusOnRender = true;
    render();
  });
  render();
})();
