/**
 * The console's pages, rendered from their models with the auto-escaping template: the start
 * page and a campaign's page (status and actions, the draft plan with its message texts, cost,
 * warnings and diff, the live view, the imports, the campaign file and the report). One column
 * on a phone, two on a desktop; tables scroll inside their own box, never the page.
 */
import type { Role } from '../../contract.ts';
import type { AuditEntry } from '../../domain/campaign-lifecycle.ts';
import { channelName, groupName, HTML_LANG, reasonText } from '../../domain/i18n.ts';
import { CARE_TEXT } from '../../usecases/wave-messages.ts';
import { auditReason } from '../audit-reason.ts';
import { html, jsonScript, raw, type SafeHtml } from '../html.ts';
import { formatCny, formatCount, formatWhen } from './format.ts';
import type { CampaignPageModel, PlanModel, WaveRow } from './model.ts';
import { CONSOLE_SCRIPT } from './script.ts';
import { SHELL_SCRIPT } from './shell-script.ts';
import { ACTION_NAMES, type ConsoleWord, ERROR_TEXTS, fill, type Lang, STATE_NAMES, WORDS } from './words.ts';

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Zen Hei",sans-serif;color:#1f2328;background:#f4f5f7}
header.top{background:#b4121b;color:#fff;padding:10px 16px;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between}
header.top a{color:#fff}
header.top .brand{font-weight:700;font-size:17px;text-decoration:none}
header.top .end{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;min-width:0}
header.top .user{display:flex;flex-wrap:wrap;gap:4px 8px;align-items:center;font-size:14px;min-width:0}
header.top .who{font-weight:600;overflow-wrap:anywhere}
header.top .role{font-size:12px;border-radius:10px;padding:1px 8px;background:rgba(255,255,255,.2)}
header.top .email{font-size:13px;opacity:.9;overflow-wrap:anywhere}
@media (max-width:600px){header.top .email{display:none}}
header.top button.sign-out{min-height:30px;padding:2px 10px;font-size:14px;background:transparent;color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:14px}
header.top .lang{font-size:14px;border:1px solid rgba(255,255,255,.6);border-radius:14px;padding:2px 10px;text-decoration:none}
nav.sections{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid #dde0e4;display:flex;gap:4px;overflow-x:auto;padding:0 8px}
nav.sections a{flex:none;padding:10px 10px;color:#1f2328;text-decoration:none;font-size:14px}
nav.sections a:hover{color:#b4121b}
main{max-width:1240px;margin:0 auto;padding:12px}
h1{font-size:20px;margin:6px 0 10px;overflow-wrap:anywhere}
h2{font-size:17px;margin:0 0 10px}
h3{font-size:15px;margin:14px 0 8px}
.grid{display:grid;grid-template-columns:minmax(0,1fr);gap:12px}
.grid > *{min-width:0}
@media (min-width:960px){.grid.two{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}}
section.card{background:#fff;border:1px solid #dde0e4;border-radius:8px;padding:14px;min-width:0;scroll-margin-top:48px}
.muted{color:#59636e;font-size:13px}
.badge{display:inline-block;border-radius:10px;padding:1px 10px;font-size:13px;font-weight:600;background:#eef0f3}
.badge.draft{background:#fff4d6;color:#7a5600}.badge.approved{background:#dcf2e3;color:#14632f}
.badge.running{background:#d9ecff;color:#0b4c8c}.badge.paused{background:#ffe7cc;color:#8a4300}
.badge.cancelled{background:#f3d6d8;color:#8c1c24}.badge.completed{background:#e4e6ea;color:#333}
dl.facts{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0 0 10px}
dl.facts dt{color:#59636e}dl.facts dd{margin:0;overflow-wrap:anywhere}
.buttons{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
button,.button{font:inherit;border-radius:6px;border:1px solid #b9bec6;background:#fff;padding:8px 14px;min-height:40px;cursor:pointer;color:#1f2328;text-decoration:none;display:inline-flex;align-items:center}
button.primary,.button.primary{background:#b4121b;border-color:#b4121b;color:#fff}
button.danger{border-color:#b4121b;color:#b4121b}
button:disabled{opacity:.55;cursor:wait}
input[type=text],select,textarea{font:inherit;border:1px solid #b9bec6;border-radius:6px;padding:7px 9px;max-width:100%;background:#fff}
textarea{width:100%;min-height:320px;font:13px/1.45 ui-monospace,Menlo,Consolas,monospace}
label{display:block;margin:6px 0 2px;font-size:14px}
.check{display:flex;gap:6px;align-items:center;margin:2px 0;font-size:14px;overflow-wrap:anywhere}
.notice{border-radius:6px;padding:8px 10px;margin:8px 0;font-size:14px;overflow-wrap:anywhere}
.notice:empty{display:none}
.notice.error{background:#fdecee;color:#8c1c24;border:1px solid #f1b7bd}
.notice.ok{background:#e6f5ea;color:#14632f;border:1px solid #b5dfc1}
.notice.info{background:#eef4fb;color:#0b4c8c;border:1px solid #c4daf3}
ul.plain{margin:4px 0;padding-left:20px}
p.groups{display:flex;flex-wrap:wrap;gap:2px 14px;margin:4px 0;font-size:13px}
p.groups.sub strong{flex-basis:100%;font-size:13px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid #e6e8eb;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f7f8fa;font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.nowrap{white-space:nowrap}
.money{font-size:24px;font-weight:700;color:#b4121b}
.wave{border-top:1px solid #e6e8eb;padding-top:10px;margin-top:10px}
.wave:first-of-type{border-top:0;margin-top:0;padding-top:0}
.wave-head{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:baseline}
.wave-head strong{font-size:16px}
.tag{font-size:12px;border-radius:4px;padding:0 6px;background:#f1f2f4;color:#444}
.tag.hot{background:#b4121b;color:#fff}
.messages{display:grid;grid-template-columns:1fr;gap:8px;margin-top:8px}
@media (min-width:700px){.messages{grid-template-columns:1fr 1fr}}
.message{border:1px solid #e1e4e8;border-radius:8px;padding:8px 10px;background:#fbfbfc;min-width:0}
.message .label{font-size:12px;color:#59636e;margin-bottom:4px}
.message .text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:14px}
.message .meta{font-size:12px;color:#59636e;margin-top:4px}
.stats{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}
@media (min-width:700px){.stats{grid-template-columns:repeat(4,minmax(0,1fr))}}
.stat{border:1px solid #e1e4e8;border-radius:8px;padding:8px 10px;background:#fbfbfc}
.stat .value{font-size:22px;font-weight:700;font-variant-numeric:tabular-nums}
.stat .name{font-size:13px;color:#59636e}
.bar{height:8px;background:#eceef1;border-radius:4px;overflow:hidden;min-width:60px}
.bar span{display:block;height:100%;background:#2e7d32}
dialog{border:0;border-radius:10px;max-width:min(92vw,480px);padding:18px;box-shadow:0 10px 40px rgba(0,0,0,.25)}
dialog::backdrop{background:rgba(0,0,0,.35)}
.field-error{color:#8c1c24}
.field-error code{background:#fdecee;padding:0 4px;border-radius:3px;cursor:pointer}
form.inline{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
form.inline > div{min-width:0}
main > * + *{margin-top:12px}
.shell{max-width:1240px;margin:0 auto;padding:12px}
.hidden-file{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
.picker{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
span.label{display:block;margin:6px 0 2px;font-size:14px}
td button{white-space:nowrap;min-height:32px;padding:4px 10px}
#imports-table td.file{overflow-wrap:anywhere;min-width:12em}
@media (max-width:600px){
#imports-table thead{display:none}
#imports-table,#imports-table tbody,#imports-table tr,#imports-table td{display:block;width:auto}
#imports-table tr{border-bottom:1px solid #e6e8eb;padding:6px 0}
#imports-table td{border:0;padding:2px 0;text-align:left;white-space:normal}
#imports-table td.file{font-weight:600;min-width:0}
#imports-table td.file .muted{font-weight:400}
#imports-table td.num{display:inline-block;margin-right:14px}
#imports-table td[data-label]:not(.file)::before{content:attr(data-label) "：";color:#59636e}
html[lang=en] #imports-table td[data-label]:not(.file)::before{content:attr(data-label) ": "}
#imports-table td.act:empty{display:none}
}
@media (max-width:600px){th,td{padding:5px 5px}th{white-space:normal}main{padding:8px}section.card{padding:12px}}
`;

type Say = (word: ConsoleWord, values?: Record<string, string | number>) => string;

function sayer(lang: Lang): Say {
  return (word, values) => fill(WORDS[lang][word], values ?? {});
}

function langSwitch(lang: Lang, path: string): SafeHtml {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return html`<a class="lang" href="${path}?lang=${other}" hreflang="${other}">${WORDS[lang].switchLang}</a>`;
}

/** Who is signed in, for the header: their user name and role, or the local stack's built-in user. */
export interface ConsoleUser {
  /** The Cognito user name (the marketer's own, shown on their own page only; never logged). */
  name: string;
  roles: readonly Role[];
  /** The local stack's built-in user: no sign-in, so no sign-out either. */
  local: boolean;
}

function userBox(say: Say, user: ConsoleUser | undefined): SafeHtml | '' {
  if (!user) return '';
  const role = user.roles.includes('approver')
    ? say('roleApprover')
    : user.roles.includes('marketer')
      ? say('roleMarketer')
      : '';
  return html`<span class="user" id="console-user" aria-label="${say('signedInAs')}"><span class="who" id="console-user-name">${
    user.local ? say('localUser') : user.name
  }</span>${role ? html`<span class="role" id="console-user-role">${role}</span>` : ''}${
    user.local ? '' : html`<button type="button" class="sign-out" id="sign-out">${say('signOut')}</button>`
  }</span>`;
}

/** The console's top bar: the product, who is signed in (once the view knows), the language switch. */
function topBar(say: Say, lang: Lang, path: string, user?: ConsoleUser): SafeHtml {
  return html`<header class="top"><a class="brand" href="/">${say('product')}</a><div class="end">${userBox(say, user)}${langSwitch(lang, path)}</div></header>`;
}

/**
 * A page's view: its body (escaped by the template) and its data, which the shell puts in its
 * place once the signed-in fetch returns; `title` and `htmlLang` go to the document.
 */
function view(lang: Lang, title: string, body: SafeHtml, data: Record<string, unknown>): string {
  return html`${body}
<script type="application/json" id="console-data">${jsonScript({ ...data, title, htmlLang: HTML_LANG[lang] })}</script>
`.value;
}

/** The words the shell shows before (and instead of) its view. */
const SHELL_WORDS = [
  'signingIn',
  'loading',
  'viewUnauthorized',
  'viewForbidden',
  'viewNotFound',
  'viewFailed',
  'signInFailed',
  'tryAgain',
  'networkError',
] as const satisfies readonly ConsoleWord[];

/**
 * A page's shell: the document every console address opens, with no data in it (a navigation
 * carries no token, so on AWS it is an open route). It shows the header and "loading", runs
 * `scripts` (trusted inline scripts: the sign-in on AWS) and then the shell's script, which
 * fetches the page's view signed in and starts the console's script on it. `path`: the page's
 * own address, for the language switch.
 */
export function renderShell(lang: Lang, path: string, scripts: readonly string[] = []): string {
  const say = sayer(lang);
  const words = Object.fromEntries(SHELL_WORDS.map((word) => [word, say(word)]));
  return html`<!doctype html>
<html lang="${HTML_LANG[lang]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${say('product')}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<div id="console-root">${topBar(say, lang, path)}
<div class="shell"><p class="notice info" id="console-status" role="status" aria-live="polite">${say(scripts.length > 0 ? 'signingIn' : 'loading')}</p></div></div>
<script type="application/json" id="console-shell">${jsonScript({ lang, words })}</script>
${scripts.map((script) => html`<script>${raw(script)}</script>`)}<script>${raw(CONSOLE_SCRIPT)}</script><script>${raw(SHELL_SCRIPT)}</script>
</body>
</html>
`.value;
}

/** `GET /console/view`: the start page's view (open a campaign by its id). */
export function renderStartView(lang: Lang, user?: ConsoleUser): string {
  const say = sayer(lang);
  const body = html`${topBar(say, lang, '/', user)}
<main>
<section class="card">
<h1>${say('startTitle')}</h1>
<p>${say('startLead')}</p>
<form class="inline" method="get" action="/" id="open-form">
<div><label for="campaign-id">${say('campaignIdLabel')}</label>
<input type="text" id="campaign-id" name="id" required pattern="[A-Za-z0-9][A-Za-z0-9_\\-]{0,47}" placeholder="d11-2026" autocomplete="off"></div>
<button class="primary" type="submit">${say('open')}</button>
</form>
<p class="muted">${say('campaignIdHelp')}</p>
</section>
</main>`;
  return view(lang, say('product'), body, { page: 'start', lang });
}

function variantName(say: Say, label: string): string {
  const names: Record<string, ConsoleWord> = {
    'mobile/name': 'variantMobileName',
    'mobile/fallback-name': 'variantMobileFallback',
    'pc/name': 'variantPcName',
    'pc/fallback-name': 'variantPcFallback',
  };
  // The care text's variants: `care:mobile/name`, named as the variant they render.
  const word = names[label.startsWith('care:') ? label.slice('care:'.length) : label];
  return word ? say(word) : label;
}

/** The sharded plans of newer versions: planning (reload when done), or refused with why. */
function planningCard(model: CampaignPageModel, say: Say): SafeHtml | '' {
  if (model.planning.length === 0) return '';
  const items = model.planning.map((run) =>
    run.refused
      ? html`<div class="notice error" data-run="${run.version}" data-status="refused">${say('planningRefused', { version: run.version })}<ul>${run.refused.map((problem) => html`<li>${problem}</li>`)}</ul></div>`
      : html`<div class="notice info" data-run="${run.version}" data-status="planning">${say('planningRun', { version: run.version, startedAt: run.startedAt, shards: run.shards, customers: run.customers })}</div>`,
  );
  return html`<section class="card" id="planning"><h2>${say('planningTitle')}</h2>${items}</section>`;
}

function statusCard(model: CampaignPageModel, say: Say): SafeHtml {
  const { actions } = model;
  const state = model.state ?? 'draft';
  const any = actions.approve || actions.pause || actions.resume || actions.cancel;
  return html`<section class="card" id="status">
<h2>${say('actions')}</h2>
<dl class="facts">
<dt>${say('state')}</dt><dd><span class="badge ${state}" data-state="${state}">${STATE_NAMES[model.lang][state]}</span></dd>
<dt>${say('latestVersion')}</dt><dd>${model.latestVersion}</dd>
<dt>${say('approvedVersion')}</dt><dd>${model.approvedVersion ?? say('none')}</dd>
${model.pausedWaves.length > 0 ? html`<dt>${say('pausedWaves')}</dt><dd>${model.pausedWaves.join(', ')}</dd>` : ''}
${model.cancelledWaves.length > 0 ? html`<dt>${say('cancelledWaves')}</dt><dd>${model.cancelledWaves.join(', ')}</dd>` : ''}
</dl>
<p class="muted">${say('stateHelp')}</p>
<div class="buttons">
${actions.approve ? html`<button class="primary" type="button" data-action="approve" data-version="${actions.approve.version}">${say('approveVersion', { version: actions.approve.version })}</button>` : ''}
${actions.pause ? html`<button type="button" data-action="pause">${say('pause')}</button>` : ''}
${actions.resume ? html`<button class="primary" type="button" data-action="resume">${say('resume')}</button>` : ''}
${actions.cancel ? html`<button class="danger" type="button" data-action="cancel">${say('cancelCampaign')}</button>` : ''}
</div>
${any ? '' : html`<p class="muted">${say('noActions')}</p>`}
<div class="notice" id="action-result" role="status" aria-live="polite"></div>
${testSendForm(model, say)}
${actions.approve ? confirmDialog('approve', say('confirmApproveTitle', { version: actions.approve.version }), say('confirmApproveBody', { cost: formatCny(actions.approve.costCny) }), say, false) : ''}
${actions.cancel ? confirmDialog('cancel', say('confirmCancelTitle'), say('confirmCancelBody'), say, true) : ''}
</section>`;
}

function confirmDialog(action: string, title: string, body: string, say: Say, withReason: boolean): SafeHtml {
  return html`<dialog id="confirm-${action}" aria-labelledby="confirm-${action}-title">
<form method="dialog">
<h2 id="confirm-${action}-title">${title}</h2>
<p>${body}</p>
${withReason ? html`<label for="confirm-${action}-reason">${say('reason')}</label><input type="text" id="confirm-${action}-reason" maxlength="500" placeholder="${say('reasonPlaceholder')}" style="width:100%">` : ''}
<div class="buttons">
<button value="cancel" type="submit">${say('back')}</button>
<button class="${action === 'cancel' ? 'danger' : 'primary'}" value="confirm" type="submit" data-confirm="${action}">${say('confirm')}</button>
</div>
</form>
</dialog>`;
}

/**
 * The texts one wave's test can send, as options tagged with the wave: the script shows only
 * the chosen wave's. A wave with one text for all has one option, sent without a group.
 */
function testTextOptions(
  wave: { id: string; groups: string[] },
  shown: boolean,
  model: CampaignPageModel,
  say: Say,
): SafeHtml {
  const name = (group: string) =>
    group === CARE_TEXT ? say('careSmsText') : groupName(group, model.lang, model.plan?.groupLabels);
  const options =
    wave.groups.length === 0
      ? [{ value: '', label: say('sameTextForAll') }]
      : wave.groups.map((group) => ({ value: group, label: name(group) }));
  return html`${options.map((option, index) => html`<option data-wave="${wave.id}" value="${option.value}"${shown ? (index === 0 ? raw(' selected') : '') : raw(' hidden disabled')}>${option.label}</option>`)}`;
}

function testSendForm(model: CampaignPageModel, say: Say): SafeHtml {
  const { testSend } = model.actions;
  if (!testSend && !model.actions.testSendNeedsRecipients) return html``;
  return html`<h3>${say('testSend')}</h3>
<p class="muted">${say('testSendLead')}</p>
${
  testSend
    ? html`<form id="test-send-form">
<label for="test-wave">${say('wave')}</label>
<select id="test-wave" name="waveId">${testSend.waves.map((wave) => html`<option value="${wave.id}">${wave.id}</option>`)}</select>
<label for="test-group">${say('testText')}</label>
<select id="test-group" name="group">${testSend.waves.map((wave, index) => testTextOptions(wave, index === 0, model, say))}</select>
<fieldset style="border:0;padding:0;margin:8px 0"><legend style="font-size:14px">${say('recipients')}</legend>
${testSend.recipients.map((to, index) => html`<div class="check"><input type="checkbox" name="to" id="to-${index}" value="${to}" checked><label for="to-${index}" style="margin:0">${to}</label></div>`)}
</fieldset>
<button type="submit">${say('sendTest')}</button>
</form>
<div class="notice" id="test-result" role="status" aria-live="polite"></div>`
    : html`<p class="notice info">${say('testSendNoRecipients')}</p>`
}`;
}

function costBlock(plan: PlanModel, say: Say): SafeHtml {
  const { cost, prices } = plan;
  return html`<h3>${say('cost')}</h3>
<div class="money" id="cost-total">${formatCny(cost.totalCny)}</div>
<p class="muted">${say('costSms')}: ${formatCount(cost.sms.messages)} ${say('messages')} · ${formatCount(cost.sms.parts)} ${say('parts')} · ${formatCny(cost.sms.cny)} (${say('perPart', { price: prices.smsPart })})<br>
${say('costEmail')}: ${formatCount(cost.email.messages)} ${say('messages')} · ${formatCny(cost.email.cny)} (${say('perEmail', { price: prices.email })})</p>
<div class="scroll"><table>
<thead><tr><th>${say('wave')}</th><th>${say('channel')}</th><th class="num">${say('messageCount')}</th><th class="num">${say('parts')}</th><th class="num">${say('cost')}</th></tr></thead>
<tbody>${cost.lines.map((line) => html`<tr><td>${line.waveId}</td><td>${line.channel === 'sms' ? say('costSms') : say('costEmail')}</td><td class="num">${formatCount(line.messages)}</td><td class="num">${line.parts === undefined ? '' : formatCount(line.parts)}</td><td class="num">${formatCny(line.cny)}</td></tr>`)}</tbody>
</table></div>`;
}

function diffBlock(plan: PlanModel, model: CampaignPageModel, say: Say): SafeHtml {
  const { diff } = plan;
  if (plan.version === model.approvedVersion)
    return html`<h3>${say('diff')}</h3><p class="muted">${say('diffIsApproved')}</p>`;
  if (!diff) return html`<h3>${say('diff')}</h3><p class="muted">${say('diffNone')}</p>`;
  const when = (iso: string) => formatWhen(iso, plan.timezone, model.lang);
  return html`<h3>${say('diff')}</h3>
<p class="muted">${say('diffAgainst', { version: diff.againstVersion })}</p>
<ul class="plain">
<li>${say('costBeforeAfter')}: ${formatCny(diff.cost.beforeCny)} → ${formatCny(diff.cost.afterCny)}</li>
<li>${say('sendsAdded')}: ${diff.sendsAdded.length === 0 ? say('none') : diff.sendsAdded.join(', ')}</li>
<li>${say('sendsRemoved')}: ${diff.sendsRemoved.length === 0 ? say('none') : diff.sendsRemoved.join(', ')}</li>
<li>${say('sendsMoved')}: ${diff.sendsMoved.length === 0 ? say('none') : diff.sendsMoved.map((move) => `${move.id} ${when(move.from)} → ${when(move.to)}`).join('; ')}</li>
</ul>
<div class="scroll"><table>
<thead><tr><th>${say('customersBeforeAfter')}</th><th class="num">${say('before')}</th><th class="num">${say('after')}</th></tr></thead>
<tbody>${Object.entries(diff.customers).map(([key, counts]) => html`<tr${counts.before === counts.after ? '' : html` class="changed"`}><td>${key}</td><td class="num">${formatCount(counts.before)}</td><td class="num">${formatCount(counts.after)}</td></tr>`)}</tbody>
</table></div>`;
}

function waveBlock(wave: WaveRow, plan: PlanModel, model: CampaignPageModel, say: Say): SafeHtml {
  const when = (iso: string) => formatWhen(iso, plan.timezone, model.lang);
  return html`<div class="wave" id="wave-${wave.id}">
<div class="wave-head"><strong>${wave.id}</strong>
${wave.midnight ? html`<span class="tag hot">${say('midnightPush')}</span>` : ''}
${wave.stopOnPurchase ? html`<span class="tag">${say('stopOnPurchase')}</span>` : ''}
<span class="muted">${say('audience')}: ${wave.audience.map((code) => groupName(code, model.lang, plan.groupLabels)).join('、')} (${formatCount(wave.audienceSize)})</span></div>
<div class="scroll"><table class="sends">
<thead><tr><th>${say('time')}</th><th>${say('channel')}</th><th class="num">${say('group')}</th><th class="num">${say('reach')}</th></tr></thead>
<tbody>${wave.sends.map((send) => html`<tr><td class="nowrap">${when(send.at)}</td><td>${channelName(send.channel, model.lang)}</td><td class="num">${send.group}${send.slice > 1 ? `.${send.slice}` : ''}</td><td class="num">${formatCount(send.customers)}</td></tr>`)}</tbody>
</table></div>
<p class="muted">${say('reach')}: ${say('costSms')} ${formatCount(wave.planned.sms)} · ${say('costEmail')} ${formatCount(wave.planned.email)} · ${say('control')} ${formatCount(wave.control)}${wave.dropped.length > 0 ? html` · ${say('dropped')}: ${wave.dropped.map(([reason, count]) => `${reasonText(reason, model.lang)?.short ?? reason} ${formatCount(count)}`).join(', ')}` : ''}</p>
<h3>${say('messageTexts')}</h3>
<div class="messages">
${wave.messages.sms.map((sms) => html`<div class="message sms"><div class="label">${say(sms.care ? 'careSmsText' : 'smsText')}${sms.group === undefined ? '' : ` · ${groupName(sms.group, model.lang, plan.groupLabels)}`} · ${sms.variants.map((v) => variantName(say, v)).join(' / ')}</div><div class="text">${sms.text}</div><div class="meta">${say('characters', { count: sms.characters })} · ${say(sms.parts === 1 ? 'onePart' : 'manyParts', { n: sms.parts })}${sms.providerSuffix === undefined ? '' : ` · ${say('providerSuffixIncluded', { suffix: sms.providerSuffix })}`}</div></div>`)}
${wave.messages.email.map(
  (
    mail,
  ) => html`<div class="message email"><div class="label">${say('emailText')} · ${mail.variants.map((v) => variantName(say, v)).join(' / ')}</div><div class="text"><strong>${say('subject')}: ${mail.subject}</strong>
${mail.body}</div><div class="meta">${say('unsubscribeAdded')}</div></div>`,
)}
</div>
</div>`;
}

/** Who the plan is for: the playbook groups, and the sub-groups of the dormant and churned ones. */
function groupsBlock(plan: PlanModel, say: Say): SafeHtml {
  if (plan.groups.length === 0) return html``;
  return html`<h3>${say('customerGroups')}</h3>
<p class="groups">${plan.groups.map((g) => html`<span class="group" title="${g.code}">${g.name} ${g.count}</span>`)}</p>
${plan.subGroups.map(
  (row) =>
    html`<p class="groups sub"><strong title="${row.group}">${row.name} ${row.count}</strong> ${row.parts.map((p) => html`<span class="group" title="${p.code}">${p.name} ${p.count} <span class="muted">${p.share}</span></span>`)}</p>`,
)}`;
}

function planCard(model: CampaignPageModel, say: Say): SafeHtml {
  const { plan } = model;
  if (!plan) return html``;
  return html`<section class="card" id="plan">
<h2>${say(plan.version === model.approvedVersion ? 'approvedPlan' : 'draftPlan', { version: plan.version })}</h2>
<dl class="facts"><dt>${say('plannedAt')}</dt><dd>${formatWhen(plan.plannedAt, plan.timezone, model.lang)}</dd><dt>${say('plannedBy')}</dt><dd>${plan.plannedBy}</dd></dl>
<div class="grid two">
<div>${costBlock(plan, say)}</div>
<div>
<h3>${say('warnings')}</h3>
${plan.warnings.length === 0 ? html`<p class="muted">${say('noWarnings')}</p>` : html`<ul class="plain warnings">${plan.warnings.map((w) => html`<li>${w}</li>`)}</ul>`}
${diffBlock(plan, model, say)}
</div>
</div>
${groupsBlock(plan, say)}
<h3>${say('timeline')}</h3>
${plan.waves.map((wave) => waveBlock(wave, plan, model, say))}
</section>`;
}

function liveCard(say: Say): SafeHtml {
  const stat = (key: string, word: ConsoleWord) =>
    html`<div class="stat"><div class="value" data-live="${key}">—</div><div class="name">${say(word)}</div></div>`;
  return html`<section class="card" id="live">
<h2>${say('live')}</h2>
<p class="muted">${say('liveLead')} <span id="live-updated"></span></p>
<div class="stats">
${stat('perSecond', 'perSecond')}${stat('done', 'liveDone')}${stat('sent', 'sent')}${stat('failed', 'failed')}
${stat('unknown', 'unknown')}${stat('pending', 'pending')}${stat('waiting', 'waiting')}${stat('secondsToFinish', 'timeToFinish')}
</div>
<div class="notice info" id="live-note"></div>
<div class="scroll"><table id="live-sends"><thead><tr><th>${say('time')}</th><th>${say('wave')}</th><th>${say('channel')}</th><th>${say('status')}</th><th class="num">${say('liveDone')}</th><th>${say('progress')}</th></tr></thead><tbody></tbody></table></div>
</section>`;
}

function importsCard(say: Say): SafeHtml {
  return html`<section class="card" id="imports">
<h2>${say('imports')}</h2>
<p class="muted">${say('importsLead')}</p>
<form class="inline" id="upload-form">
<div><span class="label">${say('file')}</span><div class="picker"><label class="button" for="upload-file">${say('chooseFile')}</label><span id="upload-file-name" class="muted">${say('noFileChosen')}</span></div><input type="file" id="upload-file" name="file" class="hidden-file" accept=".csv,.xlsx,.jsonl,.ndjson" required></div>
<div><label for="upload-segment">${say('segmentLabel')}</label><input type="text" id="upload-segment" name="segment" pattern="[^/\\\\]{1,100}" placeholder="${say('segmentLabelHelp')}"></div>
<button class="primary" type="submit">${say('upload')}</button>
</form>
<div class="notice" id="upload-result" role="status" aria-live="polite"></div>
<div class="scroll"><table id="imports-table"><thead><tr><th>${say('file')}</th><th>${say('status')}</th><th class="num">${say('rows')}</th><th class="num">${say('imported')}</th><th class="num">${say('rejected')}</th><th class="num">${say('duration')}</th><th></th></tr></thead><tbody></tbody></table></div>
<p class="muted" id="imports-empty">${say('noImports')}</p>
<div id="rejects"></div>
</section>`;
}

function fileCard(model: CampaignPageModel, say: Say): SafeHtml {
  return html`<section class="card" id="file">
<h2>${say('campaignFile')}</h2>
<p class="muted">${say('campaignFileLead')}</p>
<form id="campaign-form">
<div class="buttons"><label class="button" for="campaign-file-input" style="margin:0">${say('loadFile')}</label><input type="file" id="campaign-file-input" class="hidden-file" accept=".json,application/json"></div>
<label for="campaign-json">${say('campaignFile')} (JSON)</label>
<textarea id="campaign-json" name="campaign" spellcheck="false" aria-describedby="campaign-errors">${model.campaignFile}</textarea>
<div class="notice" id="campaign-errors" role="alert"></div>
<button class="primary" type="submit">${say('savePlan')}</button>
</form>
</section>`;
}

function reportCard(model: CampaignPageModel, say: Say): SafeHtml {
  return html`<section class="card" id="report">
<h2>${say('report')}</h2>
<p class="muted">${say('reportLead')}</p>
<a class="button" id="open-report" href="/console/campaigns/${encodeURIComponent(model.campaignId)}/report" target="_blank" rel="opener">${say('openReport')}</a>
</section>`;
}

function auditCard(model: CampaignPageModel, say: Say): SafeHtml {
  if (model.audit.length === 0) return html``;
  const row = (entry: AuditEntry) =>
    html`<tr><td class="nowrap">${formatWhen(entry.at, model.timezone, model.lang)}</td><td>${entry.actor}</td><td>${ACTION_NAMES[model.lang][entry.action]}${entry.waveId ? ` (${entry.waveId})` : ''}</td><td>${entry.from ? STATE_NAMES[model.lang][entry.from] : ''} → ${STATE_NAMES[model.lang][entry.to]}</td><td>${entry.version ?? ''}</td><td>${auditReason(entry, model.lang)}</td></tr>`;
  return html`<section class="card" id="audit">
<h2>${say('audit')}</h2>
<div class="scroll"><table><thead><tr><th>${say('time')}</th><th>${say('actor')}</th><th>${say('action')}</th><th>${say('state')}</th><th>${say('version')}</th><th>${say('auditReason')}</th></tr></thead>
<tbody>${model.audit.map(row)}</tbody></table></div>
</section>`;
}

/** `GET /console/campaigns/{id}/view`: a campaign's page, its view. */
export function renderCampaignView(model: CampaignPageModel, user?: ConsoleUser): string {
  const say = sayer(model.lang);
  const path = `/console/campaigns/${encodeURIComponent(model.campaignId)}`;
  const nav: Array<[string, ConsoleWord]> = [
    ...(model.exists
      ? ([
          ['plan', 'navPlan'],
          ['live', 'navLive'],
        ] as Array<[string, ConsoleWord]>)
      : []),
    ['imports', 'navImports'],
    ['file', 'navFile'],
    ...(model.exists ? ([['report', 'navReport']] as Array<[string, ConsoleWord]>) : []),
  ];
  const body = html`${topBar(say, model.lang, path, user)}
<nav class="sections">${nav.map(([id, word]) => html`<a href="#${id}">${say(word)}</a>`)}</nav>
<main>
<h1>${model.campaignId}</h1>
${planningCard(model, say)}
${
  model.exists
    ? html`<div class="grid two">${statusCard(model, say)}${liveCard(say)}</div>
${planCard(model, say)}`
    : html`<section class="card"><h2>${say('notPlanned')}</h2><p>${say('notPlannedLead')}</p></section>`
}
${importsCard(say)}
${fileCard(model, say)}
${model.exists ? html`${reportCard(model, say)}${auditCard(model, say)}` : ''}
</main>`;
  return view(model.lang, `${model.campaignId} · ${say('product')}`, body, {
    page: 'campaign',
    lang: model.lang,
    campaignId: model.campaignId,
    exists: model.exists,
    timezone: model.timezone,
    words: WORDS[model.lang],
    states: STATE_NAMES[model.lang],
    errors: ERROR_TEXTS[model.lang],
  });
}
