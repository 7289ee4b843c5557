#!/usr/bin/env node
// A fake OpenAI Chat Completions upstream for the benchmarks: node:http, loopback only, and as
// cheap per request as it can be, so what the benchmarks see is the gateway in front of it.
//
//   node bench/fake-upstream.js [--port N] [--chunks N]
//
// Prints one line `fake-upstream listening <port>` on stdout once it listens (port 0 = any free
// port). POST .../chat/completions answers a fixed small chat.completion; with "stream": true, a
// fixed SSE stream: N content chunks, a finish chunk, a usage chunk ("choices": []) only when
// stream_options.include_usage is true, then `data: [DONE]`. Each frame is one `data: <json>\n\n`
// write. GET /__stats tells how many requests it served and what the last one looked like (model,
// authorization present), so the bench can check a gateway really forwarded what it should.
// POST /v1/messages answers as Anthropic's Messages API would, just as cheaply: a fixed Message,
// or with "stream": true its events (message_start, a text block of N deltas, message_delta,
// message_stop), each one write.
// POST /v1/responses answers as OpenAI's Responses API would (reference/responses-api.md 3 and
// 4): a fixed completed response (a reasoning item, then the message; usage with its cached and
// reasoning parts), or with "stream": true its events, each `event: <type>` plus `data: <json>`
// with a sequence_number and one write: response.created, response.in_progress, the reasoning
// item added and done, the message added, its content part, N output_text.delta events, the
// text, part and item done, then response.completed with the whole output and usage; no [DONE].
import { createServer } from 'node:http';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const port = option('--port', 0);
const chunkCount = option('--chunks', 20);

const ID = 'chatcmpl-bench0000000000000000000000';
const CREATED = 1_700_000_000;
const MODEL = 'gpt-4o-mini-2024-07-18';
const USAGE = { prompt_tokens: 12, completion_tokens: chunkCount, total_tokens: 12 + chunkCount };

const completionBody = Buffer.from(
  JSON.stringify({
    id: ID,
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the fake upstream.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: USAGE,
    system_fingerprint: 'fp_bench',
  }),
);
const completionHeaders = {
  'content-type': 'application/json',
  'content-length': String(completionBody.length),
};

const frame = (value) => Buffer.from(`data: ${JSON.stringify(value)}\n\n`);
const chunk = (delta, finish) => ({
  id: ID,
  object: 'chat.completion.chunk',
  created: CREATED,
  model: MODEL,
  system_fingerprint: 'fp_bench',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
});
// The first chunk already carries content, so "first content frame" is the first frame.
const streamFrames = [];
for (let index = 0; index < chunkCount; index++) {
  streamFrames.push(frame(chunk(index === 0 ? { role: 'assistant', content: 'tok0' } : { content: ` tok${index}` }, null)));
}
streamFrames.push(frame(chunk({}, 'stop')));
const usageFrame = frame({ id: ID, object: 'chat.completion.chunk', created: CREATED, model: MODEL, system_fingerprint: 'fp_bench', choices: [], usage: USAGE });
const doneFrame = Buffer.from('data: [DONE]\n\n');
const streamHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

const messageBody = Buffer.from(
  JSON.stringify({
    id: 'msg_bench000000000000000000',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text: 'Hello from the fake upstream.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: chunkCount },
  }),
);
const messageHeaders = { 'content-type': 'application/json', 'content-length': String(messageBody.length), 'request-id': 'req_bench0000000000000000' };
const event = (type, value) => Buffer.from(`event: ${type}\ndata: ${JSON.stringify({ type, ...value })}\n\n`);
const messageFrames = [
  event('message_start', { message: { id: 'msg_bench000000000000000000', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } }),
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
];
for (let index = 0; index < chunkCount; index++) messageFrames.push(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: index === 0 ? 'tok0' : ` tok${index}` } }));
messageFrames.push(event('content_block_stop', { index: 0 }), event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: chunkCount } }), event('message_stop', {}));

// OpenAI's Responses API, as gpt-5 answers: a reasoning item (no summary asked for), then the message.
const RESPONSE_ID = 'resp_bench00000000000000000000000000000000000000';
const REASONING_ID = 'rs_bench0000000000000000000000000000000000000000';
const OUTPUT_MESSAGE_ID = 'msg_bench0000000000000000000000000000000000000000';
const RESPONSES_USAGE = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 64 + chunkCount, output_tokens_details: { reasoning_tokens: 64 }, total_tokens: 76 + chunkCount };
const reasoningItem = { id: REASONING_ID, type: 'reasoning', summary: [] };
const outputMessage = (text, status) => ({ id: OUTPUT_MESSAGE_ID, type: 'message', status, content: text === undefined ? [] : [{ type: 'output_text', annotations: [], logprobs: [], text }], role: 'assistant' });
const responseObject = (status, output, usage) => ({
  id: RESPONSE_ID,
  object: 'response',
  created_at: CREATED,
  status,
  background: false,
  completed_at: status === 'completed' ? CREATED + 1 : null,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  model: 'gpt-5-2025-08-07',
  output,
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: 'medium', summary: null },
  service_tier: 'default',
  store: false,
  temperature: 1,
  text: { format: { type: 'text' }, verbosity: 'medium' },
  tool_choice: 'auto',
  tools: [],
  top_p: 1,
  truncation: 'disabled',
  usage,
  user: null,
  metadata: {},
});
const responseBody = Buffer.from(JSON.stringify(responseObject('completed', [reasoningItem, outputMessage('Hello from the fake upstream.', 'completed')], RESPONSES_USAGE)));
const responseHeaders = { 'content-type': 'application/json', 'content-length': String(responseBody.length), 'x-request-id': 'req_bench00000000000000000000000' };
const responsesStreamHeaders = { ...streamHeaders, 'x-request-id': 'req_bench00000000000000000000000' };
const responseFrames = [];
{
  let sequence = 0;
  const add = (type, fields) => responseFrames.push(Buffer.from(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`));
  const at = { item_id: OUTPUT_MESSAGE_ID, output_index: 1, content_index: 0 };
  let text = '';
  add('response.created', { response: responseObject('in_progress', [], null) });
  add('response.in_progress', { response: responseObject('in_progress', [], null) });
  add('response.output_item.added', { output_index: 0, item: reasoningItem });
  add('response.output_item.done', { output_index: 0, item: reasoningItem });
  add('response.output_item.added', { output_index: 1, item: outputMessage(undefined, 'in_progress') });
  add('response.content_part.added', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
  for (let index = 0; index < chunkCount; index++) {
    const delta = index === 0 ? 'tok0' : ` tok${index}`;
    text += delta;
    add('response.output_text.delta', { ...at, delta, logprobs: [] });
  }
  add('response.output_text.done', { ...at, text, logprobs: [] });
  add('response.content_part.done', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text } });
  add('response.output_item.done', { output_index: 1, item: outputMessage(text, 'completed') });
  add('response.completed', { response: responseObject('completed', [reasoningItem, outputMessage(text, 'completed')], RESPONSES_USAGE) });
}

const STREAM = /"stream"\s*:\s*true/;
const INCLUDE_USAGE = /"include_usage"\s*:\s*true/;
const notFound = Buffer.from(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error', param: null, code: null } }));

let served = 0;
let last = { body: '', authorization: undefined, chunks: 0, framing: undefined };

function answer(request, response, body, chunks) {
  served++;
  last = { body, authorization: request.headers.authorization ?? request.headers['x-api-key'], chunks, headers: request.headers };
  if (request.url.startsWith('/v1/messages')) {
    if (!STREAM.test(body)) {
      response.writeHead(200, messageHeaders);
      response.end(messageBody);
      return;
    }
    response.writeHead(200, streamHeaders);
    for (let index = 0; index < messageFrames.length - 1; index++) response.write(messageFrames[index]);
    response.end(messageFrames.at(-1));
    return;
  }
  if (request.url.startsWith('/v1/responses')) {
    if (!STREAM.test(body)) {
      response.writeHead(200, responseHeaders);
      response.end(responseBody);
      return;
    }
    response.writeHead(200, responsesStreamHeaders);
    for (let index = 0; index < responseFrames.length - 1; index++) response.write(responseFrames[index]);
    response.end(responseFrames.at(-1));
    return;
  }
  // A regex on the raw body instead of JSON.parse: cheaper, and enough for a fixed benchmark.
  if (!STREAM.test(body)) {
    response.writeHead(200, completionHeaders);
    response.end(completionBody);
    return;
  }
  response.writeHead(200, streamHeaders);
  for (const data of streamFrames) response.write(data);
  if (INCLUDE_USAGE.test(body)) response.write(usageFrame);
  response.end(doneFrame);
}

const server = createServer({ keepAliveTimeout: 120_000, noDelay: true }, (request, response) => {
  const url = request.url ?? '/';
  if (request.method === 'POST' && (url.endsWith('/chat/completions') || url.startsWith('/v1/messages') || url.startsWith('/v1/responses'))) {
    const chunks = [];
    request.on('data', (data) => chunks.push(data));
    request.on('end', () => answer(request, response, chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString(), chunks.length));
    return;
  }
  if (request.method === 'GET' && url === '/__stats') {
    let model;
    let stream;
    try {
      const parsed = JSON.parse(last.body);
      model = parsed.model;
      stream = parsed.stream;
    } catch {
      // no request yet
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    const headers = last.headers ?? {};
    response.end(
      JSON.stringify({
        served,
        last: {
          model,
          stream,
          authorization: last.authorization ? `${last.authorization.slice(0, 10)}...` : undefined,
          // How the request came: body framing, in how many reads, and which headers (names only).
          framing: headers['transfer-encoding'] ? `transfer-encoding: ${headers['transfer-encoding']}` : `content-length: ${headers['content-length']}`,
          bodyChunks: last.chunks,
          headerNames: Object.keys(headers),
        },
      }),
    );
    return;
  }
  request.resume();
  response.writeHead(404, { 'content-type': 'application/json', 'content-length': String(notFound.length) });
  response.end(notFound);
});
server.headersTimeout = 0;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;

server.listen({ port, host: '127.0.0.1' }, () => {
  process.stdout.write(`fake-upstream listening ${server.address().port}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started by the bench: go when the bench goes, even if it could not say so.
if (process.send) process.on('disconnect', stop);
