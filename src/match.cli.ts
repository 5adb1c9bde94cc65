/**
 * Command line for the matching engine: `npm run --silent match -- <instance.json>` prints the
 * answer as JSON and nothing else. A missing or malformed instance is one line on stderr and
 * exit code 1, so scripts can tell a bad file from an infeasible tender (which is an answer).
 */
import { readFile } from 'node:fs/promises';
import { solveMatch, validateInstance } from './core/matching/match.engine.js';

async function main(argv: string[]): Promise<number> {
  const path = argv[0];
  if (path === undefined || argv.length > 1) {
    process.stderr.write('usage: npm run --silent match -- <instance.json>\n');
    return 2;
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? err)}\n`);
    return 1;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    process.stderr.write(`${path} is not valid JSON: ${(err as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  const checked = validateInstance(json);
  if (!checked.ok) {
    process.stderr.write(`${path}: ${checked.error}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(solveMatch(checked.instance))}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`match failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
