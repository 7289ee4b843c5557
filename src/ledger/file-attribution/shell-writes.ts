import { applyPatchWrites } from './apply-patch.js';
import { byteLength, type FileWrite } from './observed-answer.js';

/**
 * The files a shell command an agent runs plainly writes: an output redirection (`> path`,
 * `>> path`, `&> path`), `tee path`, a here-document sent to either (`cat > path <<'EOF'`), and
 * a Codex patch fed to apply_patch. Conservative: a target with an expansion in it (`$x`, a
 * glob, `~`, a backquote) or a device is not read as a file, nor is anything a program does on
 * its own (sed -i, python -c, cp). Bytes: a here-document's body, else the command's own length.
 */
export function shellWrites(script: string): FileWrite[] {
  const writes = script.includes('*** Begin Patch') ? applyPatchWrites(script) : [];
  if (!script.includes('>') && !/\btee\b/.test(script)) return writes;
  for (const pipeline of pipelines(lex(script))) {
    const heredocs = pipeline.reduce((total, command) => total + command.heredocBytes, 0);
    for (const command of pipeline) {
      const bytes = heredocs || byteLength(command.words.map((word) => word.text).join(' '));
      for (const target of targets(command)) writes.push({ path: target, bytes });
    }
  }
  return writes;
}

interface Word {
  kind: 'word';
  text: string;
  /** No unquoted expansion or glob: the text is what the shell would use. */
  plain: boolean;
}
interface Operator {
  kind: 'op';
  text: string;
  /** A here-document's body bytes, on its `<<` operator. */
  body?: number;
}
type Token = Word | Operator;

interface Command {
  words: Word[];
  redirects: Array<{ op: string; target: Word | undefined }>;
  heredocBytes: number;
}

const WRITES = new Set(['>', '>>', '>|', '1>', '1>>', '1>|', '&>', '&>>']);
const SEPARATORS = new Set([';', '&&', '||', '&', '(', ')', '\n']);
const OPERATORS = ['&>>', '<<<', '<<-', '&&', '||', '>>', '>|', '>&', '<<', '<&', '&>', '|', ';', '&', '(', ')', '>', '<'];
const EXPANSION = /[$`*?[{]/;

/** The command's words and redirections, split from a script as a POSIX shell would, here-documents included. */
function lex(script: string): Token[] {
  const tokens: Token[] = [];
  const pending: Array<{ delimiter: string; stripTabs: boolean; op: Operator }> = [];
  let word: Word | undefined;
  const end = (): void => {
    if (word) tokens.push(word);
    word = undefined;
  };
  const extend = (text: string, plain: boolean): void => {
    word ??= { kind: 'word', text: '', plain: true };
    word.text += text;
    if (!plain) word.plain = false;
  };
  let index = 0;
  while (index < script.length) {
    const character = script[index] as string;
    if (character === ' ' || character === '\t') {
      end();
      index++;
    } else if (character === '\n') {
      end();
      tokens.push({ kind: 'op', text: '\n' });
      index++;
      // The here-documents opened on this line: their bodies come next.
      for (const heredoc of pending.splice(0)) {
        let body = 0;
        while (index < script.length) {
          const next = script.indexOf('\n', index);
          const line = script.slice(index, next === -1 ? script.length : next);
          index = next === -1 ? script.length : next + 1;
          if ((heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter) break;
          body += byteLength(line) + 1;
        }
        heredoc.op.body = body;
      }
    } else if (character === '#' && !word) {
      const next = script.indexOf('\n', index);
      index = next === -1 ? script.length : next;
    } else if (character === "'") {
      const close = script.indexOf("'", index + 1);
      extend(script.slice(index + 1, close === -1 ? script.length : close), true);
      index = close === -1 ? script.length : close + 1;
    } else if (character === '"') {
      let text = '';
      let plain = true;
      index++;
      while (index < script.length && script[index] !== '"') {
        if (script[index] === '\\' && index + 1 < script.length) index++;
        else if (script[index] === '$' || script[index] === '`') plain = false;
        text += script[index];
        index++;
      }
      extend(text, plain);
      index++;
    } else if (character === '\\') {
      if (script[index + 1] !== '\n') extend(script[index + 1] ?? '', true);
      index += 2;
    } else {
      const op = OPERATORS.find((candidate) => script.startsWith(candidate, index));
      if (!op) {
        extend(character, !EXPANSION.test(character) && !(character === '~' && !word));
        index++;
        continue;
      }
      // A file descriptor right before a redirection belongs to it (2>, 1>>).
      const descriptor = word && /^\d+$/.test(word.text) && (op.startsWith('>') || op.startsWith('<')) ? word.text : '';
      if (descriptor) word = undefined;
      else end();
      const operator: Operator = { kind: 'op', text: descriptor + op };
      tokens.push(operator);
      index += op.length;
      if (op === '<<' || op === '<<-') {
        // The delimiter is the next word, its quotes removed.
        while (script[index] === ' ' || script[index] === '\t') index++;
        const match = /^(['"]?)([^\s'";&|<>()]+)\1/.exec(script.slice(index));
        if (match) {
          pending.push({ delimiter: match[2] as string, stripTabs: op === '<<-', op: operator });
          index += match[0].length;
        }
      }
    }
  }
  end();
  return tokens;
}

/** Commands grouped by pipeline (`cat <<EOF | tee file`: the body goes to tee's file). */
function pipelines(tokens: Token[]): Command[][] {
  const all: Command[][] = [];
  let pipeline: Command[] = [];
  let command: Command = { words: [], redirects: [], heredocBytes: 0 };
  const close = (endsPipeline: boolean): void => {
    if (command.words.length || command.redirects.length) pipeline.push(command);
    command = { words: [], redirects: [], heredocBytes: 0 };
    if (endsPipeline && pipeline.length) {
      all.push(pipeline);
      pipeline = [];
    }
  };
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as Token;
    if (token.kind === 'word') command.words.push(token);
    else if (token.text === '|') close(false);
    else if (SEPARATORS.has(token.text)) close(true);
    else {
      // A here-document's delimiter was taken by the lexer: no target follows it.
      const heredoc = /<<-?$/.test(token.text);
      const next = tokens[index + 1];
      const target = !heredoc && next?.kind === 'word' ? next : undefined;
      if (target) index++;
      command.redirects.push({ op: token.text, target });
      if (token.body !== undefined) command.heredocBytes += token.body;
    }
  }
  close(true);
  return all;
}

function targets(command: Command): string[] {
  const found: string[] = [];
  for (const redirect of command.redirects) {
    if (WRITES.has(redirect.op) && redirect.target && isFileTarget(redirect.target)) found.push(redirect.target.text);
  }
  // tee's operands, after any VAR=value and sudo.
  const words = command.words;
  let start = 0;
  while (start < words.length && (/^\w+=/.test((words[start] as Word).text) || (words[start] as Word).text === 'sudo')) start++;
  if (words[start]?.text === 'tee') {
    for (const word of words.slice(start + 1)) if (!word.text.startsWith('-') && isFileTarget(word)) found.push(word.text);
  }
  return found;
}

function isFileTarget(word: Word): boolean {
  return word.plain && word.text !== '' && word.text !== '-' && !word.text.startsWith('/dev/') && !word.text.startsWith('/proc/');
}
