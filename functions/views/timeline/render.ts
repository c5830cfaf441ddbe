/**
 * The timeline page's render step: the view model (model.ts) into markup with the
 * auto-escaping `html` template. Every value from the model is escaped; only the stylesheet
 * (styles.ts) and the fixed SVG definitions go in as `raw`. No decisions here: what to say
 * and where to draw it is the model's.
 */
import { html, raw, type SafeHtml } from '../html.ts';
import { renderDocument } from '../page-chrome.ts';
import type {
  BarKind,
  GroupsModel,
  HeaderModel,
  LegendModel,
  OverviewModel,
  PanelModel,
  ReasonLabel,
  ReasonsModel,
  TimelinePageModel,
  WavePanelModel,
  WaveRowModel,
} from './model.ts';
import { TIMELINE_CSS } from './styles.ts';

const barClass = (kind: BarKind): string => `bar bar-${kind}`;

const ARROW_DEFS = raw(
  '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#475569"/></marker></defs>',
);

function renderHeader(h: HeaderModel): SafeHtml {
  const meta = h.meta.map((m) =>
    m.name
      ? html`<span>${m.name} <b>${m.value}</b>${'after' in m && m.after ? html` ${m.after}` : ''}</span>`
      : html`<span>${m.value}</span>`,
  );
  const lines = h.push.lines.map((line, i) => (i === 0 ? html`${line}` : html`<br>${line}`));
  const push = html`<div class="push"><div class="k">${h.push.title}</div><div class="v">${h.push.when}</div>${
    h.push.lines.length ? html`<div class="s">${lines}</div>` : ''
  }</div>`;
  const stats = h.stats.map(
    (st) =>
      html`<div class="stat${st.over ? ' over' : ''}"><div class="k">${st.name}</div><div class="v">${st.value}</div>${
        st.note || st.meter
          ? html`<div class="s">${st.note}${
              st.meter ? html`<div class="bar-track"><span style="width:${st.meter}"></span></div>` : ''
            }</div>`
          : ''
      }</div>`,
  );
  const warnings = h.warnings.length
    ? html`<section class="warnings" role="alert"><h2>${h.warningsTitle}</h2><ul>${h.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>`
    : '';
  return html`<header><h1>${h.title}</h1><div class="meta">${meta}</div></header>
<div class="top">${push}<div class="stats">${stats}</div></div>
${warnings}`;
}

function renderLegend(lg: LegendModel): SafeHtml {
  return html`<div class="legend"><span><span class="swatch email"></span>${lg.email}</span><span><span class="swatch sms"></span>${lg.sms}</span><span><span class="swatch midnight"></span>${lg.midnight}</span><span><span class="swatch quiet"></span>${lg.quiet}</span><span><span class="swatch planned"></span>${lg.planned}</span><span>${lg.lead}</span></div>`;
}

function renderOverview(chart: OverviewModel | { empty: string }): SafeHtml {
  if ('empty' in chart) return html`<p class="empty">${chart.empty}</p>`;
  const c = chart;
  const rowBgs = c.rows.map(
    (r) => html`<rect class="row-bg" x="0" y="${r.y}" width="${c.width}" height="${r.h}" fill="${r.fill}"/>`,
  );
  const quiet = c.quietBands.map(
    (b) =>
      html`<rect class="quiet-band" data-night="${b.night}" x="${b.x}" y="${c.plotTop}" width="${b.w}" height="${c.plotH}"><title>${b.title}</title></rect>`,
  );
  const days = c.days.map((d) => {
    const line = html`<line class="day-grid" x1="${d.x}" y1="${c.plotTopGrid}" x2="${d.x}" y2="${c.plotBottom}" stroke="${d.monthStart ? '#94a3b8' : '#e2e8f0'}" stroke-width="1"/>`;
    const l = d.label;
    if (!l) return line;
    const cls = l.d11 ? 'day-label d11' : 'day-label';
    return html`${line}<text class="${cls}" x="${l.x}" y="36" text-anchor="middle">${l.text}</text>${
      l.weekday !== undefined
        ? html`<text class="${cls} wd" x="${l.x}" y="50" text-anchor="middle">${l.weekday}</text>`
        : ''
    }`;
  });
  const gutters = c.rows.map(
    (r) =>
      html`<line x1="0" y1="${r.separatorY}" x2="${c.width}" y2="${r.separatorY}" stroke="#e2e8f0" stroke-width="1"/><text class="wave-id${r.midnight ? ' mid' : ''}" x="8" y="${r.labelY}">${r.idLabel}<title>${r.waveId}</title></text>${
        r.sub ? html`<text class="wave-sub" x="8" y="${r.sub.y}">${r.sub.text}</text>` : ''
      }${r.lanes.map(
        (lane) =>
          html`<text class="lane-label" x="${c.gutterX}" y="${lane.y}" text-anchor="end"><tspan class="ch-${lane.channel}">${lane.channelName}</tspan> ${lane.count}</text>`,
      )}`,
  );
  const planned = c.planned
    ? html`<line class="planned-line" x1="${c.planned.x}" y1="16" x2="${c.planned.x}" y2="${c.plotBottom}" stroke="#64748b" stroke-width="1" stroke-dasharray="3 3"/><text class="marker-label planned" x="${c.planned.label.x}" y="13" text-anchor="${c.planned.label.anchor}">${c.planned.label.text}</text>`
    : '';
  const leads = c.leads.map(
    (l) =>
      html`<path class="lead" d="${l.d}" fill="none" stroke="#475569" stroke-width="1.2" marker-end="url(#arrow)"/><g class="lead-label"><rect x="${l.rect.x}" y="${l.rect.y}" width="${l.rect.w}" height="16" rx="8" fill="#ffffff" stroke="#94a3b8" stroke-width="0.8"/><text x="${l.text.x}" y="${l.text.y}" text-anchor="middle">${l.text.value}</text><title>${l.title}</title></g>`,
  );
  const bars = c.rows.map(
    (r) =>
      html`${r.starts.map(
        (s) => html`<text class="start-label" x="${s.x}" y="${s.y}" text-anchor="end">${s.text}</text>`,
      )}${r.bars.map(
        (b) =>
          html`<rect class="${barClass(b.kind)}" data-send="${b.sendId}" x="${b.x}" y="${b.y}" width="${b.w}" height="${c.laneH}" rx="1.5"><title>${b.title}</title></rect>`,
      )}`,
  );
  const m = c.midnight;
  const midnight = m
    ? html`<line class="midnight-line" x1="${m.x}" y1="18" x2="${m.x}" y2="${c.plotBottom}" stroke="#c2185b" stroke-width="2.5"/><path class="midnight-marker" d="${m.markerD}" fill="#c2185b"/><text class="marker-label midnight" x="${m.label.x}" y="13" text-anchor="${m.label.anchor}">${m.label.text}</text>`
    : '';
  return html`<svg class="chart overview" viewBox="0 0 ${c.width} ${c.height}" width="${c.width}" height="${c.height}" role="img" aria-label="${c.aria}">${ARROW_DEFS}${rowBgs}${quiet}${days}${gutters}${planned}${leads}${bars}${midnight}</svg>`;
}

function renderGroups(g: GroupsModel | undefined): SafeHtml | '' {
  if (!g) return '';
  const segs = g.segments.map(
    (s) => html`<span class="seg" style="width:${s.width};background:${s.colour}" title="${s.title}"></span>`,
  );
  const legend = g.legend.map(
    (l) =>
      html`<span class="lg" title="${l.code}"><span class="dot" style="background:${l.colour}"></span>${l.name} ${l.count} <span class="muted">${l.share}</span></span>`,
  );
  const sub = g.subGroups
    ? html`<div class="groups-title sub">${g.subGroups.title}</div>${g.subGroups.rows.map(
        (row) =>
          html`<div class="sub-groups"><div class="sg-name" title="${row.group}">${row.name} ${row.count}</div><div class="legend-row">${row.parts.map(
            (p) =>
              html`<span class="lg" title="${p.code}">${p.name} ${p.count} <span class="muted">${p.share}</span></span>`,
          )}</div></div>`,
      )}`
    : '';
  return html`<div class="groups"><div class="groups-title">${g.title}</div><div class="stack-bar">${segs}</div><div class="legend-row">${legend}</div>${sub}</div>`;
}

function renderPanelChart(chart: PanelModel | { empty: string }): SafeHtml {
  if ('empty' in chart) return html`<p class="empty">${chart.empty}</p>`;
  const c = chart;
  const backgrounds = c.segments.map(
    (s) =>
      html`<rect x="${s.x}" y="${c.plotTop}" width="${s.w}" height="${c.plotH}" fill="#ffffff" stroke="#cbd5e1" stroke-width="1"/>${s.quietBands.map(
        (b) =>
          html`<rect class="quiet-band-zoom" data-night="${b.night}" x="${b.x}" y="${c.plotTop}" width="${b.w}" height="${c.plotH}"><title>${b.title}</title></rect>`,
      )}`,
  );
  const axes = c.segments.map(
    (s) =>
      html`${s.ticks.map(
        (t) =>
          html`<line x1="${t.x}" y1="${c.plotTopGrid}" x2="${t.x}" y2="${c.plotBottom}" stroke="${t.dayStart ? '#94a3b8' : '#e2e8f0'}" stroke-width="1"/>${
            t.label
              ? html`<text class="hour-label" x="${t.x}" y="${c.hourLabelY}" text-anchor="${t.label.anchor}">${t.label.text}</text>`
              : ''
          }`,
      )}${s.dates.map((d) => html`<text class="date-label" x="${d.x}" y="12">${d.text}</text>`)}`,
  );
  const breaks = c.breaks.map(
    (b) =>
      html`<g class="axis-break"><path d="${b.d}" stroke="#64748b" stroke-width="1.5" fill="none"/><text x="${b.x}" y="${b.y}" text-anchor="middle">${b.text}</text><title>${b.title}</title></g>`,
  );
  const quietLabels = c.quietLabels.map(
    (q) => html`<text class="quiet-label" x="${q.x}" y="${q.y}" text-anchor="middle">${q.text}</text>`,
  );
  const lanes = c.lanes.map(
    (l) =>
      html`<text class="lane-label" x="${l.x}" y="${l.y}" text-anchor="end"><tspan class="ch-${l.channel}">${l.channelName}</tspan> ${l.count}</text><text class="lane-sub" x="${l.x}" y="${l.subY}" text-anchor="end">${l.sub}</text>`,
  );
  const bars = c.bars.map(
    (b) =>
      html`<g class="send" data-send="${b.sendId}"><rect class="${barClass(b.kind)}" x="${b.x}" y="${b.y}" width="${b.w}" height="${c.laneH}" rx="2"/>${
        b.label
          ? html`<text class="bar-label${b.label.dark ? ' dark' : ''}" x="${b.label.x}" y="${b.label.y}" text-anchor="middle">${b.label.text}</text>`
          : ''
      }<title>${b.title}</title></g>`,
  );
  const m = c.midnight;
  const midnight = m
    ? html`<line class="midnight-line" x1="${m.x}" y1="${m.y1}" x2="${m.x}" y2="${m.y2}" stroke="#c2185b" stroke-width="2.5"/><text class="marker-label midnight" x="${m.label.x}" y="${m.label.y}" text-anchor="${m.label.anchor}">${m.label.text}</text>`
    : '';
  return html`<svg class="chart panel" viewBox="0 0 ${c.width} ${c.height}" width="${c.width}" height="${c.height}" role="img" aria-label="${c.aria}">${backgrounds}${axes}${breaks}${quietLabels}${lanes}${bars}${midnight}</svg>`;
}

const dash = html`<span class="muted">—</span>`;

function renderSendDetails(sends: WavePanelModel['sends']): SafeHtml | '' {
  if (!sends) return '';
  const h = sends.head;
  const rows = sends.rows.map(
    (r) =>
      html`<tr data-send-row="${r.sendId}"><td data-label="${h.group}"><b>${r.group}</b></td><td data-label="${h.channel}"><span class="swatch ${r.kind}"></span>${r.channelName}</td><td data-label="${h.when}" class="when">${r.when}${
        r.notes ? html`<div class="sub">${r.notes}</div>` : ''
      }</td><td data-label="${h.customers}" class="num">${r.customers}</td><td data-label="${h.duration}" class="num">${r.duration}</td><td data-label="${h.parts}" class="num">${r.parts ?? dash}</td></tr>`,
  );
  return html`<details class="send-details"><summary>${sends.summary}</summary><table class="sends stack"><thead><tr><th>${h.group}</th><th>${h.channel}</th><th>${h.when}</th><th class="num">${h.customers}</th><th class="num">${h.duration}</th><th class="num">${h.parts}</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

function renderPanels(waves: WavePanelModel[]): SafeHtml[] {
  return waves.map((w) => {
    const badges = html`${w.badges.midnight ? html`<span class="badge midnight">${w.badges.midnight}</span>` : ''}${
      w.badges.stop ? html`<span class="badge stop">${w.badges.stop}</span>` : ''
    }`;
    const facts = w.facts.map((f) =>
      f.kind
        ? html`<span class="fact"><span class="swatch ${f.kind}"></span>${f.text}</span>`
        : html`<span class="fact">${f.text}</span>`,
    );
    const audience = w.audience
      ? html`<div class="audience">${w.audience.title}: ${w.audience.groups.map(
          (g, i) => html`${i > 0 ? '、' : ''}<span class="group" title="${g.code}">${g.name}</span>`,
        )}</div>`
      : '';
    return html`<section class="panel-card${w.midnight ? ' is-midnight' : ''}"><div class="panel-head"><h3>${w.id}</h3>${badges}<div class="facts">${facts}</div></div>${audience}<div class="chart-scroll">${renderPanelChart(w.chart)}</div>${renderSendDetails(w.sends)}</section>`;
  });
}

/** A reason code with its few words, the code itself kept small for whoever asks support. */
function renderReason(r: ReasonLabel): SafeHtml {
  return r.short !== undefined
    ? html`<span class="why-short">${r.short}</span> <code class="code">${r.code}</code>`
    : html`<code>${r.code}</code>`;
}

function renderWaveTable(t: TimelinePageModel['waveTable']): SafeHtml {
  const h = t.head;
  const row = (r: WaveRowModel): SafeHtml => {
    const dropped = r.dropped.length
      ? r.dropped.map((d, i) => html`${i > 0 ? ' ' : ''}<span class="chip">${renderReason(d.reason)} ${d.count}</span>`)
      : html`<span class="muted">${t.none}</span>`;
    return html`<tr${r.midnight ? raw(' class="is-midnight"') : ''}><th scope="row">${r.id}${
      r.midnight ? raw(' <span class="badge midnight small">00:00</span>') : ''
    }${r.stop ? html` <span class="badge stop small">${r.stop}</span>` : ''}</th><td data-label="${h.sms}" class="when">${r.sms || '—'}</td><td data-label="${h.email}" class="when">${r.email || dash}</td><td data-label="${h.audience}" class="num">${r.audience}</td><td data-label="${h.plannedSms}" class="num">${r.plannedSms}${r.careSms ? html`<span class="care-note">${r.careSms}</span>` : ''}</td><td data-label="${h.plannedEmail}" class="num">${r.plannedEmail ?? dash}</td><td data-label="${h.dropped}" class="dropped">${dropped}</td></tr>`;
  };
  return html`<div class="table-wrap"><table class="waves stack"><thead><tr><th>${h.wave}</th><th>${h.sms}</th><th>${h.email}</th><th class="num">${h.audience}</th><th class="num">${h.plannedSms}</th><th class="num">${h.plannedEmail}</th><th>${h.dropped}</th></tr></thead><tbody>${t.rows.map(row)}</tbody></table></div>`;
}

function renderReasons(r: ReasonsModel): SafeHtml {
  if (r.rows.length === 0) return html`<p class="muted">${r.none}</p>`;
  const h = r.head;
  const rows = r.rows.map(
    (row) =>
      html`<tr><td data-label="${h.reason}">${renderReason(row.reason)}</td><td data-label="${h.touches}" class="num">${row.count}</td><td class="meter"><span style="width:${row.meter}"></span></td><td data-label="${h.meaning}">${
        row.meaning ?? html`<span class="muted">${r.noDescription}</span>`
      }</td></tr>`,
  );
  return html`<table class="reasons stack"><thead><tr><th>${h.reason}</th><th class="num">${h.touches}</th><th></th><th>${h.meaning}</th></tr></thead><tbody>${rows}</tbody><tfoot><tr><td>${r.total.label}</td><td class="num">${r.total.count}</td><td class="meter"></td><td class="muted">${r.total.note}</td></tr></tfoot></table>`;
}

/** The page body: header, overview, per-wave panels, the waves table, the reasons, the footer. */
export function renderTimelineBody(model: TimelinePageModel): SafeHtml {
  const o = model.overview;
  const p = model.panels;
  return html`${renderHeader(model.header)}
<section class="card"><h2>${o.title}</h2>${renderLegend(o.legend)}<div class="swipe">${o.swipe}</div><div class="chart-scroll">${renderOverview(o.chart)}</div>${renderGroups(o.groups)}</section>
<section class="card"><h2>${p.title}</h2><div class="note">${p.note}</div><div class="swipe">${p.swipe}</div>${renderPanels(p.waves)}</section>
<section class="card"><h2>${model.waveTable.title}</h2>${renderWaveTable(model.waveTable)}</section>
<section class="card"><h2>${model.reasons.title}</h2>${renderReasons(model.reasons)}</section>
<footer>${model.footer}</footer>`;
}

export function renderTimelineModel(model: TimelinePageModel): string {
  return renderDocument(model.chrome, TIMELINE_CSS, renderTimelineBody(model));
}
