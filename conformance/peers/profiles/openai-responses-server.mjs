#!/usr/bin/env node
// Example OpenAI Responses streaming endpoint for `sse-conformance --profile openai-responses`:
// POST /v1/responses with `stream: true` answers with named events (event: = the data's type),
// each with a sequence_number: response.created, response.in_progress, an output item with its
// content part and text deltas, then response.completed, then ends.
import { frame, runExample } from './llm-shapes.mjs';

const variants = {
  'event-type-mismatch': 'openai-responses/event/1',  // event: message on a delta
  'sequence-repeats': 'openai-responses/sequence/1',  // one sequence_number used twice
  'no-created': 'openai-responses/created/1',         // response.in_progress first
  'no-terminal': 'openai-responses/terminal/1',       // ends without response.completed
  'event-after-terminal': 'openai-responses/terminal/1',  // a delta after response.completed
  'delta-before-added': 'openai-responses/delta/1',   // a text delta before its output_item.added
};

const usage = `usage: node openai-responses-server.mjs [--port N] [--broken VARIANT] [--list-broken]

An OpenAI Responses streaming endpoint at POST /v1/responses (a JSON body with model, input and
stream: true; 400 otherwise). Prints "args [...]" (the -d body for sse-conformance) and "listening
URL". Broken variants: ${Object.keys(variants).join(', ')}.`;

runExample({
  name: 'openai-responses',
  path: '/v1/responses',
  request: { model: 'gpt-4o-mini', input: 'Say hello', stream: true },
  check(body) {
    if (typeof body.model !== 'string') return 'model: a string is required';
    if (typeof body.input !== 'string' && !Array.isArray(body.input)) return 'input: a string or an array is required';
    if (body.stream !== true) return 'this endpoint only streams: set stream: true';
    return null;
  },
  frames(body, broken) {
    const response = (status, output = []) => ({
      id: 'resp_conformance1', object: 'response', created_at: 1764979200, status, model: body.model, output,
      ...(status === 'completed' ? { usage: { input_tokens: 9, output_tokens: 7, total_tokens: 16 } } : {}),
    });
    const item = (status, text) => ({
      id: 'msg_conformance1', type: 'message', status, role: 'assistant',
      content: text === undefined ? [] : [{ type: 'output_text', text, annotations: [] }],
    });
    const where = { item_id: 'msg_conformance1', output_index: 0, content_index: 0 };
    const pieces = ['Hello', '!', ' How can I help?'];
    const text = pieces.join('');
    let events = [
      { type: 'response.created', response: response('in_progress') },
      { type: 'response.in_progress', response: response('in_progress') },
      { type: 'response.output_item.added', output_index: 0, item: item('in_progress') },
      { type: 'response.content_part.added', ...where, part: { type: 'output_text', text: '', annotations: [] } },
      ...pieces.map((delta) => ({ type: 'response.output_text.delta', ...where, delta })),
      { type: 'response.output_text.done', ...where, text },
      { type: 'response.content_part.done', ...where, part: { type: 'output_text', text, annotations: [] } },
      { type: 'response.output_item.done', output_index: 0, item: item('completed', text) },
      { type: 'response.completed', response: response('completed', [item('completed', text)]) },
    ];
    if (broken === 'no-created') events = events.slice(1);
    if (broken === 'no-terminal') events = events.slice(0, -1);
    if (broken === 'delta-before-added') events.splice(2, 0, { type: 'response.output_text.delta', ...where, delta: '' });
    if (broken === 'event-after-terminal') events.push({ type: 'response.output_text.delta', ...where, delta: '.' });
    events.forEach((e, n) => { e.sequence_number = n; });
    if (broken === 'sequence-repeats') events[5].sequence_number = events[4].sequence_number;
    return events.map((e, n) => frame(e, broken === 'event-type-mismatch' && n === 5 ? 'message' : e.type));
  },
  variants,
  usage,
});
