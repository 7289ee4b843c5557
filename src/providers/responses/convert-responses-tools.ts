import type { ToolChoice, ToolDefinition } from '../spec/chat-request.js';
import type { CustomTool, FunctionTool, NamespaceTool, ResponsesTool, ResponsesToolChoice } from './responses-types.js';
import type { ToolNames } from './tool-names.js';

/** Short reasons for what the translation dropped or changed: once a request. */
type Notes = Set<string>;

/** Tools that run on OpenAI's side (or, for tool_search, find tools OpenAI holds back): no other upstream has them. */
const HOSTED = /^(web_search|file_search|code_interpreter|image_generation|mcp|computer|local_shell|shell|apply_patch|tool_search)/;

/**
 * Responses tools as Chat Completions functions, each registered in `names` so that the answer's
 * calls can go back as the items the client expects (section 2.2, section 7):
 * - `function` tools are flat in Responses and nested in Chat;
 * - `custom` tools (free text, such as Codex's apply_patch) become a function of one string,
 *   `input`, with the grammar in the description, since no Chat upstream but OpenAI's has them;
 * - `namespace` tools are flattened to `${namespace}__${name}`, which no upstream refuses;
 * - hosted tools, tool_search and any type newer than this translation are dropped, with a note:
 *   the model can do without a tool, but not with one that nobody runs.
 * A second definition of the same tool is dropped: Chat upstreams refuse duplicate names.
 */
export function convertTools(tools: ResponsesTool[], names: ToolNames, notes: Notes): ToolDefinition[] {
  const definitions: ToolDefinition[] = [];
  const rename = (note: string): void => void notes.add(note);
  const add = (tool: FunctionTool | CustomTool, namespace: string | undefined): void => {
    if (names.chatNameOf(tool.name, namespace) !== undefined) {
      notes.add(`duplicate tool ${namespace ? `${namespace}.` : ''}${tool.name} dropped: chat tool names must be unique`);
      return;
    }
    const chatName = names.register({ kind: tool.type, name: tool.name, ...(namespace ? { namespace } : {}) }, rename);
    definitions.push(tool.type === 'function' ? functionDefinition(tool, chatName, notes) : customDefinition(tool, chatName));
  };
  for (const tool of tools) {
    if (tool.type === 'function' || tool.type === 'custom') add(tool as FunctionTool | CustomTool, undefined);
    else if (tool.type === 'namespace') {
      const group = tool as NamespaceTool;
      notes.add('namespace tools sent as functions named namespace__name: Chat has no namespaces');
      for (const inner of group.tools ?? []) {
        if (inner.type === 'function' || inner.type === 'custom') add(inner as FunctionTool | CustomTool, group.name);
        else notes.add(`${inner.type} in namespace ${group.name} dropped: only function and custom tools can be sent as functions`);
      }
    } else notes.add(HOSTED.test(tool.type) ? `${tool.type} dropped: a hosted tool only OpenAI runs` : `${tool.type} tool dropped: not a function or custom tool`);
  }
  return definitions;
}

function functionDefinition(tool: FunctionTool, chatName: string, notes: Notes): ToolDefinition {
  return {
    type: 'function',
    function: {
      name: chatName,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: objectSchema(tool.parameters, tool.name, notes),
      // false is every upstream's default; some older ones refuse the field, so only true is sent.
      ...(tool.strict === true ? { strict: true } : {}),
    },
  };
}

/**
 * Function arguments are a JSON object everywhere, and strict upstreams refuse a root schema
 * that does not say so ("tool parameter root must be an object type", section 7). A root without
 * a type (properties alone, or an anyOf of objects) keeps its meaning with type object added; a
 * root of another type can't be a function's arguments at all, so it becomes an empty object.
 */
function objectSchema(parameters: FunctionTool['parameters'], toolName: string, notes: Notes): Record<string, unknown> {
  if (parameters === null || parameters === undefined) return { type: 'object', properties: {} };
  if (typeof parameters !== 'object' || Array.isArray(parameters)) {
    notes.add(`tool ${toolName}: parameters that are not a schema sent as an empty object`);
    return { type: 'object', properties: {} };
  }
  if (parameters.required === null) {
    // Not JSON Schema (required is an array), and validating upstreams refuse it.
    const { required: _required, ...rest } = parameters;
    parameters = rest;
  }
  const type = parameters.type;
  if (type === 'object') return parameters;
  if (type === undefined || (Array.isArray(type) && type.includes('object'))) {
    notes.add(`tool ${toolName}: parameters given type object, which strict upstreams require at the root`);
    return { ...parameters, type: 'object' };
  }
  notes.add(`tool ${toolName}: parameters of type ${JSON.stringify(type)} sent as an empty object: function arguments are a JSON object`);
  return { type: 'object', properties: {} };
}

/**
 * The one parameter a custom tool's function takes. The description tells the model that the
 * value is the tool's raw input and not JSON, and carries the grammar: without it the model
 * would not know the format (LiteLLM does the same; its grammar is otherwise lost).
 */
function customDefinition(tool: CustomTool, chatName: string): ToolDefinition {
  const lines = [tool.description ?? '', 'Put the whole raw input of this tool, in its own format and not as JSON, in the string parameter `input`.'];
  if (tool.format?.type === 'grammar') lines.push(`The input must match this ${tool.format.syntax} grammar:\n${tool.format.definition}`);
  return {
    type: 'function',
    function: {
      name: chatName,
      description: lines.filter(Boolean).join('\n\n'),
      parameters: {
        type: 'object',
        properties: { input: { type: 'string', description: "The tool's raw input, in its own format." } },
        required: ['input'],
        additionalProperties: false,
      },
    },
  };
}

/**
 * Responses' tool_choice as Chat's: a named function or custom tool is nested under `function`
 * with its chat name; allowed_tools (a subset callable this turn) has no Chat equivalent, so its
 * mode is kept and every tool stays callable; a hosted tool or an unknown tool becomes auto.
 */
export function convertToolChoice(choice: ResponsesToolChoice | null | undefined, names: ToolNames, notes: Notes): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'none' || choice === 'auto' || choice === 'required') return choice;
  if (typeof choice !== 'object') {
    notes.add(`tool_choice ${JSON.stringify(choice)} sent as auto: not a Chat tool choice`);
    return 'auto';
  }
  if ((choice.type === 'function' || choice.type === 'custom') && typeof choice.name === 'string') {
    // Responses' choice names no namespace: it can only be a tool outside one.
    const chatName = names.chatNameOf(choice.name);
    if (chatName !== undefined) return { type: 'function', function: { name: chatName } };
    notes.add(`tool_choice ${choice.name} sent as auto: no tool of that name is sent`);
    return 'auto';
  }
  if (choice.type === 'allowed_tools') {
    const mode = choice.mode === 'required' ? 'required' : 'auto';
    notes.add(`tool_choice allowed_tools sent as ${mode}: Chat can't restrict a turn to some of the tools`);
    return mode;
  }
  notes.add(`tool_choice ${choice.type} sent as auto: ${HOSTED.test(String(choice.type)) ? 'a hosted tool only OpenAI runs' : 'not a Chat tool choice'}`);
  return 'auto';
}
