#!/usr/bin/env node
// Example Anthropic Messages streaming endpoint for `sse-conformance --profile anthropic`:
// POST /v1/messages with `stream: true` answers with named events (event: = the data's type):
// message_start, a ping, a text block and a tool_use block (content_block_start, deltas,
// content_block_stop, by index), message_delta, message_stop, then ends, as the streaming docs show.
import { frame, runExample } from './llm-shapes.mjs';

const variants = {
  'event-type-mismatch': 'anthropic/event/1',  // event: delta on a content_block_delta
  'stop-before-delta': 'anthropic/order/1',    // message_stop before message_delta
  'delta-before-start': 'anthropic/blocks/1',  // a delta for block 1 before its content_block_start
  'block-without-delta': 'anthropic/blocks/1', // block 0 started and stopped with no content_block_delta
  'block-left-open': 'anthropic/blocks/1',     // the stream ends after block 1's deltas, block 1 never stopped
  'bad-error': 'anthropic/error/1',            // an error event without its error object
  'error-not-last': 'anthropic/error/1',       // events after an error event
};

const usage = `usage: node anthropic-server.mjs [--port N] [--broken VARIANT] [--list-broken]

An Anthropic Messages streaming endpoint at POST /v1/messages (a JSON body with model, max_tokens,
messages and stream: true; 400 otherwise). Prints "args [...]" (the -d body for sse-conformance) and
"listening URL". Broken variants: ${Object.keys(variants).join(', ')}.`;

runExample({
  name: 'anthropic',
  path: '/v1/messages',
  request: { model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }], stream: true },
  check(body) {
    if (typeof body.model !== 'string') return 'model: Field required';
    if (!Number.isInteger(body.max_tokens)) return 'max_tokens: Field required';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required';
    if (body.stream !== true) return 'this endpoint only streams: set stream: true';
    return null;
  },
  frames(body, broken) {
    const text = (index, t) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
    const json = (index, p) => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: p } });
    const messageDelta = { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 15 } };
    let events = [
      { type: 'message_start', message: { id: 'msg_conformance1', type: 'message', role: 'assistant', content: [],
        model: body.model, stop_reason: null, stop_sequence: null, usage: { input_tokens: 9, output_tokens: 1 } } },
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      text(0, 'Hello'),
      text(0, '! Let me look that up.'),
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_conformance1', name: 'search', input: {} } },
      json(1, '{"q": '),
      json(1, '"hello"}'),
      { type: 'content_block_stop', index: 1 },
      messageDelta,
      { type: 'message_stop' },
    ];
    const overloaded = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    if (broken === 'stop-before-delta') events.splice(10, 2, { type: 'message_stop' }, messageDelta);
    if (broken === 'delta-before-start') events.splice(6, 0, json(1, ''));
    if (broken === 'block-without-delta') events.splice(3, 2);
    if (broken === 'block-left-open') events = events.slice(0, 9);
    if (broken === 'bad-error') events = [...events.slice(0, 5), { type: 'error', message: 'Overloaded' }];
    if (broken === 'error-not-last') events.splice(5, 0, overloaded);
    return events.map((e, n) => frame(e, broken === 'event-type-mismatch' && n === 3 ? 'delta' : e.type));
  },
  variants,
  usage,
});
