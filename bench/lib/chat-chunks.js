// A provider's 200-chunk Chat Completions stream, as the translation benchmarks feed their
// converters: a role chunk, text deltas, two tool calls in 8 fragments each, the finish and the
// usage chunks. chatStream(model, texts) -> string[] (each a chunk's JSON)
export function chatStream(model, texts) {
  const head = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const chunks = [JSON.stringify({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })];
  for (let index = 0; index < texts; index++) chunks.push(JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: ` tok${index}` }, finish_reason: null }] }));
  for (let call = 0; call < 2; call++) {
    chunks.push(JSON.stringify({ ...head, choices: [{ index: 0, delta: { tool_calls: [{ index: call, id: `call_${call}`, type: 'function', function: { name: 'Read', arguments: '' } }] }, finish_reason: null }] }));
    for (let part = 0; part < 7; part++) chunks.push(JSON.stringify({ ...head, choices: [{ index: 0, delta: { tool_calls: [{ index: call, function: { arguments: part === 0 ? '{"file_path":"' : part === 6 ? '.py"}' : `part${part}` } }] }, finish_reason: null }] }));
  }
  chunks.push(JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
  chunks.push(JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 900, completion_tokens: 200, total_tokens: 1100, prompt_tokens_details: { cached_tokens: 800 } } }));
  return chunks;
}
