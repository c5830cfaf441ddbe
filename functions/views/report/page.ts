/**
 * report.html rendered from its model (model.ts) with the auto-escaping template: every value
 * from the report (wave ids, group labels, reason codes, customer ids) is escaped by `html`;
 * only the page's own CSS goes in through `raw`. Self-contained, no scripts.
 *
 * Layout: header with headline numbers (outcomes, then money when orders were attributed),
 * what each wave added against its control group, a 100%-stacked outcome bar per wave and
 * channel, a revenue bar chart with ROI when orders exist, the per-wave-and-channel table,
 * results by member tier and by customer group, the unknown outcomes to check with the
 * provider, every reason code in plain words, and the newest entries of the audit trail.
 * On a phone every table and chart scrolls inside its own box, never the page.
 */
import { html, raw, type SafeHtml } from '../html.ts';
import { SHELL_CSS } from '../page-shell.ts';
import type {
  AuditModel,
  CellModel,
  EstimateCell,
  GroupRowModel,
  GroupsModel,
  HeroModel,
  IncrementalModel,
  IncrementRowModel,
  IntervalModel,
  OutcomeBarModel,
  OutcomeChartModel,
  ReasonsModel,
  ReportModel,
  RevenueCardModel,
  RevenueChartModel,
  StatModel,
  TableModel,
  TiersModel,
  TriggersModel,
  UnknownModel,
} from './model.ts';
import { REPORT_CSS } from './style.ts';

export function renderReport(model: ReportModel): string {
  const other = model.other;
  return html`<!doctype html>
<html lang="${model.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${model.title}</title>
<style>${raw(SHELL_CSS)}${raw(REPORT_CSS)}</style>
</head>
<body>
<main>
${other ? html`<nav class="lang-switch"><a href="${other.href}" hreflang="${other.htmlLang}" lang="${other.htmlLang}">${other.label}</a></nav>\n` : ''}${body(model)}
</main>
</body>
</html>
`.toString();
}

function body(model: ReportModel): SafeHtml {
  const m = model.meta;
  return html`<header><h1>${model.title}</h1><div class="meta"><span>${m.asOfLabel} <b>${m.asOf.text}${m.asOf.offset ? html` <span class="muted">(${m.asOf.offset})</span>` : ''}</b></span><span>${m.timeZoneLabel} <b>${m.timeZone}</b></span><span>${m.wavesRows}</span>${m.money ? html`<span>${m.money}</span>` : ''}</div></header>
<div class="top">${hero(model.hero)}<div class="stats wide">${model.outcomeStats.map(stat)}</div></div>
${model.moneyStats.length ? html`<div class="top"><div class="stats">${model.moneyStats.map(stat)}</div></div>` : ''}
${model.running ? html`<div class="running">${model.running}</div>` : ''}
${model.incremental ? incremental(model.incremental) : ''}
${outcomesCard(model)}
${model.revenue ? revenueCard(model.revenue) : ''}
${table(model.table)}
${model.tiers ? tiers(model.tiers) : ''}
${model.triggers ? triggers(model.triggers) : ''}
${model.groups ? groups(model.groups) : ''}
${unknown(model.unknown)}
${reasons(model.reasons)}
${model.audit ? audit(model.audit) : ''}
<footer>${model.footer}</footer>`;
}

function stat(s: StatModel): SafeHtml {
  const sub = s.sub === undefined ? '' : s.subHref ? html`<a href="${s.subHref}">${s.sub}</a>` : s.sub;
  return html`<div class="stat ${s.cls}"><div class="k">${s.key}</div><div class="v">${s.value}</div>${s.sub !== undefined ? html`<div class="s">${sub}</div>` : ''}</div>`;
}

function interval(i: IntervalModel): SafeHtml {
  return i.kind === 'interval' ? i.text : html`<span class="muted">${i.text}</span>`;
}

function hero(h: HeroModel): SafeHtml {
  if (h.kind === 'delivery') {
    return html`<div class="hero"><div class="k">${h.title}</div><div class="v">${h.value}</div><div class="s">${h.note}</div></div>`;
  }
  if (h.kind === 'unknown') {
    return html`<div class="hero unknown-effect"><div class="k">${h.title}</div><div class="v">${h.value}</div><div class="s">${h.note}</div></div>`;
  }
  return html`<div class="hero incremental ${h.sign}"><div class="k">${h.title}</div><div class="v">${h.value}</div><div class="s">${interval(h.revenueInterval)}<br>${h.ordersLabel} <b>${h.orders}</b> (${interval(h.ordersInterval)})<br>${h.verdict}<br>${h.againstControls}${h.waves}${h.notCounted ? html`<br>${h.notCounted}` : ''}</div></div>`;
}

function estimate(cell: EstimateCell): SafeHtml {
  return html`<td class="num ${cell.sign}"><b>${cell.value}</b><div class="sub">${interval(cell.interval)}</div></td>`;
}

function incrementRow(row: IncrementRowModel): SafeHtml {
  const id = html`<th scope="row">${row.waveId}</th>`;
  if (row.kind === 'unknown') return html`<tr class="unknown-effect">${id}<td colspan="6">${row.why}</td></tr>`;
  return html`<tr>${id}<td class="num">${row.treated.customers}<div class="sub">${row.treated.sub}</div></td><td class="num">${row.control.customers}<div class="sub">${row.control.sub}</div></td>${estimate(row.lift)}${estimate(row.orders)}${estimate(row.revenue)}<td class="num">${row.inWindow.value}<div class="sub">${row.inWindow.sub}</div></td></tr>`;
}

function incremental(m: IncrementalModel): SafeHtml {
  return html`<section class="card" id="incremental"><h2>${m.title}</h2><div class="table-wrap"><table class="increment"><thead><tr><th>${m.heads.wave}</th>${m.heads.cells.map((text) => html`<th class="num">${text}</th>`)}</tr></thead><tbody>${m.rows.map(incrementRow)}</tbody></table></div><div class="note">${m.note}</div></section>`;
}

function outcomesCard(model: ReportModel): SafeHtml {
  const o = model.outcomes;
  if (!o.chart) return html`<section class="card"><h2>${o.title}</h2><p class="empty">${o.empty}</p></section>`;
  const legend = o.legend.map((item) =>
    item.swatch === 'sep'
      ? html`<span class="sep">${item.text}</span>`
      : html`<span><span class="swatch ${item.swatch}"></span>${item.text}</span>`,
  );
  return html`<section class="card"><h2>${o.title}</h2><div class="legend">${legend}</div><div class="note" style="margin:0 0 4px">${o.note}</div><div class="swipe">${o.swipe}</div><div class="chart-scroll">${outcomeChart(o.chart)}</div></section>`;
}

function outcomeChart(c: OutcomeChartModel): SafeHtml {
  const ticks = c.ticks.map(
    (t) =>
      html`<line class="grid" x1="${t.x}" y1="${t.y1}" x2="${t.x}" y2="${t.y2}"/><text class="tick" x="${t.x}" y="${t.labelY}" text-anchor="${t.anchor}">${t.text}</text>`,
  );
  const waves = c.waves.map(
    (w) =>
      html`<rect class="wave-bg" x="0" y="${w.y}" width="${c.width}" height="${w.height}" fill="${w.fill}"/><text class="wave-id" x="${w.id.x}" y="${w.id.y}">${w.id.text}<title>${w.id.title}</title></text><text class="wave-sub" x="8" y="${w.sub.y}">${w.sub.text}</text>${w.bars.map(outcomeBar)}`,
  );
  return html`<svg class="chart outcomes" viewBox="0 0 ${c.width} ${c.height}" width="${c.width}" height="${c.height}" role="img" aria-label="${c.aria}"><defs><pattern id="hatch-unknown" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde68a"/><rect width="2.5" height="6" fill="#b45309"/></pattern></defs>${ticks}<text class="axis-title" x="${c.axisLeft.x}" y="${c.axisLeft.y}" text-anchor="end">${c.axisLeft.text}</text><text class="axis-title" x="${c.axisRight.x}" y="${c.axisRight.y}">${c.axisRight.text}</text>${waves}</svg>`;
}

function outcomeBar(b: OutcomeBarModel): SafeHtml {
  const l = b.label;
  const label = html`<text class="lane-label" x="${l.x}" y="${l.y}" text-anchor="end"><tspan class="ch-${l.cls}">${l.name}</tspan> ${l.planned}</text>`;
  const stripe = html`<rect class="ch-stripe ch-${b.stripe.cls}" x="${b.stripe.x}" y="${b.stripe.y}" width="4" height="${b.stripe.height}" rx="1"/>`;
  const e = b.empty;
  const bar = e
    ? html`<rect class="seg empty" x="${e.x}" y="${e.y}" width="${e.width}" height="${e.height}" rx="2"/><text class="seg-label dark" x="${e.textX}" y="${e.textY}">${e.text}</text>`
    : html`${b.segments.map(
        (s) =>
          html`<g class="seg-g" data-outcome="${s.outcome}"><rect class="seg seg-${s.outcome}" x="${s.x}" y="${s.y}" width="${s.width}" height="${s.height}"/>${
            s.label
              ? html`<text class="seg-label${s.label.dark ? ' dark' : ''}${s.label.onHatch ? ' on-hatch' : ''}" x="${s.label.x}" y="${s.label.y}" text-anchor="middle">${s.label.text}</text>`
              : ''
          }<title>${s.title}</title></g>`,
      )}${b.frame ? html`<rect class="bar-frame" x="${b.frame.x}" y="${b.frame.y}" width="${b.frame.width}" height="${b.frame.height}" rx="2"/>` : ''}`;
  const r = b.rate;
  const rate = html`<text class="rate" x="${r.x}" y="${r.y}">${r.value !== undefined ? html`<tspan class="rate-v">${r.value}</tspan> ${r.word}` : html`<tspan class="muted-t">${r.word}</tspan>`}</text>`;
  const notes = b.notes
    ? html`<text class="rate-sub" x="${b.notes.x}" y="${b.notes.y}">${b.notes.items.map(
        (n, i) => html`${i > 0 ? html`<tspan> · </tspan>` : ''}<tspan class="t-${n.outcome}">${n.text}</tspan>`,
      )}</text>`
    : '';
  return html`${label}${stripe}${bar}${rate}${notes}`;
}

function revenueCard(m: RevenueCardModel): SafeHtml {
  const [email, sms, scale] = m.legend;
  return html`<section class="card"><h2>${m.title}</h2><div class="legend"><span><span class="swatch email"></span>${email}</span><span><span class="swatch sms"></span>${sms}</span><span>${scale}</span></div><div class="swipe">${m.swipe}</div><div class="chart-scroll">${revenueChart(m.chart)}</div><div class="note">${m.note}</div></section>`;
}

function revenueChart(c: RevenueChartModel): SafeHtml {
  const waves = c.waves.map(
    (w) =>
      html`<rect class="wave-bg" x="0" y="${w.y}" width="${c.width}" height="${w.height}" fill="${w.fill}"/><text class="wave-id" x="${w.id.x}" y="${w.id.y}">${w.id.text}<title>${w.id.title}</title></text>${w.bars.map(
        (b) =>
          html`<text class="lane-label" x="${b.label.x}" y="${b.label.y}" text-anchor="end"><tspan class="ch-${b.label.cls}">${b.label.name}</tspan></text>${
            b.bar
              ? html`<rect class="rev-bar ch-${b.bar.cls}" x="${b.bar.x}" y="${b.bar.y}" width="${b.bar.width}" height="${b.bar.height}" rx="2"><title>${b.bar.title}</title></rect>`
              : ''
          }<text class="rev-label" x="${b.facts.x}" y="${b.facts.y}">${
            b.facts.none !== undefined
              ? html`<tspan class="muted-t">${b.facts.none}</tspan>`
              : b.facts.items.map(
                  (f, i) =>
                    html`${i > 0 ? html`<tspan class="sep"> · </tspan>` : ''}${f.money ? html`<tspan class="money">${f.text}</tspan>` : f.text}`,
                )
          }</text>${
            b.roi
              ? html`<text class="roi-label${b.roi.negative ? ' neg' : ''}" x="${b.roi.x}" y="${b.roi.y}" text-anchor="end">${b.roi.perYuan !== undefined ? html`<tspan class="per-yuan">${b.roi.perYuan} · </tspan>` : ''}${b.roi.text ?? ''}</text>`
              : ''
          }`,
      )}`,
  );
  return html`<svg class="chart revenue" viewBox="0 0 ${c.width} ${c.height}" width="${c.width}" height="${c.height}" role="img" aria-label="${c.aria}">${waves}</svg>`;
}

function cell(c: CellModel): SafeHtml {
  if (c.kind === 'blank') return html`<td class="num blank${c.cls ? ` ${c.cls}` : ''}"></td>`;
  if (c.kind === 'reasons') {
    if (c.items.length === 0) return html`<td class="reasons-cell"><span class="zero">0</span></td>`;
    return html`<td class="reasons-cell ${c.outcome}"><div class="tot">${c.total}</div><ul>${c.items.map(
      (item) =>
        html`<li><span class="rc"><code>${item.code}</code> <b>${item.count}</b></span>${item.why !== undefined ? html`<span class="why">${item.why}</span>` : ''}</li>`,
    )}</ul></td>`;
  }
  const text = c.zero
    ? html`<span class="zero">${c.text}</span>`
    : c.href
      ? html`<a href="${c.href}">${c.text}</a>`
      : c.text;
  return html`<td class="num${c.cls ? ` ${c.cls}` : ''}">${text}${c.sub !== undefined ? html`<div class="sub">${c.sub}</div>` : ''}</td>`;
}

function table(m: TableModel): SafeHtml {
  const heads = m.heads.map(
    (h) => html`<th${h.cls ? html` class="${h.cls}"` : ''}${h.title ? html` title="${h.title}"` : ''}>${h.text}</th>`,
  );
  const rows = m.waves.map((w) =>
    w.rows.map(
      (row, i) =>
        html`<tr class="${i === 0 ? 'first' : ''}">${i === 0 ? html`<th scope="rowgroup" rowspan="${w.rows.length}" class="wave">${w.id}</th>` : ''}<td class="channel"><span class="swatch ${row.channelCls}"></span>${row.channel}</td>${row.cells.map(cell)}</tr>`,
    ),
  );
  return html`<section class="card"><h2>${m.title}</h2><div class="swipe">${m.swipe}</div><div class="table-wrap"><table class="report"><thead><tr>${heads}</tr></thead><tbody>${rows}</tbody><tfoot><tr><th scope="row" colspan="2">${m.foot.label}</th>${m.foot.cells.map(cell)}</tr></tfoot></table></div><div class="note">${m.note}</div></section>`;
}

function triggers(m: TriggersModel): SafeHtml {
  const heads = m.heads.map((h) => (h.num ? html`<th class="num">${h.text}</th>` : html`<th>${h.text}</th>`));
  const rows = m.rows.map(
    (row) =>
      html`<tr><th scope="row"><b>${row.name}</b><div class="sub"><code>${row.rule}</code></div></th>${row.cells.map(cell)}</tr>`,
  );
  return html`<section class="card" id="triggers"><h2>${m.title}</h2><div class="swipe">${m.swipe}</div><div class="table-wrap"><table class="report triggers"><thead><tr>${heads}</tr></thead><tbody>${rows}</tbody></table></div><div class="note">${m.note}</div></section>`;
}

function tiers(m: TiersModel): SafeHtml {
  const heads = m.heads.map((h) => (h.num ? html`<th class="num">${h.text}</th>` : html`<th>${h.text}</th>`));
  const rows = m.rows.map(
    (row) =>
      html`<tr><td><b>${row.noTier ? html`<span class="muted">${row.tier}</span>` : row.tier}</b></td>${row.cells.map((text) => html`<td class="num">${text}</td>`)}</tr>`,
  );
  return html`<section class="card"><h2>${m.title}</h2><div class="table-wrap"><table class="tiers"><thead><tr>${heads}</tr></thead><tbody>${rows}</tbody></table></div><div class="note">${m.note}</div></section>`;
}

function groupRow(row: GroupRowModel): SafeHtml {
  const [customers, sent, failed, ...credit] = row.cells;
  const lift =
    row.lift.kind === 'known'
      ? html`${estimate(row.lift.points)}${estimate(row.lift.orders)}`
      : html`<td class="num lift-${row.lift.kind}" colspan="2">${row.lift.text}</td>`;
  return html`<tr><th scope="row">${row.name}${row.code ? html` <code>${row.code}</code>` : ''}</th><td class="num">${customers}</td><td class="num">${sent}${row.delivered ? html`<div class="sub">${row.delivered}</div>` : ''}</td><td class="num">${failed}</td>${lift}${credit.map((text) => html`<td class="num">${text}</td>`)}</tr>`;
}

function groups(m: GroupsModel): SafeHtml {
  const heads = m.heads.map((h) => (h.num ? html`<th class="num">${h.text}</th>` : html`<th>${h.text}</th>`));
  const waves = m.waves.map(
    (wave) =>
      html`<h3>${wave.title}</h3><div class="swipe">${m.swipe}</div><div class="table-wrap"><table class="groups"><thead><tr>${heads}</tr></thead>${wave.sections.map(
        (section) =>
          html`<tbody><tr class="caption"><th colspan="${m.heads.length}">${section.caption}</th></tr>${section.rows.map(groupRow)}</tbody>`,
      )}</table></div>`,
  );
  return html`<section class="card" id="groups"><h2>${m.title}</h2>${waves}<div class="note">${m.note}</div></section>`;
}

function unknown(m: UnknownModel): SafeHtml {
  const content = m.rows
    ? html`<p class="explain">${m.explain}</p><div class="table-wrap"><table class="unknown-list"><thead><tr><th class="num">#</th>${(m.heads ?? []).map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${m.rows.map(
        (t) =>
          html`<tr><td class="num idx">${t.index}</td><td><code>${t.customerId}</code></td><td>${t.waveId}</td><td><span class="swatch ${t.channelCls}"></span>${t.channel}</td><td><code>${t.sendId}</code></td></tr>`,
      )}</tbody></table></div>${m.more ? html`<p class="note more">${m.more}</p>` : ''}`
    : html`${m.explain ? html`<p class="explain">${m.explain}</p>` : ''}${m.message ? html`<p class="${m.message.ok ? 'ok' : 'empty'}">${m.message.text}</p>` : ''}`;
  return html`<section class="card${m.alert ? ' unknown-card' : ''}" id="unknown"><h2>${m.title} <span class="count">${m.count}</span></h2>${content}</section>`;
}

function reasons(m: ReasonsModel): SafeHtml {
  if (m.nothing !== undefined)
    return html`<section class="card"><h2>${m.title}</h2><p class="ok">${m.nothing}</p></section>`;
  const h = m.heads;
  const rows = m.rows.map(
    (r) =>
      html`<tr><td data-label="${h.reason}">${r.name !== undefined ? html`<b>${r.name}</b> ` : ''}<code>${r.code}</code></td><td data-label="${h.outcome}"><span class="pill ${r.kind}">${r.outcome}</span></td><td data-label="${h.touches}" class="num">${r.touches}</td><td data-label="${h.meaning}">${r.meaning !== undefined ? r.meaning : html`<span class="muted">${r.undescribed}</span>`}</td></tr>`,
  );
  return html`<section class="card"><h2>${m.title}</h2><div class="table-wrap"><table class="reasons stack"><thead><tr><th>${h.reason}</th><th>${h.outcome}</th><th class="num">${h.touches}</th><th>${h.meaning}</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

function audit(m: AuditModel): SafeHtml {
  const h = m.heads;
  const rows = m.rows.map(
    (r) =>
      html`<tr><td data-label="${h.when}" class="num">${r.when}</td><td data-label="${h.who}">${r.who}</td><td data-label="${h.what}"><b>${r.what}</b></td><td data-label="${h.state}">${r.change}</td><td data-label="${h.details}">${r.details}</td></tr>`,
  );
  return html`<section class="card" id="audit"><h2>${m.title}${m.state ? ` · ${m.state}` : ''}</h2><div class="table-wrap"><table class="audit stack"><thead><tr><th>${h.when}</th><th>${h.who}</th><th>${h.what}</th><th>${h.state}</th><th>${h.details}</th></tr></thead><tbody>${rows}</tbody></table></div>${m.more ? html`<p class="note more">${m.more}</p>` : ''}</section>`;
}
