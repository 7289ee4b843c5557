/**
 * What the daemon saw of a model's answer, whatever its wire format: the reply's text and the
 * tool calls it made. Read on the side of what is relayed to the client, and bounded in size.
 */
export interface ObservedAnswer {
  text: string;
  calls: AnswerCall[];
}

export interface AnswerCall {
  /** The tool's name as the client offered it (Write, edit, apply_patch, exec_command, ...). */
  name: string;
  /** Its arguments as the model wrote them: JSON for a function, the raw text for a custom tool (Codex's apply_patch). */
  input: string;
}

/** One write to one file, as a parser read it: the path as the model wrote it, and the bytes of new text it put there. */
export interface FileWrite {
  path: string;
  bytes: number;
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
