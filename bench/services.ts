/**
 * What the benchmarks share about the services they run on: the URLs `npm run bench:*`
 * sets (scripts/with-services.mjs starts what is missing), a database of their own, and
 * clearing their Redis keys afterwards.
 */
export const say = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** A service URL the npm script set; the bench says how to run it when it is missing. */
export function serviceUrl(name: 'MONGODB_URI' | 'REDIS_URL', script: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run through \`npm run ${script}\`, which starts the services.`);
  return v;
}

// A database of their own and clearing their Redis keys work as the tests' do.
export { clearPrefix, withDatabase } from '../test/helpers/services.js';
