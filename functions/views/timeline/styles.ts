/** The timeline page's stylesheet: written here, never from input, so the render step inlines it with `raw`. */
export const TIMELINE_CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#1e293b;font:14px/1.45 -apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
main{max-width:1290px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 10px}
h3{font-size:15px;margin:0}
code{font:12px/1.3 ui-monospace,"SFMono-Regular",Menlo,Consolas,"Noto Sans Mono CJK SC",monospace;background:#f1f5f9;border-radius:3px;padding:0 3px}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:14px 16px;margin-top:14px}
.meta{color:#475569;display:flex;flex-wrap:wrap;gap:4px 18px}
.meta b{color:#1e293b;font-weight:600}
.top{display:flex;gap:14px;align-items:stretch;margin-top:14px}
.stats{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;flex:1}
.stat{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 12px}
.stat .k{color:#64748b;font-size:12px;white-space:nowrap}
.stat .v{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.stat .s{color:#64748b;font-size:12px}
.stat.over{border-color:#dc2626;background:#fef2f2}
.bar-track{height:5px;background:#e2e8f0;border-radius:3px;margin-top:6px;overflow:hidden}
.bar-track span{display:block;height:100%;background:#0ea5e9}
.stat.over .bar-track span{background:#dc2626}
.push{background:#c2185b;color:#fff;border-radius:8px;padding:10px 16px;width:300px;flex:none}
.push .k{font-size:12px;opacity:.9}
.push .v{font-size:24px;font-weight:700;letter-spacing:.3px}
.push .s{font-size:12px;opacity:.95}
.warnings{background:#fffbeb;border:1px solid #f59e0b;border-left:6px solid #f59e0b;border-radius:8px;padding:10px 16px;margin-top:14px}
.warnings h2{color:#92400e;margin-bottom:4px}
.warnings ul{margin:0;padding-left:20px}
.warnings li{margin:2px 0}
.groups{margin-top:12px}
.groups-title{font-size:12px;color:#64748b;margin-bottom:4px}
.groups-title.sub{margin-top:10px}
.sub-groups{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 14px;margin-top:4px}
.sub-groups .sg-name{font-size:12px;font-weight:600;color:#334155;min-width:120px;margin-top:6px}
.stack-bar{display:flex;height:10px;border-radius:5px;overflow:hidden;background:#e2e8f0}
.stack-bar .seg{display:block;height:100%}
.legend-row{display:flex;flex-wrap:wrap;gap:2px 14px;margin-top:6px;font-size:12px;color:#475569}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px;vertical-align:0}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12px;color:#475569;margin:0 0 6px}
.swatch{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.swatch.email{background:#3b82f6}.swatch.sms{background:#f59e0b}.swatch.midnight{background:#c2185b}
.swatch.quiet{background:#e2e8f0;border:1px solid #cbd5e1}
.swatch.planned{background:none;border-left:2px dashed #64748b;width:2px;border-radius:0}
.chart{display:block;width:100%;height:auto;font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
.chart text{font-size:12px;fill:#475569}
.chart .quiet-band,.chart .quiet-band-zoom{fill:#e2e8f0;fill-opacity:.75}
.chart .bar-email{fill:#3b82f6}
.chart .bar-sms{fill:#f59e0b}
.chart .bar-midnight{fill:#c2185b}
.chart.panel .bar{stroke:#fff;stroke-width:1}
.chart .day-label{font-size:12px;fill:#334155}
.chart .day-label.wd{font-size:12px;fill:#94a3b8}
.chart .day-label.d11{fill:#c2185b;font-weight:700}
.chart .wave-id{font-size:13px;font-weight:650;fill:#0f172a}
.chart .wave-id.mid{fill:#c2185b}
.chart .wave-sub{font-size:12px;fill:#64748b}
.chart .start-label{font-size:12px;fill:#475569;font-variant-numeric:tabular-nums}
.chart .lane-label{font-size:12px;fill:#334155;font-variant-numeric:tabular-nums}
.chart .lane-sub{font-size:12px;fill:#94a3b8}
.chart .ch-email{fill:#2563eb;font-weight:600}
.chart .ch-sms{fill:#c2410c;font-weight:600}
.chart .marker-label{font-size:12px}
.chart .marker-label.midnight{font-size:12px;font-weight:700;fill:#c2185b}
.chart .marker-label.planned{fill:#64748b}
.chart .lead-label text{font-size:12px;fill:#334155;font-weight:600}
.chart .hour-label{font-size:12px;fill:#64748b;font-variant-numeric:tabular-nums}
.chart .date-label{font-size:12px;fill:#334155;font-weight:600}
.chart .bar-label{font-size:12px;fill:#fff;font-weight:600;pointer-events:none}
.chart .bar-label.dark{fill:#451a03}
.chart .quiet-label{font-size:12px;fill:#94a3b8;font-style:italic}
.chart .axis-break text{font-size:12px;fill:#64748b}
.panel-card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 14px 8px;margin-top:10px}
.panel-card.is-midnight{border-color:#f9a8d4;box-shadow:inset 4px 0 0 #c2185b}
.panel-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 12px}
.facts{display:flex;flex-wrap:wrap;gap:2px 16px;color:#334155;font-size:13px}
.audience{color:#64748b;font-size:12px;margin:2px 0 4px}
.badge{display:inline-block;font-size:11.5px;border-radius:10px;padding:1px 8px;font-weight:600}
.badge.midnight{background:#c2185b;color:#fff}
.badge.stop{background:#e0f2fe;color:#075985}
.badge.small{font-size:10.5px;padding:0 6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top}
thead th{font-size:12px;color:#64748b;font-weight:600;border-bottom:2px solid #cbd5e1}
tbody th{font-weight:650;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.is-midnight th{color:#c2185b}
.chip{display:inline-block;margin:1px 8px 1px 0;font-variant-numeric:tabular-nums}
td.dropped{min-width:240px}
td.when{white-space:nowrap}
td.meter{width:140px}
@media (min-width:641px){.reasons td:first-child{white-space:nowrap}}
td.meter span{display:block;height:8px;margin-top:6px;background:#94a3b8;border-radius:4px;min-width:2px}
tfoot td{font-weight:600;border-bottom:none}
.muted{color:#94a3b8}
.care-note{display:block;font-size:11.5px;color:#64748b;font-weight:400}
.empty{color:#64748b;font-style:italic}
.note{color:#64748b;font-size:12px;margin-top:6px}
footer{color:#94a3b8;font-size:12px;margin-top:18px}
h1{overflow-wrap:anywhere}
code.code{font-size:11px;color:#64748b;background:none;padding:0}
.why-short{font-weight:600}
.group{white-space:nowrap}
.table-wrap,.chart-scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.swipe{display:none;color:#64748b;font-size:12px;margin:2px 0 4px}
details.send-details{margin:4px 0 2px;font-size:13px}
details.send-details summary{cursor:pointer;color:#1d4ed8;padding:4px 0;min-height:28px}
table.sends td .sub{font-size:12px;color:#64748b;white-space:normal}
@media (max-width:900px){
.chart{width:1240px;max-width:none}
.swipe{display:block}
}
@media (max-width:640px){
main{padding:12px 10px 30px}
.top{flex-wrap:wrap}
.push{width:auto;flex:1 1 100%}
.stats{grid-template-columns:repeat(2,minmax(0,1fr))}
.stat .k{white-space:normal}
.card{padding:12px 10px}
.panel-card{padding:10px 8px 8px}
table.stack thead{display:none}
table.stack,table.stack tbody,table.stack tfoot,table.stack tr,table.stack td{display:block;width:auto}
table.stack td.when{white-space:normal}
table.stack tr{border-bottom:1px solid #e2e8f0;padding:6px 0}
table.stack td,table.stack tbody th{border:none;padding:2px 0;text-align:left;white-space:normal}
table.stack tbody th{display:block;font-size:15px}
table.stack td[data-label]::before{content:attr(data-label) "：";color:#64748b;font-weight:400}
table.stack td.meter{display:none}
.chip{white-space:normal}
}
`;
