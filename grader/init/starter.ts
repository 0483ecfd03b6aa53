/**
 * Starters for `netgrade init`: one module per exercise, grader/init/starters/<id>.ts, whose
 * default export is `defineStarter({...})`. Adding an exercise's starter is adding that one
 * file (it is found by its name, like exercises/<id>/definition.ts). The boilerplate every
 * correct solution needs (port, 127.0.0.1, 'error' handlers, allowHalfOpen, workers) is
 * written by the helpers below, so every starter gets it the same way.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Catalogue } from '../i18n/catalogue.ts';
import type { Language } from '../i18n/language.ts';
import { starterText } from './starter-text.ts';

export const STARTERS_DIR = fileURLToPath(new URL('./starters/', import.meta.url));

/** Renders a message of a starter's catalogue in the chosen language. */
export type Say<En extends Record<string, string>> = ReturnType<Catalogue<En>['in']>;

export interface Starter {
  exercise: string;
  /** The starter's own catalogue (its TODOs), checked by tests/core/init.test.ts. */
  text: Catalogue<Record<string, string>>;
  /** File name (inside `<dir>/<exercise>/`) → content, in `language`. */
  files(language: Language): Record<string, string>;
}

export function defineStarter<En extends Record<string, string>>(starter: {
  exercise: string;
  text: Catalogue<En>;
  files: (say: Say<En>, language: Language) => Record<string, string>;
}): Starter {
  return {
    exercise: starter.exercise,
    text: starter.text as unknown as Catalogue<Record<string, string>>,
    files: (language) => starter.files(starter.text.in(language), language),
  };
}

export async function starterIds(): Promise<string[]> {
  const names = await readdir(STARTERS_DIR);
  return names.filter((n) => n.endsWith('.ts')).map((n) => n.slice(0, -3)).sort();
}

/** The starter of `exercise`, or undefined when it has none yet. */
export async function loadStarter(exercise: string): Promise<Starter | undefined> {
  const file = join(STARTERS_DIR, `${exercise}.ts`);
  if (!existsSync(file)) return undefined;
  const module = (await import(pathToFileURL(file).href)) as { default: Starter };
  return module.default;
}

// ---- code writing helpers -------------------------------------------------------------

/** `text` as `//` comment lines at `indent`, each at most about 96 columns (Chinese: by characters). */
export function comment(text: string, indent = ''): string {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    const words = /\s/.test(paragraph) ? paragraph.split(' ') : [...paragraph];
    let line = '';
    for (const word of words) {
      const joiner = line === '' ? '' : /\s/.test(paragraph) ? ' ' : '';
      if (line !== '' && (line + joiner + word).length > 92) {
        out.push(line);
        line = word;
      } else line += joiner + word;
    }
    out.push(line);
  }
  return out.map((l) => `${indent}// ${l}`.trimEnd()).join('\n');
}

/** A TODO comment quoting the spec's clauses. */
export function todo(language: Language, clauses: string[], indent = ''): string {
  const label = starterText.in(language)('todo');
  return clauses.map((c, i) => comment(`${i === 0 ? `${label}: ` : ''}${c}`, indent)).join('\n');
}

export function header(language: Language, id: string, title: string): string {
  return comment(starterText.in(language)('header', { id, title }));
}

/** The function that reads PORT, then --port N. */
export function readPortFunction(language: Language): string {
  const say = starterText.in(language);
  return `${comment(say('port'))}
function readPort(): number {
  const args = process.argv.slice(2);
  let raw = process.env.PORT;
  if (!raw) {
    const at = args.indexOf('--port');
    raw = at >= 0 ? args[at + 1] : args.find((a) => a.startsWith('--port='))?.slice('--port='.length);
  }
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error(${JSON.stringify(say('noPort'))});
    process.exit(2);
  }
  return port;
}`;
}

/** A TCP server with every boilerplate a solution needs; `onData`, `onEnd`, `atStart`: TODOs. */
export function tcpServer(language: Language, o: { id: string; title: string; atStart?: string; onConnect?: string; onData: string; onEnd?: string }): string {
  const say = starterText.in(language);
  return `${header(language, o.id, o.title)}
import net from 'node:net';

${readPortFunction(language)}
${o.atStart ? `\n${o.atStart}\n` : ''}
${comment(say('halfOpen'))}
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
${comment(say('socketError'), '  ')}
  socket.on('error', (error) => console.error('connection error:', error.message));
${o.onConnect ? `${o.onConnect}\n` : ''}  socket.on('data', (chunk) => {
${o.onData}
  });
  socket.on('end', () => {
${o.onEnd ?? comment(say('clientEnded'), '    ')}
    socket.end();
  });
});

${comment(say('serverError'))}
server.on('error', (error) => {
  console.error('server error:', error.message);
  process.exit(1);
});

${comment(say('listen'))}
const port = readPort();
server.listen(port, '127.0.0.1', () => {
${comment(say('logs'), '  ')}
  console.error(\`listening on 127.0.0.1:\${port}\`);
});
`;
}

/** A UDP server on 127.0.0.1 with its 'error' handler; `onMessage`, `atStart`: TODOs. */
export function udpServer(language: Language, o: { id: string; title: string; atStart?: string; onMessage: string }): string {
  const say = starterText.in(language);
  return `${header(language, o.id, o.title)}
import dgram from 'node:dgram';

${readPortFunction(language)}
${o.atStart ? `\n${o.atStart}\n` : ''}
const socket = dgram.createSocket('udp4');
${comment(say('udpError'))}
socket.on('error', (error) => {
  console.error('udp error:', error.message);
  process.exit(1);
});

socket.on('message', (message, from) => {
${o.onMessage}
});

${comment(say('listen'))}
const port = readPort();
socket.bind(port, '127.0.0.1', () => {
  console.error(\`listening on udp 127.0.0.1:\${port}\`);
});
`;
}

/** Waits for a worker; a worker that throws sets a non-zero exit code. */
export function workerExitHelper(language: Language): string {
  const say = starterText.in(language);
  return `${comment(say('workerError'))}
function finished(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    worker.on('error', (error) => {
      console.error('worker failed:', error);
      process.exitCode = 1;
    });
    worker.on('exit', () => resolve());
  });
}`;
}
