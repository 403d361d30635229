/** The dashboard's one stylesheet and one small script, served from memory (no build step, no inline script). */

/** `/assets/app.css`. */
export const APP_CSS = `
:root { --green: #1a7f37; --yellow: #b58100; --red: #c9252d; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", system-ui, sans-serif; color: #1f2328; background: #f6f8fa; }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #8b1a1a; color: #fff; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; font-size: 1.1rem; }
header.top nav { display: flex; gap: 1rem; flex: 1; }
header.top .logout { display: flex; gap: .5rem; align-items: center; margin: 0; }
header.top .logout button { background: transparent; color: #fff; border: 1px solid #fff8; border-radius: 4px; cursor: pointer; }
main { padding: 1rem 1.2rem 3rem; }
h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
a { color: #0b5cad; }
.muted { color: var(--muted); }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
.light { display: inline-flex; align-items: center; gap: .3rem; white-space: nowrap; }
.light::before { content: ""; width: .8rem; height: .8rem; border-radius: 50%; display: inline-block; }
.light-green::before { background: var(--green); }
.light-yellow::before { background: var(--yellow); }
.light-red::before { background: var(--red); }
figure.chart { margin: .8rem 0; background: #fff; border: 1px solid var(--line); max-width: 640px; }
figure.chart svg { display: block; width: 100%; height: auto; }
#ranking tr.criticised td { color: var(--red); }
.matrix-wrap { overflow: auto; max-height: 75vh; border: 1px solid var(--line); }
nav.pager { margin: .4rem 0; }
nav.pager a { margin-left: .8rem; }
table.matrix { font-size: 12px; }
table.matrix th.unit { writing-mode: vertical-rl; white-space: nowrap; padding: .4rem .15rem; position: sticky; top: 0; z-index: 1; }
table.matrix th.task { position: sticky; left: 0; background: #fff; min-width: 16rem; max-width: 22rem; font-weight: normal; z-index: 1; }
table.matrix td { padding: 0; text-align: center; }
table.matrix td a { display: block; padding: .25rem; text-decoration: none; }
table.matrix td .light { font-size: 0; }
.counts { display: flex; gap: 1.2rem; margin: .5rem 0 1rem; }
.flash { padding: .6rem .9rem; border-radius: 4px; margin: 0 0 1rem; }
.banner { padding: .5rem 1rem; background: #fff8c5; border-bottom: 1px solid #d4a72c; }
.provisional { font-size: .8em; padding: 0 .3em; border: 1px dashed #d4a72c; border-radius: 3px; }
.calendar-error { font-size: .8em; padding: 0 .3em; border: 1px solid var(--red); border-radius: 3px; }
.flash.ok { background: #dafbe1; border: 1px solid var(--green); }
.flash.error { background: #ffebe9; border: 1px solid var(--red); }
form.card, .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem; max-width: 44rem; }
form.card label { display: block; margin: .5rem 0 .2rem; font-weight: 600; }
form.card input, form.card select, form.card textarea { width: 100%; padding: .35rem; font: inherit; }
form.card button, .button { margin-top: .8rem; padding: .4rem 1.2rem; background: #8b1a1a; color: #fff; border: 0; border-radius: 4px; cursor: pointer; font: inherit; }
code.feed { word-break: break-all; }
details summary { cursor: pointer; }
details > form.card { margin-top: .5rem; }
td .margin { font-weight: 600; }
`;

/** `/assets/app.js`: pre-selects the fulfilment form from a row's button and copies feed URLs. */
export const APP_JS = `
document.addEventListener('click', function (e) {
  var target = e.target;
  if (!(target instanceof HTMLElement)) return;
  var pick = target.closest('[data-fulfil]');
  if (pick) {
    var select = document.getElementById('fulfil-obligation');
    if (select) { select.value = pick.getAttribute('data-fulfil'); }
    var doc = document.getElementById('fulfil-document');
    if (doc) { doc.focus(); }
  }
  var copy = target.closest('[data-copy]');
  if (copy && navigator.clipboard) {
    navigator.clipboard.writeText(copy.getAttribute('data-copy')).then(function () { copy.textContent = '已复制'; });
  }
});
`;
