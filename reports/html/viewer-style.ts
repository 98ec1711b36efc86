// The report's one inline style sheet. Verdict colours come from the Okabe–Ito palette (told apart
// by the common colour-vision deficiencies), and no verdict is told by colour alone: each has an
// icon and its word; failed and errored tests are solid badges, the others outlined.
export const VIEWER_STYLE = `
:root {
  --bg: #f7f8fa; --panel: #ffffff; --ink: #1c2430; --muted: #5b6675; --line: #dde2ea; --soft: #eef1f5;
  --accent: #0072b2; --focus: #0072b2;
  --pass: #00795c; --pass-bg: #e3f4ee;
  --fail: #c24e00; --fail-ink: #ffffff;
  --error: #9b3d78; --error-ink: #ffffff;
  --inc: #8a6100; --inc-bg: #fdf3d8;
  --out: #0072b2; --in: #2f3b4a; --bad: #c24e00;
  --mono: ui-monospace, "SFMono-Regular", "Cascadia Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12161c; --panel: #1a2028; --ink: #e3e8ef; --muted: #9aa6b5; --line: #2c3440; --soft: #222a34;
    --accent: #56b4e9; --focus: #56b4e9;
    --pass: #3fc39a; --pass-bg: #14302a;
    --fail: #e0782f; --fail-ink: #1a1000;
    --error: #d68ab8; --error-ink: #230a19;
    --inc: #f0c24a; --inc-bg: #33290f;
    --out: #56b4e9; --in: #c9d3df; --bad: #e0782f;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0; color: var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", sans-serif; }
#app { max-width: 1240px; margin: 0 auto; padding: 24px 24px 48px; }
a { color: var(--accent); }
button, select, input { font: inherit; color: inherit; }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
.mono, code, pre { font-family: var(--mono); font-size: 12.5px; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
noscript p { padding: 24px; }

.top { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin-bottom: 18px; }
.top-row { display: flex; align-items: flex-start; justify-content: space-between; gap: 16px; flex-wrap: wrap; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); font-weight: 600; }
h1 { margin: 2px 0 12px; font-size: 24px; line-height: 1.25; font-weight: 650; }
.status { font-size: 16px; font-weight: 650; padding: 6px 14px; border-radius: 999px; white-space: nowrap; border: 2px solid; }
.s-fail { color: var(--fail-ink); background: var(--fail); border-color: var(--fail); }
.s-error { color: var(--error-ink); background: var(--error); border-color: var(--error); }
.s-pass { color: var(--pass); background: var(--pass-bg); border-color: var(--pass); }
.s-none { color: var(--muted); border-color: var(--line); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0 0 16px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.files { display: inline-flex; gap: 12px; flex-wrap: wrap; }
.file { font-family: var(--mono); font-size: 12.5px; }
.file::before { content: "⤓ "; text-decoration: none; display: inline-block; margin-right: 2px; }
table.runs { width: 100%; border-collapse: collapse; margin: 0 0 16px; }
table.runs th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 4px 8px 6px 0; }
table.runs td { border-bottom: 1px solid var(--soft); padding: 6px 8px 6px 0; vertical-align: top; }
.tally { display: inline-flex; gap: 10px; flex-wrap: wrap; }
.v-pass-text { color: var(--pass); } .v-fail-text { color: var(--fail); font-weight: 600; } .v-error-text { color: var(--error); font-weight: 600; } .v-inconclusive-text { color: var(--inc); }
.counts { display: flex; gap: 10px; flex-wrap: wrap; }
.count { display: flex; flex-direction: column; align-items: flex-start; min-width: 104px; padding: 8px 14px; border-radius: 8px; border: 1px solid var(--line); background: var(--panel); text-align: left; }
button.count { cursor: pointer; border-left-width: 5px; }
button.count:hover { background: var(--soft); }
.count-n { font-size: 22px; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
.count-label { font-size: 12.5px; color: var(--muted); }
.c-pass { border-left-color: var(--pass); } .c-pass .count-n { color: var(--pass); }
.c-fail { border-left-color: var(--fail); } .c-fail .count-n { color: var(--fail); }
.c-error { border-left-color: var(--error); } .c-error .count-n { color: var(--error); }
.c-inconclusive { border-left-color: var(--inc); } .c-inconclusive .count-n { color: var(--inc); }
.warnings { margin-top: 12px; }
.warn { margin: 6px 0 0; padding: 8px 12px; border-radius: 6px; background: var(--inc-bg); color: var(--ink); border-left: 4px solid var(--inc); }
.note { margin: 6px 0 0; color: var(--muted); }

.controls { position: sticky; top: 0; z-index: 2; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; padding: 10px 0; background: var(--bg); }
.search { flex: 1 1 280px; min-width: 220px; padding: 7px 12px; border: 1px solid var(--line); border-radius: 8px; background: var(--panel); }
.chips { display: inline-flex; gap: 6px; flex-wrap: wrap; }
.chip-v { cursor: pointer; padding: 5px 10px; border-radius: 999px; border: 1.5px solid var(--line); background: var(--panel); font-size: 13px; }
.chip-v .chip-n { color: var(--muted); font-variant-numeric: tabular-nums; }
.chip-v[aria-pressed="true"].v-pass { border-color: var(--pass); color: var(--pass); }
.chip-v[aria-pressed="true"].v-fail { border-color: var(--fail); color: var(--fail); }
.chip-v[aria-pressed="true"].v-error { border-color: var(--error); color: var(--error); }
.chip-v[aria-pressed="true"].v-inconclusive { border-color: var(--inc); color: var(--inc); }
.chip-v.off { text-decoration: line-through; opacity: .6; }
.select { padding: 6px 8px; border: 1px solid var(--line); border-radius: 8px; background: var(--panel); }
.reset { cursor: pointer; padding: 5px 10px; border: 0; background: none; color: var(--accent); text-decoration: underline; }
.shown { color: var(--muted); margin-left: auto; font-variant-numeric: tabular-nums; }
.empty { padding: 24px; text-align: center; color: var(--muted); }

table.tests { width: 100%; border-collapse: separate; border-spacing: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
table.tests th { text-align: left; font-size: 12px; font-weight: 600; color: var(--muted); padding: 8px 12px; border-bottom: 1px solid var(--line); background: var(--soft); }
table.tests td { padding: 9px 12px; border-bottom: 1px solid var(--soft); vertical-align: top; }
tr.row { cursor: pointer; }
tr.row:hover td, tr.row.open td { background: var(--soft); }
tr.row td:first-child { border-left: 4px solid transparent; width: 140px; }
tr.r-fail td:first-child { border-left-color: var(--fail); }
tr.r-error td:first-child { border-left-color: var(--error); }
tr.r-inconclusive td:first-child { border-left-color: var(--inc); }
tr.r-pass td:first-child { border-left-color: var(--pass); }
.test-id { font-family: var(--mono); font-size: 12.5px; font-weight: 600; overflow-wrap: anywhere; }
.test-title { color: var(--ink); }
.test-msg { color: var(--muted); font-size: 12.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 760px; }
td.suite, td.board { color: var(--muted); white-space: nowrap; }

.badge { display: inline-flex; align-items: center; gap: 5px; padding: 2px 9px 2px 7px; border-radius: 999px; font-size: 12.5px; font-weight: 600; border: 1.5px solid; white-space: nowrap; }
.badge-icon { font-weight: 700; }
.v-pass.badge { color: var(--pass); background: var(--pass-bg); border-color: var(--pass); }
.v-fail.badge { color: var(--fail-ink); background: var(--fail); border-color: var(--fail); }
.v-error.badge { color: var(--error-ink); background: var(--error); border-color: var(--error); }
.v-inconclusive.badge { color: var(--inc); background: var(--inc-bg); border-color: var(--inc); border-style: dashed; }

tr.detail-row > td { padding: 0; background: var(--bg); border-bottom: 1px solid var(--line); }
.detail { padding: 16px 20px 20px 24px; border-left: 4px solid var(--line); }
.why { border-radius: 8px; padding: 10px 14px; margin-bottom: 14px; border: 1px solid var(--line); border-left-width: 5px; background: var(--panel); }
.why-fail { border-left-color: var(--fail); } .why-error { border-left-color: var(--error); } .why-inconclusive { border-left-color: var(--inc); } .why-pass { border-left-color: var(--pass); }
.why-head { font-weight: 650; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.why-rule { font-family: var(--mono); font-size: 12.5px; font-weight: 600; padding: 1px 8px; border-radius: 4px; background: var(--soft); }
.why-text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 8px 0 0; }
.d-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 28px; }
@media (max-width: 800px) { .d-grid { grid-template-columns: 1fr; } }
.d-sec h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 14px 0 6px; }
.refs { margin: 0; padding-left: 18px; }
.needs { margin-top: 6px; }
.chip { display: inline-block; padding: 0 6px; margin: 0 4px 4px 0; border-radius: 4px; background: var(--soft); }
.d-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
.d-facts dt { color: var(--muted); }
.d-facts dd { margin: 0; overflow-wrap: anywhere; }
.notes { margin: 0; padding-left: 22px; }
.notes li { white-space: pre-wrap; overflow-wrap: anywhere; }
.legend { margin: 0 0 6px; font-size: 12.5px; }
.msc-box { overflow-x: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 6px 0; }
svg.msc { display: block; max-width: 100%; height: auto; margin: 0 auto; font-family: var(--mono); }
.msc text { white-space: pre; fill: var(--ink); }
.msc-head rect { fill: var(--soft); stroke: var(--line); }
.msc-head text { font-family: system-ui, sans-serif; font-weight: 650; font-size: 13px; }
.msc-tcol { font-size: 11px; fill: var(--muted) !important; font-family: system-ui, sans-serif; }
.msc-life { stroke: var(--line); stroke-width: 2; }
.msc-sep { stroke: var(--muted); stroke-dasharray: 2 4; opacity: .6; }
.msc-sep-label { font-size: 10.5px; fill: var(--muted) !important; }
.msc-t { font-size: 11px; fill: var(--muted) !important; }
.msc-l1 { font-size: 12px; font-weight: 600; }
.msc-l2 { font-size: 11px; fill: var(--muted) !important; }
.msg .msc-arrow { stroke-width: 1.6; }
.msg.out .msc-arrow { stroke: var(--out); } .msg.out .msc-head-arrow { fill: var(--out); }
.msg.in .msc-arrow { stroke: var(--in); } .msg.in .msc-head-arrow { fill: var(--in); }
.msg.retrans .msc-arrow { stroke-dasharray: 7 4; }
.msg.malformed .msc-arrow { stroke: var(--bad); stroke-dasharray: 2 3; stroke-width: 2; }
.msg.malformed .msc-head-arrow { fill: none; }
.msg.malformed .msc-l1, .msc-x { fill: var(--bad) !important; font-weight: 700; }
.msg:hover .msc-arrow { stroke-width: 3; }
.msg.cited .msc-l1 { fill: var(--bad) !important; }
.msg.cited .msc-arrow { stroke-width: 2.6; }
.lg-retrans, .lg-malformed { color: var(--ink); } .lg-cited { color: var(--bad); }
.show-console { cursor: pointer; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); }
.console-box { margin-top: 8px; }
.console-filter { width: 100%; max-width: 560px; margin-bottom: 8px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); font-family: var(--mono); font-size: 12.5px; }
.console { font-family: var(--mono); font-size: 12px; line-height: 1.45; background: #0f141a; color: #d5dde7; border-radius: 8px; padding: 8px 0; max-height: 560px; overflow: auto; }
.ln { display: flex; white-space: pre; }
.ln-n { flex: none; width: 64px; padding-right: 12px; text-align: right; color: #6b7785; user-select: none; }
.ln-t { white-space: pre-wrap; overflow-wrap: anywhere; padding-right: 12px; }
.ln-err .ln-t { color: #ff9f6b; } .ln-err .ln-n::after { content: " ✗"; }
.ln-wrn .ln-t { color: #f0d36b; } .ln-wrn .ln-n::after { content: " !"; }
.pager { display: flex; gap: 12px; align-items: center; justify-content: center; padding: 10px; color: var(--muted); }
.pg-btn { cursor: pointer; padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
.pg-btn:disabled { opacity: .4; cursor: default; }
.pg-where { font-variant-numeric: tabular-nums; }
.foot { margin-top: 28px; color: var(--muted); font-size: 12px; text-align: center; }
@media print { .controls, .pager, .show-console { display: none; } body { background: #fff; } }
`;
