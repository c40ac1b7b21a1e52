import { describe, expect, it } from 'vitest';
import { explainRedisError, parseRedisUrl } from './redis.js';

describe('parseRedisUrl', () => {
  it('reads host, port and database, with defaults', () => {
    expect(parseRedisUrl('redis://queue.internal').options).toEqual({ host: 'queue.internal', port: 6379, db: 0 });
    expect(parseRedisUrl('redis://10.0.0.5:6380/3').options).toEqual({ host: '10.0.0.5', port: 6380, db: 3 });
  });

  it('takes a password (percent-encoded) and a user, and masks the password when printed', () => {
    const t = parseRedisUrl('redis://:p%40ss%2Fw0rd@127.0.0.1:6390');
    expect(t.options.password).toBe('p@ss/w0rd');
    expect(t.options.username).toBeUndefined();
    expect(t.display).toBe('redis://:***@127.0.0.1:6390');
    expect(t.display).not.toContain('p%40ss');
    const acl = parseRedisUrl('redis://w2s:secret@h:1/2');
    expect(acl.options).toMatchObject({ username: 'w2s', password: 'secret', db: 2 });
    expect(acl.display).toBe('redis://w2s:***@h:1/2');
  });

  it('rediss:// turns TLS on, checking the server name (never an IP address: RFC 6066)', () => {
    expect(parseRedisUrl('rediss://:pw@cache.example.com:6380').options).toMatchObject({
      host: 'cache.example.com',
      port: 6380,
      password: 'pw',
      tls: { servername: 'cache.example.com' },
    });
    expect(parseRedisUrl('rediss://10.1.2.3').options.tls).toEqual({});
    expect(parseRedisUrl('redis://h').options.tls).toBeUndefined();
    expect(parseRedisUrl('rediss://[::1]:7000').options).toMatchObject({ host: '::1', port: 7000, tls: {} });
  });

  it('rejects what is not a Redis URL with one message naming the option', () => {
    expect(() => parseRedisUrl('localhost:6379')).toThrow(/--queue: unsupported scheme "localhost"/);
    expect(() => parseRedisUrl('not a url')).toThrow(/--queue: "not a url" is not a URL/);
    expect(() => parseRedisUrl('http://h:1')).toThrow(/unsupported scheme "http"/);
    expect(() => parseRedisUrl('redis://h/zero')).toThrow(/database "\/zero" must be a number/);
    expect(() => parseRedisUrl('redis://h?tls=true')).toThrow(/query parameters are not supported \(tls\)/);
  });
});

describe('explainRedisError', () => {
  const t = parseRedisUrl('redis://:pw@h:1');
  const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
  it('says what went wrong and what to do', () => {
    expect(explainRedisError(err('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), t, 5000)).toMatch(/connection refused/);
    expect(explainRedisError(err('getaddrinfo ENOTFOUND h', 'ENOTFOUND'), t, 5000)).toBe('cannot connect: unknown host "h"');
    expect(explainRedisError(err('connect ETIMEDOUT'), t, 5000)).toBe('cannot connect: no answer within 5 s');
    expect(explainRedisError(err('connect ETIMEDOUT'), parseRedisUrl('rediss://h'), 5000)).toMatch(/rediss:\/\/ needs a server with TLS/);
    expect(explainRedisError(err('NOAUTH Authentication required.'), t, 5000)).toMatch(/requires a password: .*redis:\/\/:PASSWORD@host:port/);
    expect(explainRedisError(err('WRONGPASS invalid username-password pair or user is disabled.'), t, 5000)).toBe('the server rejected the password');
  });
});
