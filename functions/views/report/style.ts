/** The report page's CSS: one column of cards; on a phone, tables and charts scroll inside their own box. */
export const REPORT_CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#1e293b;font:14px/1.45 -apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
main{max-width:1400px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 10px}
h2 .count{color:#64748b;font-weight:500}
code{font:12px/1.3 ui-monospace,"SFMono-Regular",Menlo,Consolas,"Noto Sans Mono CJK SC",monospace;background:#f1f5f9;border-radius:3px;padding:0 3px}
a{color:inherit}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:14px 16px;margin-top:14px}
.meta{color:#475569;display:flex;flex-wrap:wrap;gap:4px 18px}
.meta b{color:#1e293b;font-weight:600}
.top{display:flex;gap:14px;align-items:stretch;margin-top:14px}
.stats{display:grid;grid-template-columns:repeat(4,1fr);gap:10px;flex:1}
.stats.wide{grid-template-columns:repeat(7,1fr)}
.stat{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 12px;border-top:3px solid #e2e8f0}
.stat .k{color:#64748b;font-size:12px;white-space:nowrap}
.stat .v{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px;white-space:nowrap}
.stat .s{color:#64748b;font-size:12px}
.stat.sent{border-top-color:#16a34a}.stat.failed{border-top-color:#dc2626}.stat.suppressed{border-top-color:#8b5cf6}
.stat.unknown{border-top-color:#d97706}.stat.pending{border-top-color:#94a3b8}.stat.money{border-top-color:#c2185b}
.stat.alert{background:#fffbeb;border-color:#f59e0b;border-top-color:#d97706}
.stat.alert a{color:#92400e;font-weight:600}
.hero{background:#c2185b;color:#fff;border-radius:8px;padding:10px 16px;width:300px;flex:none}
.hero .k{font-size:12px;opacity:.9}
.hero .v{font-size:26px;font-weight:700;letter-spacing:.3px;font-variant-numeric:tabular-nums}
.hero .s{font-size:12.5px;opacity:.95}
.hero .s b{font-size:15px}
.hero.incremental.unsure,.hero.unknown-effect{background:#475569}
.hero.incremental.down{background:#b91c1c}
.hero .ci{font-variant-numeric:tabular-nums;white-space:nowrap}
table.increment td.up b{color:#15803d}
table.increment td.down b{color:#b91c1c}
table.increment td.num .sub{color:#64748b}
table.increment tr.unknown-effect td{color:#64748b;font-style:italic}
table.groups tr.caption th{background:#f8fafc;color:#475569;font-size:12px;font-weight:600;border-bottom:1px solid #cbd5e1}
table.groups tbody th code{font-weight:400;color:#64748b}
table.groups td.up b{color:#15803d}
table.groups td.down b{color:#b91c1c}
table.groups td.num .sub{color:#64748b}
table.groups td.lift-none,table.groups td.lift-unknown{color:#64748b;font-style:italic;white-space:normal;text-align:left}
#groups h3{font-size:14px;margin:14px 0 6px}
table.groups tbody th{position:sticky;left:0;background:#fff;z-index:1}
table.groups tbody tr.caption th{position:static;background:#f8fafc}
#groups h3:first-of-type{margin-top:4px}
.ci{white-space:nowrap}
@media (max-width:640px){main{padding:12px 10px 30px}.top{flex-wrap:wrap}.hero{width:auto;flex:1 1 100%}.stats,.stats.wide{grid-template-columns:repeat(2,minmax(0,1fr))}.stat .k,.stat .v{white-space:normal}}
.running{background:#eff6ff;border:1px solid #93c5fd;border-left:6px solid #3b82f6;border-radius:8px;padding:8px 16px;margin-top:14px;color:#1e3a8a}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12px;color:#475569;margin:0 0 4px}
.swatch{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px;background:#94a3b8}
.swatch.email{background:#3b82f6}.swatch.sms{background:#f59e0b}
.swatch.sent{background:#16a34a}.swatch.failed{background:#dc2626}.swatch.suppressed{background:#8b5cf6}
.swatch.unknown{background:repeating-linear-gradient(45deg,#b45309 0 2px,#fde68a 2px 5px)}
.swatch.pending{background:#e2e8f0;border:1px solid #cbd5e1}
.swatch.expired{background:#fcd34d}.swatch.cancelled{background:#475569}
.legend .sep{color:#cbd5e1}
.chart-scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.swipe{display:none;color:#64748b;font-size:12px;margin:2px 0 4px}
.chart{display:block;width:100%;height:auto;font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
.chart text{font-size:12px;fill:#475569}
.chart .grid{stroke:#e2e8f0;stroke-width:1}
.chart .tick{font-size:12px;fill:#94a3b8;font-variant-numeric:tabular-nums}
.chart .axis-title{font-size:12px;fill:#94a3b8;font-style:italic}
.chart .wave-id{font-size:13px;font-weight:650;fill:#0f172a}
.chart .wave-sub{font-size:12px;fill:#64748b;font-variant-numeric:tabular-nums}
.chart .lane-label{font-size:12px;fill:#334155;font-variant-numeric:tabular-nums}
.chart .ch-email{fill:#2563eb;font-weight:600}
.chart .ch-sms{fill:#c2410c;font-weight:600}
.chart .ch-other{fill:#475569;font-weight:600}
.chart rect.ch-email{fill:#3b82f6}.chart rect.ch-sms{fill:#f59e0b}.chart rect.ch-other{fill:#94a3b8}
.chart .seg-sent{fill:#16a34a}.chart .seg-failed{fill:#dc2626}.chart .seg-suppressed{fill:#8b5cf6}
.chart .seg-unknown{fill:url(#hatch-unknown)}.chart .seg-pending{fill:#e2e8f0}
.chart .seg-expired{fill:#fcd34d}.chart .seg-cancelled{fill:#475569}.chart .seg.empty{fill:#f1f5f9}
.chart .seg{stroke:#fff;stroke-width:1}
.chart .bar-frame{fill:none;stroke:#cbd5e1;stroke-width:1}
.chart .seg-label{font-size:12px;fill:#fff;font-weight:600;pointer-events:none;font-variant-numeric:tabular-nums}
.chart .seg-label.dark{fill:#334155}
.chart .seg-label.on-hatch{fill:#451a03;paint-order:stroke;stroke:#fef3c7;stroke-width:3px}
.chart .rate{font-size:12px;fill:#334155}
.chart .rate-v{font-size:13px;font-weight:700;fill:#15803d;font-variant-numeric:tabular-nums}
.chart .rate-sub{font-size:12px;font-variant-numeric:tabular-nums}
.chart .t-failed{fill:#b91c1c}.chart .t-suppressed{fill:#6d28d9}.chart .t-unknown{fill:#b45309;font-weight:700}.chart .t-pending{fill:#64748b}
.chart .t-expired{fill:#a16207}.chart .t-cancelled{fill:#334155}
.chart .muted-t{fill:#94a3b8;font-style:italic}
.chart .rev-label{font-size:12px;fill:#334155;font-variant-numeric:tabular-nums}
.chart .rev-label .money{font-weight:650;fill:#0f172a}
.chart .rev-label .sep{fill:#94a3b8}
.chart .roi-label{font-size:13px;font-weight:700;fill:#15803d;font-variant-numeric:tabular-nums}
.chart .roi-label.neg{fill:#b91c1c}
.chart .per-yuan{font-size:12px;font-weight:500;fill:#64748b}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top}
thead th{font-size:12px;color:#64748b;font-weight:600;border-bottom:2px solid #cbd5e1;white-space:nowrap}
tbody th{font-weight:650;white-space:nowrap}
table.report tbody tr.first td,table.report tbody tr.first th{border-top:2px solid #cbd5e1}
table.report th.wave{font-size:14px;color:#0f172a}
table.report th,table.report td{padding:6px 5px}
table.report thead th{white-space:normal;vertical-align:bottom}
table.report td.num .sub{white-space:normal}
td.channel{white-space:nowrap;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.num .sub{font-size:11px;color:#15803d;font-weight:500}
td.warn{background:#fffbeb;color:#92400e;font-weight:700}
td.roi{font-weight:650;color:#15803d}
td.blank{background:repeating-linear-gradient(135deg,transparent 0 6px,#f8fafc 6px 8px)}
.zero{color:#cbd5e1}
.reasons-cell{min-width:110px;max-width:175px}
.reasons-cell .tot{font-weight:650;font-variant-numeric:tabular-nums}
.reasons-cell.failed .tot{color:#b91c1c}.reasons-cell.suppressed .tot{color:#6d28d9}
.reasons-cell ul{list-style:none;margin:2px 0 0;padding:0}
.reasons-cell li{font-size:12px;line-height:1.3;margin:3px 0}
.reasons-cell .rc{white-space:nowrap}
.reasons-cell .rc b{font-weight:600;font-variant-numeric:tabular-nums}
.reasons-cell .why{display:block;color:#64748b;font-size:11.5px}
tfoot th,tfoot td{font-weight:600;border-top:2px solid #94a3b8;border-bottom:none;background:#f8fafc}
tfoot .reasons-cell .why{display:none}
.pill{display:inline-block;white-space:nowrap;font-size:11px;border-radius:10px;padding:0 8px;font-weight:600}
.pill.failed{background:#fee2e2;color:#991b1b}.pill.suppressed{background:#ede9fe;color:#5b21b6}
.pill.expired{background:#fef3c7;color:#92400e}.pill.cancelled{background:#e2e8f0;color:#334155}
.unknown-card{border-left:6px solid #d97706}
.explain{background:#fffbeb;border:1px solid #fde68a;border-radius:6px;padding:8px 12px;margin:0 0 10px;color:#78350f}
table.unknown-list{width:auto;min-width:60%}
table.unknown-list td.idx{color:#94a3b8}
.muted{color:#94a3b8}
.empty{color:#64748b;font-style:italic}
.ok{color:#15803d}
.note{color:#64748b;font-size:12px;margin-top:6px}
.note.more{font-size:13px;color:#92400e}
footer{color:#94a3b8;font-size:12px;margin-top:18px}
h1{overflow-wrap:anywhere}
@media (max-width:900px){.chart{width:1240px;max-width:none}.swipe{display:block}}
@media (max-width:640px){
.card{padding:12px 10px}
table.stack thead{display:none}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:auto}
table.stack tr{border-bottom:1px solid #e2e8f0;padding:6px 0}
table.stack td{border:none;padding:2px 0;text-align:left;white-space:normal;overflow-wrap:anywhere}
table.stack td[data-label]::before{content:attr(data-label) "：";color:#64748b;font-weight:400}
table.groups tbody th{white-space:normal;min-width:6.5em;max-width:9em}
table.groups tbody th code{display:block;margin-top:2px;width:max-content;max-width:100%;overflow-wrap:anywhere}
}
`;
