#!/usr/bin/env node
// Example OpenAI Chat Completions streaming endpoint for `sse-conformance --profile openai-chat`:
// POST /v1/chat/completions with `stream: true` answers with chat.completion.chunk events (a role
// chunk, content deltas, a finish_reason chunk, the usage chunk when stream_options.include_usage
// is set), then `data: [DONE]`, then ends. The shape follows the API reference's streaming example.
import { frame, runExample } from './llm-shapes.mjs';

const variants = {
  'bad-json': 'openai-chat/data/1',            // one chunk's JSON cut short
  'no-done': 'openai-chat/done/1',             // the stream ends without data: [DONE]
  'done-not-last': 'openai-chat/done/1',       // a chunk after data: [DONE]
  'mixed-ids': 'openai-chat/chunk/1',          // one chunk with another id
  'no-finish-reason': 'openai-chat/finish-reason/1',  // finish_reason stays null
  'usage-not-last': 'openai-chat/usage/1',     // the usage chunk before the finish chunk
  'usage-missing': 'openai-chat/usage/1',      // the chunks before the usage chunk leave out usage (not usage: null)
  'named-events': 'openai-chat/unnamed/1',     // event: chat.completion.chunk on every chunk
};

const usage = `usage: node openai-chat-server.mjs [--port N] [--broken VARIANT] [--list-broken]

An OpenAI Chat Completions streaming endpoint at POST /v1/chat/completions (a JSON body with model,
messages and stream: true; 400 otherwise). Prints "args [...]" (the -d body for sse-conformance) and
"listening URL". Broken variants: ${Object.keys(variants).join(', ')}.`;

runExample({
  name: 'openai-chat',
  path: '/v1/chat/completions',
  request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], stream: true,
             stream_options: { include_usage: true } },
  check(body) {
    if (typeof body.model !== 'string') return 'model: a string is required';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: a non-empty array is required';
    if (body.stream !== true) return 'this endpoint only streams: set stream: true';
    return null;
  },
  frames(body, broken) {
    const withUsage = body.stream_options?.include_usage === true;
    const id = 'chatcmpl-conformance1';
    const chunk = (choices, extra = {}) => ({
      id, object: 'chat.completion.chunk', created: 1764979200, model: body.model, system_fingerprint: 'fp_conformance',
      choices, ...(withUsage && broken !== 'usage-missing' ? { usage: null } : {}), ...extra,
    });
    const delta = (d, finish = null) => [{ index: 0, delta: d, logprobs: null, finish_reason: finish }];
    const chunks = [
      chunk(delta({ role: 'assistant', content: '', refusal: null })),
      chunk(delta({ content: 'Hello' })),
      chunk(delta({ content: '!' }), broken === 'mixed-ids' ? { id: 'chatcmpl-other' } : {}),
      chunk(delta({ content: ' How can I help?' })),
      chunk(delta({}, broken === 'no-finish-reason' ? null : 'stop')),
    ];
    if (withUsage) {
      const u = chunk([], { usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 } });
      if (broken === 'usage-not-last') chunks.splice(chunks.length - 1, 0, u);
      else chunks.push(u);
    }
    const event = broken === 'named-events' ? 'chat.completion.chunk' : undefined;
    const out = chunks.map((c) => frame(c, event));
    if (broken === 'bad-json') out[2] = frame(JSON.stringify(chunks[2]).slice(0, 40), event);
    if (broken !== 'no-done') out.push(frame('[DONE]'));
    if (broken === 'done-not-last') out.push(frame(chunks[1], event));
    return out;
  },
  variants,
  usage,
});
