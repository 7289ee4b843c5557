#!/usr/bin/env node
// Writes test/fixtures/aider-trace/session.jsonl: a day of Aider use through Lodestar, request
// by request, as Aider 0.86 (Aider-AI/aider at 5dc9490) would send it to `lodestar aider`'s
// models (main "lodestar/auto", weak "lodestar/cheap"). Deterministic: a seeded PRNG and no
// clock, so two runs give identical bytes. See test/fixtures/aider-trace/README.md.
//
//   node scripts/make-aider-trace.mjs [OUTPUT]
//
// One JSON object a line: { step, task, kind, model, request, upstreamUsage }.
// - task: the task Lodestar should classify the request as (commit, summary, edit, architect,
//   chat, long-context);
// - kind: what Aider was doing (edit, reflection, ask, architect, editor, long-edit, commit, summary);
// - request: the OpenAI Chat Completions body Aider sends (model, messages, stream, temperature 0);
// - upstreamUsage: what a real upstream would report for it: inputTokens ~ the prompt's characters
//   / 3.8 plus 4 a message, outputTokens from the reply Aider then keeps in its history, and
//   cacheReadTokens where a prefix-caching upstream (DeepSeek, OpenAI) would have hit its cache.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = process.argv[2] ?? join(ROOT, 'test', 'fixtures', 'aider-trace', 'session.jsonl');
const SEED = 20261123;
const CHARS_PER_TOKEN = 3.8;
/** Lodestar's own estimate (classify-task.ts): long context from 64k; normal turns stay well under. */
const NORMAL_MAX_ESTIMATE = 58_000;
const LONG_MIN_ESTIMATE = 72_000;

// ---------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32)

function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashSeed(text) {
  let hash = 2166136261;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 16777619);
  return hash >>> 0;
}

function tools(random) {
  const int = (min, max) => min + Math.floor(random() * (max - min + 1));
  const pick = (list) => list[Math.floor(random() * list.length)];
  /** Log-uniform: as many small files as big ones per factor of size. */
  const logUniform = (min, max) => Math.round(Math.exp(Math.log(min) + random() * (Math.log(max) - Math.log(min))));
  const hex = (length) => Array.from({ length }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
  return { random, int, pick, logUniform, hex, chance: (p) => random() < p };
}

const rng = tools(prng(SEED));
const tokens = (text) => Math.ceil(text.length / CHARS_PER_TOKEN);
const cap = (word) => word[0].toUpperCase() + word.slice(1);
const kebab = (word) => word.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
const snake = (word) => word.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

// ---------------------------------------------------------------------------------------------
// Aider's prompts: one module, src/shared/aider-prompts.ts, shared with `lodestar demo`; this
// script runs after the build (the benchmarks and the tests build first).

let prompts;
try {
  prompts = await import(new URL('../dist/src/shared/aider-prompts.js', import.meta.url).href);
} catch (error) {
  process.stderr.write(`make-aider-trace: ${error.message}\nBuild first: npm run build\n`);
  process.exit(1);
}
const { CODERS, COMMIT_SYSTEM, SUMMARIZE, SUMMARY_PREFIX } = prompts;

// ---------------------------------------------------------------------------------------------
// The project Aider works on: a TypeScript invoicing service, generated file by file.

const DOMAINS = [
  { dir: 'billing', nouns: ['invoice', 'lineItem', 'creditNote', 'discount'] },
  { dir: 'customers', nouns: ['customer', 'contact', 'address', 'account'] },
  { dir: 'payments', nouns: ['payment', 'refund', 'payout', 'chargeback'] },
  { dir: 'reports', nouns: ['report', 'agingBucket', 'revenueLine', 'statement'] },
  { dir: 'auth', nouns: ['session', 'apiKey', 'user', 'role'] },
  { dir: 'notifications', nouns: ['email', 'webhook', 'reminder', 'template'] },
  { dir: 'tax', nouns: ['taxRate', 'taxRegion', 'exemption', 'taxLine'] },
  { dir: 'jobs', nouns: ['job', 'schedule', 'retryPolicy', 'lock'] },
];
const SUFFIXES = ['service', 'repository', 'routes', 'validation', 'format', 'mapper', 'policy', 'events'];
const FIELDS = ['customerId: string', 'amountCents: number', 'currency: Currency', 'dueDate: Date', 'notes?: string', 'region: string', 'externalRef?: string', 'version: number', 'metadata: Record<string, string>', 'paidAt?: Date', 'attempts: number', 'periodStart: Date', 'periodEnd: Date', 'createdBy: string', 'tags: string[]', 'locale: string'];
const VERBS = ['list', 'find', 'load', 'count', 'archive', 'sync', 'reconcile', 'export', 'schedule', 'settle', 'void', 'recalculate'];
const QUALIFIERS = ['ByCustomer', 'Overdue', 'ForPeriod', 'Pending', 'ByRegion', 'Drafts', 'Recent', 'Failed', 'Unreconciled', 'InBatch', 'ForAccount', 'Expired'];
const CHECKS = ['amountCents', 'currency', 'dueDate', 'customerId', 'region', 'periodStart', 'locale'];

function makeUnit(kit, noun, used) {
  const type = cap(noun);
  const table = `${snake(noun)}s`;
  const unique = (name) => {
    let candidate = name;
    for (let index = 2; used.has(candidate); index++) candidate = `${name}${index}`;
    used.add(candidate);
    return candidate;
  };
  const fields = Array.from({ length: kit.int(3, 8) }, () => kit.pick(FIELDS)).filter((field, index, all) => all.indexOf(field) === index);
  switch (kit.int(0, 6)) {
    case 0: {
      const name = unique(`${type}${kit.pick(['', 'Summary', 'Draft', 'Snapshot', 'Row', 'Filter'])}`);
      return `export interface ${name} {\n  id: string;\n${fields.map((field) => `  ${field};`).join('\n')}\n  createdAt: Date;\n  updatedAt: Date;\n}`;
    }
    case 1: {
      const name = unique(`${kit.pick(VERBS)}${type}s${kit.pick(QUALIFIERS)}`);
      const column = snake(kit.pick(['customerId', 'accountId', 'region', 'batchId', 'status']));
      return `/** ${cap(name.replace(/([A-Z])/g, ' $1').toLowerCase().trim())}, newest first, at most \`options.limit\` rows. */
export async function ${name}(db: Database, key: string, options: ${type}QueryOptions = {}): Promise<${type}[]> {
  const limit = Math.min(options.limit ?? ${kit.pick([25, 50, 100])}, ${kit.pick([200, 500, 1000])});
  const rows = await db.all<${type}Row>(
    'SELECT * FROM ${table} WHERE ${column} = ? AND deleted_at IS NULL ORDER BY created_at DESC LIMIT ?',
    key,
    limit,
  );
  return rows.map(to${type});
}`;
    }
    case 2: {
      const name = unique(`compute${type}${kit.pick(['Total', 'Balance', 'Tax', 'Discount', 'Fees', 'Exposure'])}`);
      return `export function ${name}(items: readonly ${type}Line[], rates: RateTable, rounding: RoundingMode = 'half-even'): Money {
  let totalCents = 0;
  for (const item of items) {
    const rate = rates.get(item.${kit.pick(['region', 'currency', 'category'])}) ?? 0;
    const gross = item.quantity * item.unitPriceCents;
    const adjusted = item.discountCents ? gross - item.discountCents : gross;
    totalCents += roundCents(adjusted * (1 + rate / 100), rounding);
  }
  if (totalCents < 0) {
    throw new ${type}Error(\`${noun} total went negative (\${totalCents} cents)\`);
  }
  return { amountCents: totalCents, currency: items[0]?.currency ?? DEFAULT_CURRENCY };
}`;
    }
    case 3: {
      const name = unique(`validate${type}${kit.pick(['', 'Input', 'Update', 'Import', 'Patch'])}`);
      const checks = Array.from({ length: kit.int(3, 6) }, () => kit.pick(CHECKS)).filter((check, index, all) => all.indexOf(check) === index);
      return `export function ${name}(input: Partial<${type}>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
${checks.map((check) => `  if (input.${check} === undefined || input.${check} === null) {\n    issues.push({ field: '${check}', message: '${check} is required' });\n  }`).join('\n')}
  if (typeof input.amountCents === 'number' && !Number.isInteger(input.amountCents)) {
    issues.push({ field: 'amountCents', message: 'amountCents must be a whole number of cents' });
  }
  return issues;
}`;
    }
    case 4: {
      const method = kit.pick(['get', 'post', 'patch', 'delete']);
      const path = `/${kebab(noun)}s${kit.pick(['', '/:id', '/:id/lines', '/search', '/:id/send', '/bulk'])}`;
      used.add(`${method} ${path}`);
      return `${noun}Router.${method}('${path}', requireScope('${snake(noun)}:${method === 'get' ? 'read' : 'write'}'), async (request, response) => {
  const tenant = request.context.tenantId;
  const result = await ${noun}Service.${kit.pick(VERBS)}${type}(tenant, request.params.id ?? request.body, { actor: request.context.userId });
  if (!result.ok) {
    response.status(result.status ?? 400).json({ error: result.error });
    return;
  }
  response.status(${method === 'post' ? 201 : 200}).json(serialize${type}(result.value));
});`;
    }
    case 5: {
      const name = unique(`${type}${kit.pick(['Cache', 'Scheduler', 'Ledger', 'Batcher', 'Exporter', 'Tracker'])}`);
      const methods = Array.from({ length: kit.int(2, 4) }, () => unique(`${kit.pick(VERBS)}${kit.pick(['', 'All', 'Next', 'Stale'])}`));
      return `export class ${name} {
  private readonly entries = new Map<string, ${type}>();

  constructor(private readonly db: Database, private readonly clock: Clock = systemClock) {}

${methods.map((method) => `  async ${method}(id: string): Promise<${type} | undefined> {
    const cached = this.entries.get(id);
    if (cached && this.clock.now() - cached.updatedAt.getTime() < CACHE_TTL_MS) return cached;
    const row = await this.db.get<${type}Row>('SELECT * FROM ${table} WHERE id = ?', id);
    if (!row) return undefined;
    const value = to${type}(row);
    this.entries.set(id, value);
    return value;
  }`).join('\n\n')}
}`;
    }
    default: {
      const name = unique(`to${type}${kit.pick(['', 'Dto', 'Csv', 'Event', 'Summary'])}`);
      return `export function ${name}(row: ${type}Row): ${type} {
  return {
    id: row.id,
${fields.map((field) => { const key = field.split(/[?:]/)[0]; return `    ${key}: row.${snake(key)},`; }).join('\n')}
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}`;
    }
  }
}

/** A source file of about `targetTokens` tokens, the same for the same path whatever the order. */
function makeFile(path, noun, targetTokens) {
  const kit = tools(prng(hashSeed(path)));
  const type = cap(noun);
  const header = `import type { Database } from '../db/database.js';
import { roundCents, type Money, type RoundingMode } from '../shared/money.js';
import type { ValidationIssue } from '../shared/validation.js';
import type { ${type}, ${type}Row, ${type}Line, ${type}QueryOptions } from './${kebab(noun)}-types.js';
`;
  const used = new Set();
  const units = [];
  let size = header.length;
  while (size < targetTokens * CHARS_PER_TOKEN) {
    const unit = makeUnit(kit, noun, used);
    units.push(unit);
    size += unit.length + 2;
  }
  return `${header}\n${units.join('\n\n')}\n`;
}

function buildProject() {
  const files = new Map();
  for (const domain of DOMAINS) {
    for (const noun of domain.nouns) {
      for (const suffix of SUFFIXES) {
        if (rng.chance(0.8)) continue; // about 1 file in 5 for each noun: ~55 files
        const path = `src/${domain.dir}/${kebab(noun)}-${suffix}.ts`;
        files.set(path, { noun, content: makeFile(path, noun, rng.logUniform(2_000, 20_000)) });
      }
    }
  }
  // The big ones a long-context session adds: generated code and fixtures.
  const big = [
    ['src/generated/api-schema.ts', 'invoice', 46_000],
    ['src/generated/openapi-client.ts', 'payment', 38_000],
    ['src/legacy/report-engine.ts', 'report', 33_000],
    ['test/fixtures/seed-data.ts', 'customer', 27_000],
    ['src/legacy/tax-tables.ts', 'taxRate', 24_000],
  ];
  for (const [path, noun, size] of big) files.set(path, { noun, content: makeFile(path, noun, size), big: true });
  return files;
}

const project = buildProject();
const normalPaths = [...project.keys()].filter((path) => !project.get(path).big);
const bigPaths = [...project.keys()].filter((path) => project.get(path).big);

/** Aider's repo map for the files not in the chat, cut at about `budget` tokens (RepoMap.to_tree's shape). */
function repoMap(chatPaths, budget, random) {
  const others = [...project.keys()].filter((path) => !chatPaths.includes(path));
  // Ranked: Aider's PageRank favours files the chat files mention; here a stable shuffle per chat.
  const ranked = others.map((path) => ({ path, rank: random() })).sort((a, b) => a.rank - b.rank || (a.path < b.path ? -1 : 1));
  const entries = new Map();
  let size = 0;
  for (const { path } of ranked) {
    const signatures = project
      .get(path)
      .content.split('\n')
      .filter((line) => /^(export |[a-z]\w*Router\.)/.test(line) || /^ {2}async \w+\(/.test(line))
      .map((line) => `│${line}`.slice(0, 100));
    const entry = `\n${path}:\n${signatures.map((line) => `⋮\n${line}`).join('\n')}\n⋮\n`;
    if (tokens(entry) + size > budget) continue;
    entries.set(path, entry);
    size += tokens(entry);
  }
  // Listed by file name, as RepoMap.to_tree sorts its tags.
  return [...entries.keys()].sort().map((path) => entries.get(path)).join('');
}

// ---------------------------------------------------------------------------------------------
// What the user asks, and what the model answers (kept in Aider's history).

const EDIT_REQUESTS = [
  (n, f) => `Add a \`currency\` field to ${cap(n)} and thread it through ${f}.`,
  (n, f) => `${f} should skip soft-deleted ${n}s.`,
  (n, f) => `Make ${f} take a \`limit\` option, default 50, at most 500.`,
  (n) => `Reject a ${n} whose amountCents is not a whole number, with a 400 and the field name.`,
  (n, f) => `Log the tenant id and the ${n} id at debug level in ${f}.`,
  (n, f) => `Rename ${f} to something clearer and update the callers in this file.`,
  (n) => `Round ${n} totals half-even instead of half-up everywhere in this file.`,
  (n, f) => `${f} throws on an empty list; return an empty result instead.`,
  (n) => `Add an \`externalRef\` to ${cap(n)} and include it in the CSV export.`,
  (n, f) => `Cache the result of ${f} for 30 seconds per tenant.`,
  (n) => `Use the injected clock instead of Date.now() for ${n} timestamps.`,
  (n, f) => `${f} should validate its input with the existing validation helpers before touching the database.`,
  (n) => `Return 404 instead of 500 when the ${n} does not exist.`,
  (n, f) => `Split ${f} into a pure function and the database call, so the pure part can be tested.`,
  (n) => `Add a \`tags: string[]\` to ${cap(n)}, stored as JSON, empty by default.`,
  (n, f) => `Handle the case in ${f} where the rate table has no entry for the region: fall back to 0 and warn.`,
];
const ASK_REQUESTS = [
  (n, f) => `Why does ${f} sort by created_at and not by id?`,
  (n) => `How are ${n}s soft-deleted, and what still reads deleted rows?`,
  (n, f) => `What happens in ${f} when two requests update the same ${n} at once?`,
  (n) => `Where is the ${n} total rounded, and could it drift from the stored lines?`,
  (n, f) => `Is ${f} safe to call from the nightly job, or does it assume a request context?`,
  (n) => `Which functions here would I need to touch to support a second currency for ${n}s?`,
  (n, f) => `Can you explain what ${f} returns when the cache is stale?`,
  () => `What is the difference between the repository and the service layer in this code base?`,
];
const ARCHITECT_REQUESTS = [
  (n) => `Add optimistic locking to ${n} updates with the \`version\` column, and return 409 on a conflict.`,
  (n) => `Move the ${n} rounding rules into one policy object that the service and the exporter both use.`,
  (n) => `Introduce a ${cap(n)}Events emitter so that webhooks are sent after the transaction commits, not inside it.`,
  (n) => `Support partial ${n}s: a status, a remaining amount, and the routes to record a partial settlement.`,
  (n) => `Paginate every ${n} list endpoint with opaque cursors instead of offsets.`,
  (n) => `Make ${n} imports idempotent with an import key stored per tenant.`,
];
const LONG_REQUESTS = [
  () => 'Update the generated client and the schema to the new `amountCents` naming, and fix the legacy report engine to match.',
  () => 'The seed data still uses the old tax region codes; migrate it and the tax tables to the ISO codes.',
  () => 'Find every place where the schema and the legacy engine disagree on nullable fields, and make the engine follow the schema.',
  () => 'Replace the string dates in the generated API schema with Date objects and update the client and the fixtures.',
  () => 'Remove the deprecated `legacyTotal` handling from the report engine and the generated client.',
];
const INSERTS = [
  (indent) => `${indent}logger.debug('checked', { tenant: context.tenantId });`,
  (indent) => `${indent}if (!key) throw new ValidationError('key is required');`,
  (indent) => `${indent}const startedAt = clock.now();`,
  (indent) => `${indent}metrics.increment('lookups', { source: 'db' });`,
  (indent) => `${indent}// Soft-deleted rows never leave the repository.`,
  (indent) => `${indent}assertTenant(context, key);`,
];

function functionNames(content) {
  return [...content.matchAll(/^export (?:async )?function (\w+)/gm)].map((match) => match[1]);
}

/**
 * An edit reply of about `targetTokens`: a few sentences, then SEARCH/REPLACE blocks cut from
 * the chat files, applied to them as Aider would. Returns the reply and the diff of the change.
 */
function editReply(paths, targetTokens, intro) {
  let reply = `${intro}\n\nHere are the *SEARCH/REPLACE* blocks:\n`;
  let diff = '';
  for (let guard = 0; guard < 40 && tokens(reply) < targetTokens; guard++) {
    const path = rng.pick(paths);
    const file = project.get(path);
    const blocks = file.content.split('\n\n').filter((block) => block.split('\n').length >= 4 && !block.includes('<<<<<<<'));
    if (!blocks.length) continue;
    const block = rng.pick(blocks);
    const lines = block.split('\n');
    const roomLines = Math.max(4, Math.floor(((targetTokens - tokens(reply)) * CHARS_PER_TOKEN) / 45));
    const start = rng.int(0, Math.max(0, lines.length - 4));
    const search = lines.slice(start, start + Math.min(lines.length - start, rng.int(4, 24), roomLines));
    const at = rng.int(1, search.length - 1);
    const indent = (search[at] ?? search[0]).match(/^\s*/)[0] || '  ';
    const added = Array.from({ length: rng.int(1, 3) }, () => rng.pick(INSERTS)(indent));
    const replace = [...search.slice(0, at), ...added, ...search.slice(at)];
    const searchText = search.join('\n');
    const position = file.content.indexOf(searchText);
    if (position === -1) continue;
    const firstLine = file.content.slice(0, position).split('\n').length;
    file.content = file.content.slice(0, position) + replace.join('\n') + file.content.slice(position + searchText.length);
    reply += `\n${path}\n\`\`\`typescript\n<<<<<<< SEARCH\n${searchText}\n=======\n${replace.join('\n')}\n>>>>>>> REPLACE\n\`\`\`\n`;
    diff += `diff --git a/${path} b/${path}\nindex ${rng.hex(7)}..${rng.hex(7)} 100644\n--- a/${path}\n+++ b/${path}\n@@ -${firstLine},${search.length} +${firstLine},${replace.length} @@\n${[
      ...search.slice(0, at).map((line) => ` ${line}`),
      ...added.map((line) => `+${line}`),
      ...search.slice(at).map((line) => ` ${line}`),
    ].join('\n')}\n`;
  }
  return { reply, diff };
}

function prose(targetTokens, subjects, opening) {
  const sentences = [
    (s) => `\`${s}\` reads the rows through the repository, so the tenant filter is applied before anything else.`,
    (s) => `The rounding happens once, in \`${s}\`, after the discounts; the stored lines keep their unrounded amounts.`,
    (s) => `Nothing in \`${s}\` holds a lock, so two concurrent updates can both pass validation and the last write wins.`,
    (s) => `\`${s}\` is pure apart from the clock, which is injected, so it can be tested without a database.`,
    (s) => `The cache in \`${s}\` is per process; a second instance will not see its entries until the TTL expires.`,
    (s) => `Errors from \`${s}\` are mapped to 400 by the route, except a missing row, which becomes a 500 today.`,
    (s) => `\`${s}\` assumes the request context for the tenant id, so the nightly job would need to pass one explicitly.`,
    (s) => `Soft-deleted rows are filtered in SQL by \`deleted_at IS NULL\`; \`${s}\` is the one place that does not.`,
  ];
  let text = opening;
  while (tokens(text) < targetTokens) text += ` ${rng.pick(sentences)(rng.pick(subjects))}${rng.chance(0.2) ? '\n\n' : ''}`;
  return text.trim();
}

function plan(targetTokens, subjects, paths) {
  const steps = [
    (s, p) => `In ${p}, change \`${s}\` to take a \`context: RequestContext\` as its first parameter and pass it down to the repository calls.`,
    (s, p) => `In ${p}, add a \`version: number\` to the object returned by \`${s}\`, read from the \`version\` column.`,
    (s, p) => `In ${p}, make \`${s}\` compare the expected version with the stored one inside the transaction, and throw \`ConflictError\` when they differ.`,
    (s, p) => `In ${p}, map \`ConflictError\` to a 409 with \`{ error: 'conflict', current: <version> }\` in the route that calls \`${s}\`.`,
    (s, p) => `In ${p}, move the rounding out of \`${s}\` into \`RoundingPolicy.apply\`, and call it from both the service and the exporter.`,
    (s, p) => `In ${p}, after \`${s}\` commits, emit the event with the saved row; do not emit anything when the transaction rolls back.`,
    (s, p) => `In ${p}, replace the offset arithmetic in \`${s}\` with a cursor: encode the last (created_at, id) pair as base64url JSON and decode it on the next call.`,
    (s, p) => `In ${p}, add a unique index on (tenant_id, import_key) and make \`${s}\` return the existing row when the key was seen before.`,
  ];
  let text = 'Here is how to make that change.\n';
  for (let step = 1; tokens(text) < targetTokens; step++) text += `\n${step}. ${rng.pick(steps)(rng.pick(subjects), rng.pick(paths))}`;
  return `${text}\n\nLeave the other functions as they are.`;
}

function commitMessage(request) {
  const type = /^(Why|How|What|Is|Can|Which|Where)/.test(request) ? 'docs' : rng.pick(['feat', 'fix', 'refactor', 'feat', 'fix', 'perf']);
  const description = request.replace(/`/g, '').replace(/\.$/, '').split(/[,:;]/)[0].toLowerCase().slice(0, 64).trim();
  return `${type}: ${description}`;
}

// ---------------------------------------------------------------------------------------------
// The day: Aider sessions, each a chat with some files, turn after turn.

const steps = [];
const recent = [];

function prefixChars(a, b) {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a.charCodeAt(index) === b.charCodeAt(index)) index++;
  return index;
}

function emit(kind, task, model, messages, stream, outputTokens) {
  const request = { model, messages, stream, temperature: 0 };
  const flat = messages.map((message) => `${message.role}\n${message.content}\n`).join('');
  const chars = messages.reduce((sum, message) => sum + message.content.length, 0);
  const estimate = Math.ceil((chars + 14 * messages.length) / 3.5); // Lodestar's estimatePromptTokens
  if (task === 'long-context' ? estimate < LONG_MIN_ESTIMATE : estimate > NORMAL_MAX_ESTIMATE) {
    throw new Error(`step ${steps.length + 1} (${kind}) is ~${estimate} tokens: outside its task's range`);
  }
  const inputTokens = Math.round(chars / CHARS_PER_TOKEN) + 4 * messages.length;
  // A prefix-caching upstream (DeepSeek, OpenAI) reports the longest prefix it saw lately, in
  // 64-token units, from 1024 tokens on; requests of the same task go to the same model.
  let cached = 0;
  for (const earlier of recent) if (earlier.task === task) cached = Math.max(cached, prefixChars(earlier.flat, flat));
  const cacheTokens = Math.floor(cached / CHARS_PER_TOKEN / 64) * 64;
  const upstreamUsage = { inputTokens, outputTokens, ...(cacheTokens >= 1024 ? { cacheReadTokens: Math.min(cacheTokens, inputTokens) } : {}) };
  steps.push({ step: steps.length + 1, task, kind, model, request, upstreamUsage });
  recent.push({ task, flat });
  if (recent.length > 8) recent.shift();
}

function filesMessage(coder, paths) {
  return paths.map((path) => `\n${path}\n\`\`\`\n${project.get(path).content}\`\`\`\n`).join('').replace(/^/, coder.filesPrefix);
}

function mainMessages(coder, chat, request, { withRepoMap = true, history = chat.done } = {}) {
  const messages = [{ role: 'system', content: coder.system }, ...coder.examples];
  if (withRepoMap && coder.repoPrefix) {
    messages.push({ role: 'user', content: coder.repoPrefix + repoMap(chat.paths, chat.mapBudget, prng(chat.mapSeed)) });
    messages.push({ role: 'assistant', content: "Ok, I won't try and edit those files without asking first." });
  }
  messages.push(...history);
  messages.push({ role: 'user', content: filesMessage(coder, chat.paths) }, { role: 'assistant', content: coder.filesReply });
  messages.push({ role: 'user', content: coder.reminder === undefined ? request : `${request}\n\n${coder.reminder}` });
  return messages;
}

function commit(cur) {
  const context = cur.map((message) => `\n${message.role.toUpperCase()}: ${message.content}\n`).join('');
  return { context, run(diff, request) {
    const message = commitMessage(request);
    emit('commit', 'commit', 'lodestar/cheap', [{ role: 'system', content: COMMIT_SYSTEM }, { role: 'user', content: `${context}\n# Diffs:\n${diff}` }], false, Math.min(40, tokens(message) + rng.int(0, 8)));
    return `I committed the changes with git hash ${rng.hex(7)} & commit msg: ${message}`;
  } };
}

/** Aider's ChatSummary.summarize_all over the older part of the history, once it has grown. */
function maybeSummarize(chat) {
  chat.turnsSinceSummary++;
  if (chat.turnsSinceSummary < chat.summaryEvery) return;
  const keepFrom = Math.max(2, chat.done.length - 4); // the tail stays as it is
  let head = chat.done.slice(0, keepFrom);
  // Aider keeps the head within the weak model's window; so does this (about 9k tokens).
  while (head.length > 2 && tokens(head.map((message) => message.content).join('')) > 9_000) head = head.slice(2);
  const content = head
    .filter((message) => message.role === 'user' || message.role === 'assistant')
    .map((message) => `# ${message.role.toUpperCase()}\n${message.content}${message.content.endsWith('\n') ? '' : '\n'}`)
    .join('');
  const subjects = chat.paths.flatMap((path) => functionNames(project.get(path).content).slice(0, 6));
  const summary = prose(rng.int(200, 600), subjects.length ? subjects : ['the service'], `I asked you to work on ${chat.paths.join(', ')}.`);
  emit('summary', 'summary', 'lodestar/cheap', [{ role: 'system', content: SUMMARIZE }, { role: 'user', content }], false, tokens(summary));
  chat.done = [{ role: 'user', content: SUMMARY_PREFIX + summary }, { role: 'assistant', content: 'Ok.' }, ...chat.done.slice(keepFrom)];
  chat.turnsSinceSummary = 0;
  chat.summaryEvery = rng.int(12, 18);
}

function subjectOf(chat) {
  const path = rng.pick(chat.paths);
  const names = functionNames(project.get(path).content);
  return { path, noun: project.get(path).noun, name: names.length ? rng.pick(names) : `the ${project.get(path).noun} service` };
}

function editTurn(chat, kind, request, paths = chat.paths) {
  const task = kind === 'long-edit' ? 'long-context' : 'edit';
  const coder = CODERS.edit;
  const messages = mainMessages(coder, chat, request);
  const asksForFiles = kind === 'edit' && rng.chance(0.07);
  if (asksForFiles) {
    const wanted = rng.pick(normalPaths.filter((path) => !chat.paths.includes(path) && tokens(project.get(path).content) <= 8_000));
    const reply = `To do that I need to change \`${wanted}\` as well, which is not in the chat yet.\n\nPlease *add ${wanted} to the chat* and I will propose the *SEARCH/REPLACE* blocks for both files.`;
    emit(kind, task, 'lodestar/auto', messages, true, tokens(reply) + rng.int(20, 120));
    chat.done.push({ role: 'user', content: request }, { role: 'assistant', content: reply });
    // The user adds it (/add), keeping the chat within its usual size.
    chat.paths.push(wanted);
    const size = () => chat.paths.reduce((sum, path) => sum + tokens(project.get(path).content), 0);
    while (chat.paths.length > 1 && (chat.paths.length > 3 || size() > 24_000)) chat.paths.shift();
    chat.done.push({ role: 'user', content: `I added these files to the chat: ${wanted}\nLet me know if there are others we should add.` }, { role: 'assistant', content: 'Ok.' });
    maybeSummarize(chat);
    return;
  }
  const intro = `To make this change we need to modify ${paths.map((path) => `\`${path}\``).join(' and ')}: ${request.replace(/`/g, '').toLowerCase()}`;
  const { reply, diff } = editReply(paths, rng.logUniform(300, 1500), intro);
  emit(kind, task, 'lodestar/auto', messages, true, tokens(reply));
  const cur = [{ role: 'user', content: request }, { role: 'assistant', content: reply }];
  chat.done.push(...cur);
  if (rng.chance(0.92) && diff) {
    const saved = commit(cur).run(diff, request);
    chat.done.push({ role: 'user', content: saved }, { role: 'assistant', content: 'Ok.' });
  }
  maybeSummarize(chat);
  // Lint after the edit: now and then a reflection turn fixes what it found.
  if (kind === 'edit' && rng.chance(0.08)) {
    const { path, name } = subjectOf(chat);
    const lint = `# Fix any errors below, if possible.\n\n## Running: npx tsc --noEmit\n\n${path}(${rng.int(10, 400)},${rng.int(3, 30)}): error TS2304: Cannot find name 'logger'.\n${path}(${rng.int(10, 400)},${rng.int(3, 30)}): error TS2345: Argument of type 'string | undefined' is not assignable to parameter of type 'string'.\n  in ${name}\n`;
    editTurn(chat, 'reflection', lint);
  }
}

function askTurn(chat) {
  const { noun, name } = subjectOf(chat);
  const request = rng.pick(ASK_REQUESTS)(noun, `\`${name}\``);
  const messages = mainMessages(CODERS.ask, chat, request);
  const subjects = chat.paths.flatMap((path) => functionNames(project.get(path).content).slice(0, 8));
  const reply = prose(rng.logUniform(100, 600), subjects.length ? subjects : [name], `Short answer: it depends on \`${name}\`.`);
  emit('ask', 'chat', 'lodestar/auto', messages, true, tokens(reply));
  chat.done.push({ role: 'user', content: request }, { role: 'assistant', content: reply });
  maybeSummarize(chat);
}

function architectTurn(chat) {
  const { noun } = subjectOf(chat);
  const request = rng.pick(ARCHITECT_REQUESTS)(noun);
  const subjects = chat.paths.flatMap((path) => functionNames(project.get(path).content).slice(0, 8));
  const planText = plan(rng.logUniform(500, 1500), subjects.length ? subjects : ['the service'], chat.paths);
  emit('architect', 'architect', 'lodestar/auto', mainMessages(CODERS.architect, chat, request), true, tokens(planText));
  // Step 2: the editor (the main model again, as `lodestar aider` names no editor model), with
  // map_tokens=0 and an empty history, told the plan.
  const editorMessages = mainMessages(CODERS.editor, chat, planText, { withRepoMap: false, history: [] });
  const { reply, diff } = editReply(chat.paths, rng.logUniform(300, 1500), 'Here are the changes, following the plan.');
  emit('editor', 'edit', 'lodestar/auto', editorMessages, true, tokens(reply));
  if (diff) commit([{ role: 'user', content: planText }, { role: 'assistant', content: reply }]).run(diff, request);
  chat.done.push({ role: 'user', content: request }, { role: 'assistant', content: planText }, { role: 'user', content: 'I made those changes to the files.' }, { role: 'assistant', content: 'Ok.' });
  maybeSummarize(chat);
}

function chatFiles(budgetTokens) {
  const paths = [];
  let total = 0;
  const count = rng.int(1, 3);
  for (let guard = 0; guard < 50 && paths.length < count; guard++) {
    const path = rng.pick(normalPaths);
    const size = tokens(project.get(path).content);
    if (paths.includes(path) || total + size > budgetTokens) continue;
    paths.push(path);
    total += size;
  }
  if (!paths.length) paths.push(normalPaths.reduce((small, path) => (tokens(project.get(path).content) < tokens(project.get(small).content) ? path : small)));
  return paths;
}

/** One launch of Aider: a chat with 1-3 files, `turns` requests of the user's, sometimes a long-context stretch. */
function session(turns, longEdits) {
  const chat = { paths: chatFiles(24_000), done: [], mapBudget: rng.int(1_024, 4_096), mapSeed: rng.int(1, 1e9), turnsSinceSummary: 0, summaryEvery: rng.int(12, 18) };
  const longAt = longEdits ? rng.int(3, Math.max(4, turns - longEdits - 2)) : -1;
  for (let turn = 0; turn < turns; turn++) {
    // Every few turns the user changes the files in the chat (/add, /drop).
    if (turn > 0 && rng.chance(0.12)) chat.paths = chatFiles(24_000);
    if (turn === longAt) {
      // The user adds the big generated files, does the long edits, and drops them again.
      const saved = chat.paths;
      const wanted = rng.int(68_000, 120_000);
      const big = [];
      const shuffled = [...bigPaths];
      for (let index = shuffled.length - 1; index > 0; index--) {
        const other = rng.int(0, index);
        [shuffled[index], shuffled[other]] = [shuffled[other], shuffled[index]];
      }
      for (const path of shuffled) {
        if (tokens([...big, path].map((p) => project.get(p).content).join('')) <= wanted) big.push(path);
      }
      chat.paths = [...big, saved[0]];
      for (let index = 0; index < longEdits; index++) editTurn(chat, 'long-edit', rng.pick(LONG_REQUESTS)(), chat.paths);
      chat.paths = saved;
      continue;
    }
    const roll = rng.random();
    if (roll < 0.62) {
      const { noun, name } = subjectOf(chat);
      editTurn(chat, 'edit', rng.pick(EDIT_REQUESTS)(noun, `\`${name}\``));
    } else if (roll < 0.86) askTurn(chat);
    else architectTurn(chat);
  }
}

// About 300 requests: 6 launches of Aider over the day, three with long-context edits.
const PLAN = [
  [28, 0],
  [24, 2],
  [30, 0],
  [22, 1],
  [26, 0],
  [27, 2],
];
for (const [turns, longEdits] of PLAN) session(turns, longEdits);

mkdirSync(dirname(OUTPUT), { recursive: true });
writeFileSync(OUTPUT, steps.map((step) => JSON.stringify(step)).join('\n') + '\n');

const byTask = {};
for (const step of steps) {
  const entry = (byTask[step.task] ??= { requests: 0, input: 0, output: 0, cached: 0, maxInput: 0 });
  entry.requests++;
  entry.input += step.upstreamUsage.inputTokens;
  entry.output += step.upstreamUsage.outputTokens;
  entry.cached += step.upstreamUsage.cacheReadTokens ?? 0;
  entry.maxInput = Math.max(entry.maxInput, step.upstreamUsage.inputTokens);
}
process.stderr.write(`wrote ${steps.length} requests to ${OUTPUT}\n`);
for (const [task, entry] of Object.entries(byTask)) {
  process.stderr.write(`  ${task.padEnd(12)} ${String(entry.requests).padStart(4)} requests, input avg ${Math.round(entry.input / entry.requests)} (max ${entry.maxInput}), output avg ${Math.round(entry.output / entry.requests)}, cache reads ${Math.round((100 * entry.cached) / entry.input)}% of input\n`);
}
