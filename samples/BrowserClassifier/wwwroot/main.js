// The page: a drawing pad, the baked classifier's ten probabilities as you draw, and the three runtimes side by side.
// window.letters is what the browser test drives (the same functions the buttons use).
import { loadRuntimes, medianMilliseconds, softmax } from './runtimes.js';

const pad = document.getElementById('pad');
const ctx = pad.getContext('2d', { willReadFrequently: true });
const $ = id => document.getElementById(id);

// notMNIST glyphs fill their 28x28 box: crop the drawing to its ink, scale it to fit, centre it, read grey levels.
function pixels() {
  const data = ctx.getImageData(0, 0, pad.width, pad.height).data;
  let top = pad.height, left = pad.width, bottom = -1, right = -1;
  for (let y = 0; y < pad.height; y++) for (let x = 0; x < pad.width; x++)
    if (data[(y * pad.width + x) * 4] > 40) { top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x); }
  const small = document.createElement('canvas'); small.width = small.height = 28;
  const s = small.getContext('2d', { willReadFrequently: true }); s.fillStyle = '#000'; s.fillRect(0, 0, 28, 28);
  if (bottom >= 0) {
    const w = right - left + 1, h = bottom - top + 1, scale = 26 / Math.max(w, h);
    s.drawImage(pad, left, top, w, h, (28 - w * scale) / 2, (28 - h * scale) / 2, w * scale, h * scale);
  }
  const grey = s.getImageData(0, 0, 28, 28).data;
  return Uint8Array.from({ length: 784 }, (_, i) => grey[i * 4]);
}

function clearPad() {
  ctx.fillStyle = '#000'; ctx.fillRect(0, 0, pad.width, pad.height);
  $('letter').textContent = ''; $('bars').innerHTML = ''; $('latency').textContent = '';
}

/** A typeset capital, as notMNIST's glyphs are. */
function drawTypeset(letter) {
  clearPad();
  ctx.fillStyle = '#fff'; ctx.font = 'bold 220px Georgia, serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
  ctx.fillText(letter, pad.width / 2, pad.height / 2 + 10);
}

const runtimes = await loadRuntimes().catch(error => { $('status').textContent = `Could not start: ${error}`; throw error; });
const [ours] = runtimes;
const classNames = ours.classNames;

/** Ours on the drawing, shown as you draw: the letter, the ten probabilities, and how long the call took. */
async function showPrediction() {
  const input = pixels();
  const start = performance.now();
  const logits = await ours.logits(input);
  const milliseconds = performance.now() - start;
  const probabilities = softmax(logits);
  const best = probabilities.indexOf(Math.max(...probabilities));
  $('letter').textContent = classNames[best];
  $('bars').innerHTML = probabilities.map((p, i) =>
    `<div class="bar"><span>${classNames[i]}</span><div style="width:${(p * 100).toFixed(1)}%"></div><span>${(p * 100).toFixed(1)}%</span></div>`).join('');
  $('latency').textContent = `This prediction took ${milliseconds.toFixed(1)} ms in ${ours.name}.`;
}

/** Every runtime's answer for one drawing: logits, letter, confidence. */
async function classifyAll(input) {
  const answers = [];
  for (const runtime of runtimes) {
    const logits = Array.from(await runtime.logits(input));
    const probabilities = softmax(logits);
    const best = probabilities.indexOf(Math.max(...probabilities));
    answers.push({ runtime: runtime.name, logits, letter: classNames[best], confidence: probabilities[best] });
  }
  return answers;
}

/** Every runtime's answer and median time per prediction on the current drawing, into the table. */
async function compare() {
  $('compare').disabled = true;
  $('status').textContent = 'Timing each runtime…';
  const input = pixels();
  const answers = await classifyAll(input);
  const rows = [];
  for (const [i, runtime] of runtimes.entries()) {
    const timing = await medianMilliseconds(runtime, input);
    rows.push({ ...answers[i], detail: runtime.detail, milliseconds: timing.milliseconds, calls: timing.calls });
  }
  $('runtimes').querySelector('tbody').innerHTML = rows.map(r =>
    `<tr><td title="${r.detail}">${r.runtime}</td><td>${r.letter}</td><td class="number">${(r.confidence * 100).toFixed(1)}%</td>` +
    `<td class="number">${r.milliseconds.toFixed(3)} ms</td></tr>`).join('');
  const ceiling = ours.ceilingGflops();
  $('status').textContent = `Each time is a median over 31 samples of calls one after another, on this page's thread. ` +
    `For scale: the fastest .NET loop found for this page (128-bit multiply-adds) does ${ceiling.toFixed(1)} GFLOP/s.`;
  $('compare').disabled = false;
  return rows;
}

let drawing = false, pending = false;
const at = e => { const r = pad.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
ctx.lineWidth = 22; ctx.lineCap = 'round'; ctx.lineJoin = 'round'; ctx.strokeStyle = '#fff';
pad.addEventListener('pointerdown', e => { drawing = true; ctx.beginPath(); ctx.moveTo(...at(e)); });
pad.addEventListener('pointermove', e => {
  if (!drawing) return;
  ctx.lineTo(...at(e)); ctx.stroke();
  // At most one prediction a frame, however fast the pointer moves.
  if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; showPrediction(); }); }
});
addEventListener('pointerup', () => { drawing = false; });

let exampleIndex = 0;
$('example').addEventListener('click', () => { drawTypeset(classNames[exampleIndex]); exampleIndex = (exampleIndex + 1) % classNames.length; showPrediction(); });
$('clear').addEventListener('click', clearPad);
$('compare').addEventListener('click', compare);

clearPad();
$('platform').textContent = runtimes.map(r => `${r.name}: ${r.detail}`).join(' · ');
$('status').textContent = 'Ready.';
$('compare').disabled = false;
window.letters = { classNames, pixels, drawTypeset, classifyAll, compare, runtimes };
