import { isIP } from 'node:net';
import { UserError } from '@w2s/core';
import { Redis, type RedisOptions } from 'ioredis';

/** A Redis server to use as the stage queue: connection options and a printable URL. */
export interface RedisTarget {
  /** The URL with its password masked, for messages and logs. */
  display: string;
  options: RedisOptions;
}

const URL_FORM = 'redis://[[user]:password@]host[:port][/db], or rediss://… for TLS';

/**
 * Parses `redis://[[user]:password@]host[:port][/db]`; `rediss://` connects over TLS (server name
 * checked against the host, CAs from the system or NODE_EXTRA_CA_CERTS). Password and user may be
 * percent-encoded. Anything else is a UserError naming `where`.
 */
export function parseRedisUrl(url: string, where = '--queue'): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`"${url}" is not a URL; expected ${URL_FORM}`, where);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UserError(`unsupported scheme "${u.protocol.replace(/:$/, '')}"; expected ${URL_FORM}`, where);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literals come bracketed
  if (!host) throw new UserError(`no host in the URL; expected ${URL_FORM}`, where);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw new UserError(`the database "/${dbText}" must be a number (e.g. /0)`, where);
  const params = [...u.searchParams.keys()];
  if (params.length > 0) throw new UserError(`query parameters are not supported (${params.join(', ')})`, where);
  const username = decodeURIComponent(u.username) || undefined;
  const password = decodeURIComponent(u.password) || undefined;
  const tls = u.protocol === 'rediss:';
  const options: RedisOptions = {
    host,
    port: u.port ? Number(u.port) : 6379,
    db: dbText === '' ? 0 : Number(dbText),
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    // SNI takes a host name, never an IP address (RFC 6066).
    ...(tls && { tls: isIP(host) === 0 ? { servername: host } : {} }),
  };
  const auth = username || password ? `${username ?? ''}${password ? ':***' : ''}@` : '';
  const display = `${u.protocol}//${auth}${u.host}${options.db ? `/${options.db}` : ''}`;
  return { display, options };
}

/** ioredis options for BullMQ (its blocking connections need maxRetriesPerRequest: null). */
export function bullConnection(target: RedisTarget): RedisOptions {
  return { ...target.options, maxRetriesPerRequest: null };
}

/**
 * Connects once and sends PING, so an unreachable server or a bad password ends the command with
 * one clear message instead of endless reconnect attempts.
 */
export async function checkRedis(target: RedisTarget, timeoutMs = 5000): Promise<void> {
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  client.on('error', (e: Error) => {
    lastError = e;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new UserError(explainRedisError(lastError ?? (e as Error), target, timeoutMs), target.display);
  } finally {
    client.disconnect();
  }
}

/** One sentence saying what went wrong connecting to Redis and what to do. */
export function explainRedisError(e: Error, target: RedisTarget, timeoutMs: number): string {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e.message;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) return 'cannot connect: connection refused (is redis-server running there and reachable from this machine?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(msg)) return `cannot connect: unknown host "${target.options.host}"`;
  if (code === 'ETIMEDOUT' || /ETIMEDOUT|timed? ?out/i.test(msg)) {
    const tls = target.options.tls ? ' (rediss:// needs a server with TLS on that port; use redis:// for a plain one)' : '';
    return `cannot connect: no answer within ${timeoutMs / 1000} s${tls}`;
  }
  if (/NOAUTH/.test(msg)) return 'the server requires a password: put it in the URL, redis://:PASSWORD@host:port';
  if (/WRONGPASS|invalid password|invalid username-password/i.test(msg)) return `the server rejected the ${target.options.username ? 'username or password' : 'password'}`;
  if (/without any password configured|no password is set/i.test(msg)) return 'the URL has a password but the server has none configured';
  if (target.options.tls || /SSL|TLS|certificate|EPROTO/i.test(msg)) {
    return `cannot connect over TLS: ${msg} (rediss:// needs a server with TLS on that port; for a private CA set NODE_EXTRA_CA_CERTS)`;
  }
  if (/Connection is closed|connection closed/i.test(msg)) return 'cannot connect: the server closed the connection (is it a Redis server? does it expect TLS, rediss://?)';
  return `cannot connect: ${msg}`;
}
