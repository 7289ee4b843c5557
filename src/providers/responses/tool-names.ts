/**
 * A Responses tool as the client named it, so that a call the model makes under its chat
 * name goes back to the client as the item it expects: a function_call or a custom_tool_call
 * (Codex answers "aborted" to a function_call for its custom apply_patch), with the original
 * name and, for a tool of a `namespace`, that namespace (without it Codex answers
 * "unsupported call").
 */
export interface ToolOrigin {
  kind: 'function' | 'custom';
  name: string;
  namespace?: string;
}

/** Chat Completions function names match ^[a-zA-Z0-9_-]{1,64}$: OpenAI's rule, which the other upstreams share or loosen. */
const MAX_LENGTH = 64;

/**
 * The chat names one translation gave to the request's tools, both ways. Names are given in the
 * order tools are registered, so the same request always gets the same names, and a collision
 * (two tools that flatten or sanitize to one name) is resolved by a numbered suffix on the later.
 */
export class ToolNames {
  private readonly byChatName = new Map<string, ToolOrigin>();
  private readonly byOrigin = new Map<string, string>();

  /**
   * The chat name for a tool, given on first sight: `name`, or `${namespace}__${name}` for a
   * tool of a namespace, with characters Chat refuses replaced by "_" and cut to 64. Registering
   * the same tool again returns the name it already has.
   * @param onRename told why the name differs from the plain flattened one (sanitized, or made unique).
   */
  register(origin: ToolOrigin, onRename?: (note: string) => void): string {
    const key = originKey(origin.name, origin.namespace);
    const known = this.byOrigin.get(key);
    if (known !== undefined) return known;
    const wanted = flatName(origin.name, origin.namespace);
    const clean = sanitize(wanted);
    let chatName = clean;
    for (let suffix = 2; this.byChatName.has(chatName); suffix++) {
      const tail = `_${suffix}`;
      chatName = clean.slice(0, MAX_LENGTH - tail.length) + tail;
    }
    if (chatName !== wanted) {
      const why = chatName === clean ? 'chat names allow only [a-zA-Z0-9_-], up to 64' : `another tool is named ${clean}`;
      onRename?.(`tool ${JSON.stringify(wanted)} sent as ${chatName}: ${why}`);
    }
    this.byChatName.set(chatName, { ...origin });
    this.byOrigin.set(key, chatName);
    return chatName;
  }

  /** The chat name already given to this tool, if any. */
  chatNameOf(name: string, namespace?: string): string | undefined {
    return this.byOrigin.get(originKey(name, namespace));
  }

  /**
   * The tool behind a chat name the model called. A name never registered (a model calling a
   * tool it was not offered) comes back as a function of that name: the client then answers it
   * as an unknown tool, which the model can read and correct.
   */
  originOf(chatName: string): ToolOrigin {
    const origin = this.byChatName.get(chatName);
    return origin ? { ...origin } : { kind: 'function', name: chatName };
  }

  /** How many tools have a chat name. */
  get size(): number {
    return this.byChatName.size;
  }
}

function originKey(name: string, namespace: string | undefined): string {
  return `${namespace ?? ''}\u0000${name}`;
}

function flatName(name: string, namespace: string | undefined): string {
  return namespace ? `${namespace}__${name}` : name;
}

function sanitize(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, MAX_LENGTH);
  return clean || 'tool';
}
