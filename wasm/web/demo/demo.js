// The demo page: EventSourceClient on /events?topic=..., a live list, and a publish form.
import { EventSourceClient } from '../pkg/index.js';

const $ = (id) => document.getElementById(id);
const STATES = ['connecting', 'open', 'closed'];
const MAX_ROWS = 500;  // keep the page light on a busy topic
let client = null;
let count = 0;

function showState() {
  const state = client ? client.readyState : 2;
  $('state').dataset.state = String(state);
  $('state').textContent = STATES[state];
  $('connect').disabled = state !== 2;
  $('disconnect').disabled = state === 2;
}

function addRow(event) {
  const row = document.createElement('tr');
  row.className = 'event';
  for (const [text, cls] of [[new Date().toLocaleTimeString(), ''], [event.type, 'kind kind-event'], [event.lastEventId, 'mono'], [event.data, 'mono data']]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (cls) cell.className = cls;
    row.append(cell);
  }
  $('events').prepend(row);
  while ($('events').rows.length > MAX_ROWS) $('events').lastElementChild.remove();
  $('count').textContent = `(${++count})`;
}

// The server sends every topic's events with their publisher's type: listen to the types this
// page publishes (and `message`), plus any type seen in the publish form.
const listened = new Set();
function listen(type) {
  if (!client || listened.has(type)) return;
  listened.add(type);
  client.addEventListener(type, addRow);
}

$('subscribe').addEventListener('submit', (e) => {
  e.preventDefault();
  client?.close();
  listened.clear();
  client = new EventSourceClient(`/events?topic=${encodeURIComponent($('topic').value)}`);
  client.onopen = showState;
  client.onerror = showState;
  listen('message');
  const type = $('pub-type').value.trim();
  if (type) listen(type);
  showState();
});

$('disconnect').addEventListener('click', () => {
  client?.close();
  showState();
});

$('publish').addEventListener('submit', async (e) => {
  e.preventDefault();
  const type = $('pub-type').value.trim();
  if (type) listen(type);
  const body = { topic: $('topic').value, data: $('pub-data').value };
  if (type) body.type = type;
  try {
    const res = await fetch('/publish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await res.text();
    $('pub-result').textContent = res.ok ? `Published (${res.status}) ${answer.trim()}` : `Refused: ${res.status} ${answer.trim()}`;
  } catch (error) {
    $('pub-result').textContent = `Could not reach the server: ${error.message}`;
  }
});

showState();
$('connect').click();
