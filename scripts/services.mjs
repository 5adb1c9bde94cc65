#!/usr/bin/env node
// Makes a MongoDB-compatible server and a Redis available for local runs and tests.
//
//   node scripts/services.mjs         ensure both, print MONGODB_URI=… and REDIS_URL=…
//   node scripts/services.mjs stop    stop the FerretDB (and the Redis) this script started
//
// An explicit MONGODB_URI / REDIS_URL wins when it answers. Otherwise MongoDB is FerretDB
// (SQLite backend, data in .data/ferretdb/) built from source on first use, and Redis is
// whatever answers on 127.0.0.1:6379, or a redis-server started here with data in .data/.
// Node builtins only: this runs before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL, URLSearchParams } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(ROOT, '.data');
const LOCK_FILE = path.join(DATA, 'services.lock');

const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
// A project port rather than 27017, so a developer's own MongoDB is never touched.
const FERRETDB_HOST = '127.0.0.1';
const FERRETDB_PORT = 27027;
const FERRETDB_URI = `mongodb://${FERRETDB_HOST}:${FERRETDB_PORT}`;
const FERRETDB_BIN = path.join(DATA, 'bin', 'ferretdb');
const FERRETDB_SRC = path.join(DATA, 'build', 'ferretdb-src');
const FERRETDB_DATA = path.join(DATA, 'ferretdb');
const FERRETDB_STATE = path.join(DATA, 'ferretdb-state');
const FERRETDB_LOG = path.join(DATA, 'ferretdb.log');
const FERRETDB_PID = path.join(DATA, 'ferretdb.pid');
const FERRETDB_START_TIMEOUT_MS = 20_000;

const REDIS_HOST = '127.0.0.1';
const REDIS_PORT = 6379;
const REDIS_LOCAL_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`;
const REDIS_DIR = path.join(DATA, 'redis');
const REDIS_LOG = path.join(DATA, 'redis.log');
// Present only while a redis-server started by this script runs (Redis deletes it on exit),
// so `stop` never stops a Redis that belongs to the machine.
const REDIS_PID = path.join(DATA, 'redis.pid');
const REDIS_START_TIMEOUT_MS = 10_000;

const PROBE_TIMEOUT_MS = 1_500;

/** A failure the user can act on: the CLI prints only its message. */
export class ServicesError extends Error {
  name = 'ServicesError';
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// Probes: speak just enough of each wire protocol to know a real server answered.

/**
 * Connects, writes `payload`, and collects the answer until `complete(buffer)` says it is
 * whole. Resolves to the bytes, or undefined when nothing (complete) came back in time.
 * With no payload, resolves to an empty buffer as soon as the connection opens.
 */
function exchange({ host, port, useTls = false, payload, complete, timeoutMs = PROBE_TIMEOUT_MS }) {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = useTls
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
      : net.connect({ host, port });
    const finish = (value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      if (payload === undefined) finish(Buffer.alloc(0));
      else socket.write(payload);
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (complete(received)) finish(received);
    });
    socket.once('error', () => finish(undefined));
    socket.once('close', () => finish(undefined));
  });
}

const int32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
const cstring = (s) => Buffer.from(`${s}\0`, 'utf8');

/** An OP_MSG carrying `{ ping: 1, $db: "admin" }`: the cheapest command every server answers. */
function pingMessage() {
  const db = cstring('admin');
  const elements = Buffer.concat([
    Buffer.from([0x10]), cstring('ping'), int32(1),
    Buffer.from([0x02]), cstring('$db'), int32(db.length), db,
  ]);
  const doc = Buffer.concat([int32(4 + elements.length + 1), elements, Buffer.from([0])]);
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + doc.length, 0); // messageLength
  header.writeInt32LE(1, 4); // requestID
  header.writeInt32LE(0, 8); // responseTo
  header.writeInt32LE(2013, 12); // OP_MSG
  header.writeUInt32LE(0, 16); // flagBits
  header.writeUInt8(0, 20); // section kind 0: body
  return Buffer.concat([header, doc]);
}

/** True when `doc` (a BSON document) has a top-level `ok` field. */
function hasOkField(doc) {
  const fixed = { 0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x0a: 0, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16 };
  let at = 4;
  while (at < doc.length - 1) {
    const type = doc[at];
    const nameEnd = doc.indexOf(0, at + 1);
    if (nameEnd < 0) return false;
    if (doc.toString('utf8', at + 1, nameEnd) === 'ok') return true;
    at = nameEnd + 1;
    if (type in fixed) at += fixed[type];
    else if (type === 0x02) at += 4 + doc.readInt32LE(at);
    else if (type === 0x03 || type === 0x04) at += doc.readInt32LE(at);
    else if (type === 0x05) at += 5 + doc.readInt32LE(at);
    else return false;
  }
  return false;
}

/**
 * 'mongo' when a MongoDB-compatible server answers a ping, 'other' when the port is open but
 * speaks something else, 'down' when nothing listens.
 */
async function probeMongo(host, port) {
  const reply = await exchange({
    host,
    port,
    payload: pingMessage(),
    complete: (buf) => buf.length >= 4 && buf.length >= buf.readInt32LE(0),
  });
  if (reply === undefined) return (await exchange({ host, port })) ? 'other' : 'down';
  const isReply = reply.length > 21 && reply.readInt32LE(12) === 2013 && reply[20] === 0;
  return isReply && hasOkField(reply.subarray(21)) ? 'mongo' : 'other';
}

function resp(...args) {
  return Buffer.from(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
}

/**
 * Sends AUTH (when credentials are given) and PING. Resolves to 'pong', 'auth' (a Redis that
 * wants a password we do not have), 'other' (an open port that is not Redis), or 'down'.
 */
async function probeRedis({ host, port, useTls = false, username, password }) {
  const commands = [];
  if (password) commands.push(username ? resp('AUTH', username, password) : resp('AUTH', password));
  commands.push(resp('PING'));
  const reply = await exchange({
    host,
    port,
    useTls,
    payload: Buffer.concat(commands),
    complete: (buf) => buf.toString('latin1').split('\r\n').length > commands.length,
  });
  if (reply === undefined) return (await exchange({ host, port, useTls })) ? 'other' : 'down';
  const text = reply.toString('utf8');
  if (text.includes('+PONG')) return 'pong';
  if (/^-(NOAUTH|WRONGPASS|ERR)/m.test(text)) return 'auth';
  return 'other';
}

// ---------------------------------------------------------------------------------------
// Reading the URIs the user gave.

/** Seed hosts of a mongodb:// URI (several for a replica set), plus how to reach them. */
function parseMongoUri(uri) {
  const match = /^(mongodb(?:\+srv)?):\/\/(?:[^@/]*@)?([^/?]+)(?:\/[^?]*)?(?:\?(.*))?$/.exec(uri);
  if (!match) return undefined;
  const [, scheme, hostList, query = ''] = match;
  const params = new URLSearchParams(query);
  const useTls = scheme === 'mongodb+srv' || ['tls', 'ssl'].some((k) => params.get(k) === 'true');
  const hosts = hostList.split(',').map((entry) => {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) return { host: bracketed[1], port: Number(bracketed[2] ?? 27017) };
    const [host, port] = entry.split(':');
    return { host, port: Number(port ?? 27017) };
  });
  return { srv: scheme === 'mongodb+srv', useTls, hosts };
}

/** True when some server named by the URI answers. */
async function mongoUriAnswers(uri) {
  const parsed = parseMongoUri(uri);
  if (!parsed) throw new ServicesError(`MONGODB_URI is not a mongodb:// or mongodb+srv:// URI.`);
  let hosts = parsed.hosts;
  if (parsed.srv) {
    try {
      const records = await dns.promises.resolveSrv(`_mongodb._tcp.${hosts[0]?.host}`);
      hosts = records.map((r) => ({ host: r.name, port: r.port }));
    } catch {
      return false;
    }
  }
  for (const { host, port } of hosts) {
    // Behind TLS a plain ping cannot be spoken; an open port is the best cheap evidence.
    if (parsed.useTls ? await exchange({ host, port }) : (await probeMongo(host, port)) === 'mongo') return true;
  }
  return false;
}

function describeMongoUri(uri) {
  return parseMongoUri(uri)?.hosts.map((h) => `${h.host}:${h.port}`).join(',') ?? 'the given server';
}

function parseRedisUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new ServicesError('REDIS_URL is not a URL (expected redis://[:password@]host:port).');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ServicesError('REDIS_URL must start with redis:// or rediss://.');
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: Number(url.port || 6379),
    useTls: url.protocol === 'rediss:',
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

// ---------------------------------------------------------------------------------------
// Processes, pid files and the lock.

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function readPid(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Guards against a recycled pid: the process must still be the program we started. */
function isProcessOf(pid, program) {
  if (!isAlive(pid)) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(program);
  } catch {
    return true; // no /proc (macOS): trust the pid file
  }
}

function which(program) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

function tail(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/**
 * Serialises setup between concurrent callers (parallel test files, two terminals), so a
 * build or a start happens once. A lock left by a dead process is taken over.
 */
async function withLock(log, work) {
  fs.mkdirSync(DATA, { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(LOCK_FILE, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = readPid(LOCK_FILE);
      if (owner === undefined || !isAlive(owner)) {
        // The owner may still be writing its pid; only a lock with a dead or no owner that
        // stays so is stale.
        await sleep(100);
        if (readPid(LOCK_FILE) === owner && (owner === undefined || !isAlive(owner))) fs.rmSync(LOCK_FILE, { force: true });
        continue;
      }
      if (!announced) log(`Waiting for another setup of the services to finish (pid ${owner})…`);
      announced = true;
      if (Date.now() > deadline) throw new ServicesError(`Gave up waiting for ${LOCK_FILE} held by pid ${owner}.`);
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    if (readPid(LOCK_FILE) === process.pid) fs.rmSync(LOCK_FILE, { force: true });
  }
}

// ---------------------------------------------------------------------------------------
// FerretDB.

function ferretdbBinaryWorks() {
  if (!fs.existsSync(FERRETDB_BIN)) return false;
  const result = spawnSync(FERRETDB_BIN, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 && result.stdout.includes(FERRETDB_VERSION);
}

function makeWritable(target) {
  const stat = fs.lstatSync(target);
  if (stat.isSymbolicLink()) return;
  fs.chmodSync(target, stat.mode | 0o200);
  if (stat.isDirectory()) for (const entry of fs.readdirSync(target)) makeWritable(path.join(target, entry));
}

function goEnv() {
  // No VCS stamping: the sources sit inside this repository's checkout, whose git state
  // says nothing about FerretDB. Pure-Go SQLite, so no C toolchain is needed.
  return { ...process.env, GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim(), CGO_ENABLED: '0' };
}

/**
 * Builds .data/bin/ferretdb. `go install …/cmd/ferretdb@v1.24.2` compiles, but the binary
 * panics at start ("Invalid build/version/version.txt file content") because that file is
 * generated by FerretDB's own build and is absent from the module download. So we always
 * take the module source `go install` would use, add the version file, and build that.
 */
function buildFerretdb(log) {
  // Go's official tarball installs to /usr/local/go, which is not always on PATH.
  const go = which('go') ?? ['/usr/local/go/bin/go'].find((candidate) => fs.existsSync(candidate));
  if (!go) {
    throw new ServicesError(
      'FerretDB (the local MongoDB-compatible server) is built with Go, and `go` is not on PATH. ' +
        'Install Go 1.24+ (https://go.dev/dl/) or set MONGODB_URI to a MongoDB 6+ server.',
    );
  }
  log(`Building FerretDB ${FERRETDB_VERSION} from source into .data/bin (first run only; about a minute)…`);
  const download = spawnSync(go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
    cwd: DATA,
    env: goEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let info;
  try {
    info = JSON.parse(download.stdout);
  } catch {
    info = {};
  }
  if (download.status !== 0 || !info.Dir) {
    throw new ServicesError(`Could not download FerretDB sources: ${info.Error ?? `go mod download exited ${download.status}`}`);
  }
  if (fs.existsSync(FERRETDB_SRC)) {
    makeWritable(FERRETDB_SRC);
    fs.rmSync(FERRETDB_SRC, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(FERRETDB_SRC), { recursive: true });
  fs.cpSync(info.Dir, FERRETDB_SRC, { recursive: true });
  makeWritable(FERRETDB_SRC); // the module cache is read-only
  fs.writeFileSync(path.join(FERRETDB_SRC, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);

  // Build beside the target and rename, so an interrupted build never looks installed.
  const partial = `${FERRETDB_BIN}.partial`;
  fs.mkdirSync(path.dirname(FERRETDB_BIN), { recursive: true });
  const build = spawnSync(go, ['build', '-trimpath', '-o', partial, './cmd/ferretdb'], {
    cwd: FERRETDB_SRC,
    env: goEnv(),
    stdio: ['ignore', 2, 2],
  });
  if (build.status !== 0) throw new ServicesError(`Building FerretDB failed (go build exited ${build.status}); see the output above.`);
  fs.renameSync(partial, FERRETDB_BIN);
  if (!ferretdbBinaryWorks()) throw new ServicesError(`The FerretDB binary built at ${FERRETDB_BIN} does not run; delete .data/ and retry.`);
}

async function startFerretdb(log) {
  if (!ferretdbBinaryWorks()) buildFerretdb(log);
  fs.mkdirSync(FERRETDB_DATA, { recursive: true });
  fs.mkdirSync(FERRETDB_STATE, { recursive: true });
  log(`Starting FerretDB (MongoDB-compatible) on ${FERRETDB_HOST}:${FERRETDB_PORT}, data in .data/ferretdb, log in .data/ferretdb.log…`);
  // Keep one previous log, so a long-lived checkout's log does not grow without bound.
  if ((fs.statSync(FERRETDB_LOG, { throwIfNoEntry: false })?.size ?? 0) > 10 * 1024 * 1024) {
    fs.renameSync(FERRETDB_LOG, `${FERRETDB_LOG}.old`);
  }
  const logFd = fs.openSync(FERRETDB_LOG, 'a');
  const child = spawn(
    FERRETDB_BIN,
    [
      '--handler=sqlite',
      // WAL (FerretDB's default) with synchronous=NORMAL: a commit no longer waits for an
      // fsync, and the database stays consistent after a crash; only the last moments
      // before a power cut can be lost. This server is for local use and tests.
      `--sqlite-url=file:${pathToFileURL(FERRETDB_DATA).pathname}/?_pragma=synchronous(normal)`,
      `--listen-addr=${FERRETDB_HOST}:${FERRETDB_PORT}`,
      `--state-dir=${FERRETDB_STATE}`,
      '--telemetry=disable',
      // "-" turns the metrics/pprof HTTP listener off (cmd/ferretdb/main.go in v1.24.2), so
      // it cannot collide with anything on the default 127.0.0.1:8088.
      '--debug-addr=-',
      '--log-level=warn',
    ],
    { cwd: DATA, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  fs.closeSync(logFd);
  let exited;
  child.once('exit', (code, signal) => {
    exited = signal ?? `exit code ${code}`;
  });
  child.once('error', (error) => {
    exited = error.message;
  });
  child.unref();
  if (child.pid) fs.writeFileSync(FERRETDB_PID, `${child.pid}\n`);

  const deadline = Date.now() + FERRETDB_START_TIMEOUT_MS;
  while (Date.now() < deadline && exited === undefined) {
    if ((await probeMongo(FERRETDB_HOST, FERRETDB_PORT)) === 'mongo') return;
    await sleep(200);
  }
  if (exited !== undefined) fs.rmSync(FERRETDB_PID, { force: true });
  const why = exited === undefined ? `did not answer within ${FERRETDB_START_TIMEOUT_MS / 1000} s` : `stopped (${exited})`;
  throw new ServicesError(`FerretDB ${why}. Last lines of ${FERRETDB_LOG}:\n${tail(FERRETDB_LOG)}`);
}

/** The MongoDB URI to use when one already answers, else undefined; starts nothing. */
async function findMongo(log) {
  const given = process.env.MONGODB_URI;
  if (given) {
    if (await mongoUriAnswers(given)) return given;
    log(`MONGODB_URI (${describeMongoUri(given)}) does not answer; using the local FerretDB instead.`);
  }
  const state = await probeMongo(FERRETDB_HOST, FERRETDB_PORT);
  if (state === 'mongo') return FERRETDB_URI;
  if (state === 'other') {
    throw new ServicesError(`Port ${FERRETDB_PORT} is taken by something that is not a MongoDB-compatible server; free it or set MONGODB_URI.`);
  }
  return undefined;
}

async function ensureMongo(log, started) {
  const found = await findMongo(log);
  if (found) return found;
  await startFerretdb(log);
  started.push('ferretdb');
  return FERRETDB_URI;
}

// ---------------------------------------------------------------------------------------
// Redis.

async function startRedis(log) {
  const server = which('redis-server');
  if (!server) {
    throw new ServicesError('No Redis answers on 127.0.0.1:6379. Install redis-server (apt-get install redis-server) or set REDIS_URL.');
  }
  fs.mkdirSync(REDIS_DIR, { recursive: true });
  log(`Starting redis-server on ${REDIS_HOST}:${REDIS_PORT}, data in .data/redis, log in .data/redis.log…`);
  const result = spawnSync(
    server,
    [
      '--bind', REDIS_HOST,
      '--port', String(REDIS_PORT),
      '--daemonize', 'yes',
      '--dir', REDIS_DIR,
      '--appendonly', 'yes',
      '--save', '',
      '--pidfile', REDIS_PID,
      '--logfile', REDIS_LOG,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    throw new ServicesError(`redis-server did not start (exit ${result.status}): ${`${result.stderr}${result.stdout}`.trim()}`);
  }
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await probeRedis({ host: REDIS_HOST, port: REDIS_PORT })) === 'pong') return;
    await sleep(100);
  }
  throw new ServicesError(`redis-server did not answer PING within ${REDIS_START_TIMEOUT_MS / 1000} s. Last lines of ${REDIS_LOG}:\n${tail(REDIS_LOG)}`);
}

/** The Redis URL to use when one already answers, else undefined; starts nothing. */
async function findRedis(log) {
  const given = process.env.REDIS_URL;
  if (given) {
    const target = parseRedisUrl(given);
    const state = await probeRedis(target);
    if (state === 'pong') return given;
    if (state === 'auth') throw new ServicesError(`REDIS_URL (${target.host}:${target.port}) refused the credentials it carries.`);
    log(`REDIS_URL (${target.host}:${target.port}) does not answer; using a Redis on ${REDIS_HOST}:${REDIS_PORT} instead.`);
  }
  const state = await probeRedis({ host: REDIS_HOST, port: REDIS_PORT });
  if (state === 'pong') return REDIS_LOCAL_URL;
  if (state === 'auth') {
    throw new ServicesError(`The Redis on ${REDIS_HOST}:${REDIS_PORT} wants a password; set REDIS_URL=redis://:PASSWORD@${REDIS_HOST}:${REDIS_PORT}.`);
  }
  if (state === 'other') {
    throw new ServicesError(`Port ${REDIS_PORT} is taken by something that does not answer Redis PING; free it or set REDIS_URL.`);
  }
  return undefined;
}

async function ensureRedis(log, started) {
  const found = await findRedis(log);
  if (found) return found;
  await startRedis(log);
  started.push('redis');
  return REDIS_LOCAL_URL;
}

// ---------------------------------------------------------------------------------------
// Public API.

/**
 * Makes sure a MongoDB-compatible server and a Redis answer, starting local ones when
 * needed. Safe to call concurrently and repeatedly: a running server is reused, never
 * started twice.
 *
 * @param {{ quiet?: boolean }} [options] quiet: no progress lines on stderr (errors still throw)
 * @returns {Promise<{ mongodbUri: string, redisUrl: string, started: string[] }>}
 *   `started` names what this call started: 'ferretdb', 'redis'.
 */
export async function ensureServices({ quiet = false } = {}) {
  const log = (line) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const started = [];
  // Fast path without the lock when both already answer. Its notes are held back until it
  // succeeds, so that a note is not said twice when the locked path repeats the search.
  const notes = [];
  const [mongoFound, redisFound] = await Promise.all([findMongo((n) => notes.push(n)), findRedis((n) => notes.push(n))]);
  if (mongoFound && redisFound) {
    notes.forEach(log);
    return { mongodbUri: mongoFound, redisUrl: redisFound, started };
  }

  return withLock(log, async () => {
    const mongodbUri = await ensureMongo(log, started);
    const redisUrl = await ensureRedis(log, started);
    return { mongodbUri, redisUrl, started };
  });
}

async function stopProcess(name, pidFile, program, log) {
  const pid = readPid(pidFile);
  if (pid === undefined || !isProcessOf(pid, program)) {
    fs.rmSync(pidFile, { force: true });
    log(`${name} was not started by this script (no live pid in ${path.relative(ROOT, pidFile)}).`);
    return;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(pidFile, { force: true });
  log(`Stopped ${name} (pid ${pid}).`);
}

/** Stops the FerretDB and the redis-server that this script started; leaves others alone. */
export async function stopServices({ quiet = false } = {}) {
  const log = (line) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  await stopProcess('FerretDB', FERRETDB_PID, 'ferretdb', log);
  await stopProcess('redis-server', REDIS_PID, 'redis-server', log);
}

async function main(args) {
  const [command = 'ensure'] = args;
  if (command === 'stop') return stopServices();
  if (command !== 'ensure') throw new ServicesError('Usage: node scripts/services.mjs [ensure|stop]');
  const { mongodbUri, redisUrl } = await ensureServices();
  process.stdout.write(`MONGODB_URI=${mongodbUri}\nREDIS_URL=${redisUrl}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error instanceof ServicesError ? error.message : (error?.stack ?? String(error))}\n`);
    process.exit(1);
  });
}
