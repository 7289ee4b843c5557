import type { ProviderId } from '../../shared/provider-ids.js';
import type { SseEvent } from '../http/sse.js';
import type { CallOutcome, StreamChunk } from '../spec/provider.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { toOpenAIUsage } from '../spec/usage.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

/**
 * Anthropic's stream events as OpenAI chunks, one for one as they arrive
 * (reference/providers.md 2.4 and 2.8): message_start opens with the assistant role,
 * text_delta becomes content, tool_use blocks become tool_calls indexed by a running counter
 * (not Anthropic's block index), thinking becomes reasoning_content, message_delta gives the
 * finish reason, and message_stop the usage chunk. ping and unknown events are skipped; an
 * error event ends the stream with an UpstreamError.
 */
export async function* translateAnthropicStream(events: AsyncIterable<SseEvent>, outcome: CallOutcome, provider: ProviderId): AsyncGenerator<StreamChunk> {
  let head = '';
  let created = Math.floor(Date.now() / 1000);
  let id = 'msg_unknown';
  let toolIndex = -1;
  const toolIndexByBlock = new Map<number, number>();
  let stopped = false;

  const chunk = (delta: Record<string, unknown>, finish: string | null = null): StreamChunk => ({
    data: `${head}${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]}`,
  });

  for await (const event of events) {
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      throw new UpstreamError(provider, 'protocol', `${provider} sent a stream event that is not JSON`);
    }
    const type = (payload.type as string | undefined) ?? event.event;
    switch (type) {
      case 'message_start': {
        const message = (payload.message ?? {}) as { id?: string; model?: string; usage?: unknown };
        id = message.id ?? id;
        outcome.upstreamModel = message.model;
        created = Math.floor(Date.now() / 1000);
        head = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(message.model ?? 'unknown')},"choices":[{"index":0,"delta":`;
        convertAnthropicUsage(message.usage, outcome.usage);
        yield chunk({ role: 'assistant', content: '' });
        break;
      }
      case 'content_block_start': {
        const block = (payload.content_block ?? {}) as { type?: string; id?: string; name?: string; text?: string };
        const index = payload.index as number;
        if (block.type === 'tool_use') {
          toolIndex++;
          toolIndexByBlock.set(index, toolIndex);
          yield chunk({ tool_calls: [{ index: toolIndex, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] });
        } else if (block.type === 'text' && block.text) {
          yield chunk({ content: block.text });
        }
        break;
      }
      case 'content_block_delta': {
        const delta = (payload.delta ?? {}) as { type?: string; text?: string; partial_json?: string; thinking?: string };
        if (delta.type === 'text_delta' && delta.text) yield chunk({ content: delta.text });
        else if (delta.type === 'input_json_delta' && delta.partial_json) {
          const index = toolIndexByBlock.get(payload.index as number) ?? toolIndex;
          yield chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] });
        } else if (delta.type === 'thinking_delta' && delta.thinking) yield chunk({ reasoning_content: delta.thinking });
        break;
      }
      case 'message_delta': {
        const delta = (payload.delta ?? {}) as { stop_reason?: string };
        convertAnthropicUsage(payload.usage, outcome.usage);
        if (delta.stop_reason) {
          outcome.finishReason = mapAnthropicStopReason(delta.stop_reason);
          yield chunk({}, outcome.finishReason);
        }
        break;
      }
      case 'message_stop':
        stopped = true;
        yield {
          data: `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(outcome.upstreamModel ?? 'unknown')},"choices":[],"usage":${JSON.stringify(toOpenAIUsage(outcome.usage))}}`,
          usageOnly: true,
        };
        break;
      case 'error': {
        const error = (payload.error ?? {}) as { type?: string; message?: string };
        throw new UpstreamError(provider, 'protocol', `${provider} reported ${error.type ?? 'an error'} mid-stream${error.message ? `: ${error.message}` : ''}`, {
          upstreamType: error.type,
          retryable: error.type === 'overloaded_error' || error.type === 'api_error',
        });
      }
      default:
        // ping, content_block_stop, and event types added after this was written.
        break;
    }
    if (stopped) return;
  }
  throw new UpstreamError(provider, 'connection', `${provider} ended the stream before message_stop`);
}
