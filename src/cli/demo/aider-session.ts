import type { ChatMessage } from '../../providers/spec/chat-request.js';

/**
 * A short Aider session, request by request, in the shapes Aider sends
 * (reference/aider.md sections 3 and 4; prompts from aider/prompts.py and
 * aider/coders/*_prompts.py at 5dc9490): streamed edit and architect turns with the system
 * prompt, repo map and files, non-streamed commit messages and history summaries.
 */
export interface SessionStep {
  label: string;
  model: string;
  stream: boolean;
  messages: ChatMessage[];
  /** What the simulated model answers (roughly what a real one would, in length and form). */
  reply: string;
  /** What the demo makes a simulated provider do first, to show a fallback. */
  trouble?: { provider: 'anthropic' | 'deepseek' | 'openai'; status: number; type: string; message: string; retryAfter?: string };
}

const EDIT_SYSTEM = `Act as an expert software developer.
Always use best practices when coding.
Respect and use existing conventions, libraries, etc that are already present in the code base.
Take requests for changes to the supplied code.
If the request is ambiguous, ask questions.

Once you understand the request you MUST:

1. Decide if you need to propose *SEARCH/REPLACE* edits to any files that haven't been added to the chat.
2. Think step-by-step and explain the needed changes in a few short sentences.
3. Describe each change with a *SEARCH/REPLACE block* per the examples below.

All changes to files must use this *SEARCH/REPLACE block* format.
ONLY EVER RETURN CODE IN A *SEARCH/REPLACE BLOCK*!`;

const EDITOR_SYSTEM = `Act as an expert software developer who edits source code.
Describe each change with a *SEARCH/REPLACE block* per the examples below.
All changes to files must use this *SEARCH/REPLACE block* format.
ONLY EVER RETURN CODE IN A *SEARCH/REPLACE BLOCK*!`;

const ARCHITECT_SYSTEM = `Act as an expert architect engineer and provide direction to your editor engineer.
Study the change request and the current code.
Describe how to modify the code to complete the request.
The editor engineer will rely solely on your instructions, so make them unambiguous and complete.
Explain all needed code changes clearly and completely, but concisely.
Just show the changes needed.

DO NOT show the entire updated function/file/etc!

Always reply to the user in English.`;

const ASK_SYSTEM = `Act as an expert code analyst.
Answer questions about the supplied code.
Always reply to the user in English.

If you need to describe code changes, do so *briefly*.`;

const COMMIT_SYSTEM = `You are an expert software engineer that generates concise, one-line Git commit messages based on the provided diffs.
Review the provided context and diffs which are about to be committed to a git repo.
Review the diffs carefully.
Generate a one-line commit message for those changes.
The commit message should be structured as follows: <type>: <description>
Use these for <type>: fix, feat, build, chore, ci, docs, style, refactor, perf, test

Ensure the commit message:
- Starts with the appropriate prefix.
- Is in the imperative mood (e.g., "add feature" not "added feature" or "adding feature").
- Does not exceed 72 characters.

Reply only with the one-line commit message, without any additional text, explanations, or line breaks.`;

const SUMMARY_SYSTEM = `*Briefly* summarize this partial conversation about programming.
Include less detail about older parts and more detail about the most recent messages.
Start a new paragraph every time the topic changes!

Phrase the summary with the USER in first person, telling the ASSISTANT about the conversation.
Write *as* the user.
The user should refer to the assistant as *you*.
Start the summary with "I asked you...".`;

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

function context(system: string, request: string): ChatMessage[] {
  return [
    { role: 'system', content: system },
    { role: 'user', content: `Here are summaries of some files present in my git repository.\nDo not propose changes to these files, treat them as *read-only*.\n\n${REPO_MAP}` },
    { role: 'assistant', content: "Ok, I won't try and edit those files without asking first." },
    { role: 'user', content: `I have *added these files to the chat* so you can go ahead and edit them.\n\n*Trust this message as the true contents of these files!*\n\nsrc/todos.ts\n\`\`\`\n${SOURCE}\`\`\`` },
    { role: 'assistant', content: 'Ok, any changes I propose will be to those files.' },
    { role: 'user', content: request },
  ];
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
    messages: context(ASK_SYSTEM, 'How are todos stored, and what happens when the title is missing?'),
    reply: 'Todos live in SQLite behind src/db.ts. POST / inserts whatever `title` it gets, so a missing title is stored as NULL: nothing rejects it.',
  },
  { label: 'edit: validate the title', model: 'lodestar/auto', stream: true, messages: context(EDIT_SYSTEM, 'Reject a POST without a title with a 400 and a JSON error.'), reply: EDIT_REPLY },
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
  { label: 'architect: plan pagination', model: 'lodestar/strong', stream: true, messages: context(ARCHITECT_SYSTEM, 'Add pagination to GET /todos with limit and offset query parameters.'), reply: PLAN_REPLY },
  { label: 'editor: apply the plan', model: 'lodestar/auto', stream: true, messages: context(EDITOR_SYSTEM, 'Add `limit` (default 50, at most 200) and `offset` (default 0) to GET /todos and use them in the SQL.'), reply: EDIT_REPLY },
  {
    label: 'local model: small fix',
    model: 'lodestar/local',
    stream: true,
    messages: context(EDIT_SYSTEM, 'Rename the `rows` variable in GET / to `items`.'),
    reply: "src/todos.ts\n```typescript\n<<<<<<< SEARCH\n  const rows = await db.all('SELECT id, title, done FROM todos ORDER BY id');\n  response.json(rows);\n=======\n  const items = await db.all('SELECT id, title, done FROM todos ORDER BY id');\n  response.json(items);\n>>>>>>> REPLACE\n```\n",
  },
  {
    label: 'summarize history',
    model: 'lodestar/cheap',
    stream: false,
    messages: [
      { role: 'system', content: SUMMARY_SYSTEM },
      { role: 'user', content: 'USER: How are todos stored?\nASSISTANT: In SQLite through src/db.ts...\nUSER: Reject a POST without a title.\nASSISTANT: I added a check in src/todos.ts.' },
    ],
    reply: 'I asked you how todos are stored; you said SQLite through src/db.ts. Then I asked you to reject a POST without a title, and you added a check to the POST handler in src/todos.ts.',
  },
  {
    label: 'architect while gpt-5 is rate-limited',
    model: 'lodestar/strong',
    stream: true,
    messages: context(ARCHITECT_SYSTEM, 'Add a `dueDate` column to todos, with a migration.'),
    reply: PLAN_REPLY,
    trouble: { provider: 'openai', status: 429, type: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-5 on tokens per min (TPM).', retryAfter: '30' },
  },
];
