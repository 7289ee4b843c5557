/** Anthropic's stop_reason as OpenAI's finish_reason (Portkey's table, plus the newer reasons). */
export function mapAnthropicStopReason(reason: unknown): string {
  switch (reason) {
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}
