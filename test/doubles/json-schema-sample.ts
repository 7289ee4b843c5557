import { isRecord } from './scenario.js';

/**
 * A value that satisfies a JSON schema, for the default reply of a request that asks for
 * structured output (Anthropic's output_config.format, OpenAI's json_schema response formats):
 * the real services constrain the model's output to the schema, so the double's default reply
 * must parse and validate too. Strings take `text` (a short echo), so a schema {title: string}
 * answers {"title":"<text>"}. Covers what structured-output schemas use: type, properties
 * (all filled: strict schemas require every one), items with minItems, enum, const, anyOf /
 * oneOf (the first branch), $ref to $defs / definitions, nullable type lists.
 */
export function sampleOf(schema: unknown, text: string, root: unknown = schema, depth = 0): unknown {
  if (!isRecord(schema) || depth > 20) return null;
  if (typeof schema.$ref === 'string') return sampleOf(resolveRef(root, schema.$ref), text, root, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length) return sampleOf(branches[0], text, root, depth + 1);
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((candidate) => candidate !== 'null') ?? types[0];
  switch (type) {
    case 'object':
    case undefined: {
      if (type === undefined && !isRecord(schema.properties)) return text;
      const properties = isRecord(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, sampleOf(property, text, root, depth + 1)]));
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: count }, () => sampleOf(schema.items, text, root, depth + 1));
    }
    case 'string':
      return typeof schema.minLength === 'number' && text.length < schema.minLength ? text.padEnd(schema.minLength, '.') : text;
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return null;
  }
}

function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const step of ref.slice(2).split('/')) node = isRecord(node) ? node[step.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return node;
}
