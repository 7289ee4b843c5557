import type { ChatMessage } from '../../providers/spec/chat-request.js';
import { CODERS, COMMIT_SYSTEM, SUMMARIZE, type Coder } from '../../shared/aider-prompts.js';

/**
 * A short Aider session, request by request, in the shapes Aider sends
 * (reference/aider.md sections 3 and 4; Aider's own prompts, src/shared/aider-prompts.ts, the
 * same the benchmarks' trace uses): streamed edit and architect turns with the system prompt,
 * examples, repo map and files, non-streamed commit messages and history summaries.
 */
export interface SessionStep {
  label: string;
  model: string;
  stream: boolean;
  messages: ChatMessage[];
  /** What the simulated model answers (roughly what a real one would, in length and form). */
  reply: string;
  /** The API it goes through: Chat Completions (Aider's), or the Responses API (Codex's). */
  api?: 'chat' | 'responses';
  /** What the demo makes a simulated provider do first, to show a fallback. */
  trouble?: { provider: 'anthropic' | 'deepseek' | 'openai'; status: number; type: string; message: string; retryAfter?: string };
}

const SOURCE = `import { Router } from 'express';
import { db } from './db.js';

export const todos = Router();

todos.get('/', async (_request, response) => {
  const rows = await db.all('SELECT id, title, done FROM todos ORDER BY id');
  response.json(rows);
});

todos.post('/', async (request, response) => {
  const { title } = request.body;
  const result = await db.run('INSERT INTO todos (title, done) VALUES (?, 0)', title);
  response.status(201).json({ id: result.lastID, title, done: false });
});

todos.patch('/:id', async (request, response) => {
  await db.run('UPDATE todos SET done = ? WHERE id = ?', request.body.done ? 1 : 0, request.params.id);
  response.status(204).end();
});
`;

const REPO_MAP = `src/db.ts:
│export const db
src/server.ts:
│const app = express()
│app.use('/todos', todos)
src/todos.ts:
│export const todos = Router()
test/todos.test.ts:
│describe('todos')`;

/** A turn as Aider's coder formats it (Coder.format_chat_chunks): system, examples, map, files, the request. */
function context(coder: Coder, request: string): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: coder.system }, ...coder.examples.map((message) => ({ ...message }))];
  if (coder.repoPrefix) {
    messages.push({ role: 'user', content: coder.repoPrefix + REPO_MAP }, { role: 'assistant', content: "Ok, I won't try and edit those files without asking first." });
  }
  messages.push({ role: 'user', content: `${coder.filesPrefix}\nsrc/todos.ts\n\`\`\`\n${SOURCE}\`\`\`\n` }, { role: 'assistant', content: coder.filesReply });
  messages.push({ role: 'user', content: coder.reminder === undefined ? request : `${request}\n\n${coder.reminder}` });
  return messages;
}

const DIFF = `diff --git a/src/todos.ts b/src/todos.ts
@@ -11,6 +11,9 @@ todos.post('/', async (request, response) => {
   const { title } = request.body;
+  if (typeof title !== 'string' || !title.trim()) {
+    return response.status(400).json({ error: 'title is required' });
+  }`;

const EDIT_REPLY = `To reject a POST without a title, check \`title\` before inserting and answer 400 with a JSON error.

src/todos.ts
\`\`\`typescript
<<<<<<< SEARCH
  const { title } = request.body;
  const result = await db.run('INSERT INTO todos (title, done) VALUES (?, 0)', title);
=======
  const { title } = request.body;
  if (typeof title !== 'string' || !title.trim()) {
    return response.status(400).json({ error: 'title is required' });
  }
  const result = await db.run('INSERT INTO todos (title, done) VALUES (?, 0)', title.trim());
>>>>>>> REPLACE
\`\`\`
`;

const PLAN_REPLY = `1. In src/todos.ts, GET /: read \`limit\` and \`offset\` from request.query.
2. Parse both as integers; default limit to 50 and offset to 0; clamp limit to 1..200 and offset to >= 0.
3. Answer 400 with a JSON error when either is not a number.
4. Add \`LIMIT ? OFFSET ?\` to the SELECT and pass the two values.
5. Add tests for the defaults, the clamp and the 400 in test/todos.test.ts.
`;

export const DEMO_SESSION: readonly SessionStep[] = [
  {
    label: 'ask about the code',
    model: 'lodestar/auto',
    stream: true,
    messages: context(CODERS.ask, 'How are todos stored, and what happens when the title is missing?'),
    reply: 'Todos live in SQLite behind src/db.ts. POST / inserts whatever `title` it gets, so a missing title is stored as NULL: nothing rejects it.',
  },
  { label: 'edit: validate the title', model: 'lodestar/auto', stream: true, messages: context(CODERS.edit, 'Reject a POST without a title with a 400 and a JSON error.'), reply: EDIT_REPLY },
  {
    label: 'commit message',
    model: 'lodestar/cheap',
    stream: false,
    messages: [
      { role: 'system', content: COMMIT_SYSTEM },
      { role: 'user', content: `# Diffs:\n${DIFF}` },
    ],
    reply: 'feat: reject todos without a title',
  },
  { label: 'architect: plan pagination', model: 'lodestar/strong', stream: true, messages: context(CODERS.architect, 'Add pagination to GET /todos with limit and offset query parameters.'), reply: PLAN_REPLY },
  { label: 'editor: apply the plan', model: 'lodestar/auto', stream: true, messages: context(CODERS.editor, 'Add `limit` (default 50, at most 200) and `offset` (default 0) to GET /todos and use them in the SQL.'), reply: EDIT_REPLY },
  {
    label: 'local model: small fix',
    model: 'lodestar/local',
    stream: true,
    messages: context(CODERS.edit, 'Rename the `rows` variable in GET / to `items`.'),
    reply: "src/todos.ts\n```typescript\n<<<<<<< SEARCH\n  const rows = await db.all('SELECT id, title, done FROM todos ORDER BY id');\n  response.json(rows);\n=======\n  const items = await db.all('SELECT id, title, done FROM todos ORDER BY id');\n  response.json(items);\n>>>>>>> REPLACE\n```\n",
  },
  {
    label: 'summarize history',
    model: 'lodestar/cheap',
    stream: false,
    messages: [
      { role: 'system', content: SUMMARIZE },
      { role: 'user', content: 'USER: How are todos stored?\nASSISTANT: In SQLite through src/db.ts...\nUSER: Reject a POST without a title.\nASSISTANT: I added a check in src/todos.ts.' },
    ],
    reply: 'I asked you how todos are stored; you said SQLite through src/db.ts. Then I asked you to reject a POST without a title, and you added a check to the POST handler in src/todos.ts.',
  },
  {
    // Codex's turn after running a command: its own prompt, tools, and the command's output coming back.
    label: 'agent (Codex): after a tool call',
    model: 'lodestar/auto',
    stream: true,
    api: 'responses',
    messages: [
      { role: 'developer', content: 'You are a coding agent running in the Codex CLI, a terminal-based coding assistant. Keep going until the task is done.' },
      { role: 'user', content: 'Make the test for POST /todos pass.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_demo_1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"npm test -- todos"}' } }] },
      { role: 'tool', tool_call_id: 'call_demo_1', content: `FAIL test/todos.test.ts\n  ✕ rejects a todo without a title (12 ms)\n    expected 400, got 201\n\n${SOURCE}` },
    ],
    reply: 'The handler stores a missing title; I will add the check to src/todos.ts and run the tests again.',
  },
  {
    label: 'architect while gpt-5 is rate-limited',
    model: 'lodestar/strong',
    stream: true,
    messages: context(CODERS.architect, 'Add a `dueDate` column to todos, with a migration.'),
    reply: PLAN_REPLY,
    trouble: { provider: 'openai', status: 429, type: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-5 on tokens per min (TPM).', retryAfter: '30' },
  },
];
