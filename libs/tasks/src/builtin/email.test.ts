import { describe, expect, it } from 'vitest';
import { cleanEmail, decodeHeaderWords, htmlToText, tidy } from './email.js';
import { readSpamEmails } from './spam.js';

const headers = [
  'From spammer@example.com  Thu Aug 22 12:36:23 2002',
  'Return-Path: <bounce@relay.example.net>',
  'Received: from relay.example.net (relay [10.0.0.1])',
  '\tby mx.spamassassin.taint.org (Postfix) with ESMTP id D03E543C36',
  'X-Spam-Status: Yes, hits=12.3',
  'Subject: Cheap',
  ' watches',
  'Subject: a second subject is ignored',
];

describe('cleanEmail', () => {
  it('keeps only the (unfolded) subject and the body; transport headers are gone', () => {
    const raw = [...headers, '', 'Buy now.', 'Really.'].join('\r\n');
    const clean = cleanEmail(raw);
    expect(clean).toEqual({ subject: 'Cheap watches', body: 'Buy now.\nReally.' });
    const all = clean.subject + clean.body;
    for (const leaked of ['taint.org', 'relay', 'X-Spam', 'Received', 'hits=']) expect(all).not.toContain(leaked);
  });

  it('walks multipart/alternative, prefers text/plain, decodes quoted-printable with its charset', () => {
    const raw = [
      'Subject: =?iso-8859-1?Q?Caf=E9_news?=',
      'Content-Type: multipart/alternative; boundary="XYZ"',
      '',
      'preamble is not text',
      '--XYZ',
      'Content-Type: text/html',
      '',
      '<p>html version</p>',
      '--XYZ',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=E9 au lait, tr=',
      'es bon',
      '--XYZ--',
      'epilogue',
    ].join('\n');
    expect(cleanEmail(raw)).toEqual({ subject: 'Café news', body: 'Café au lait, tres bon' });
  });

  it('decodes base64 text parts, turns HTML into text and drops attachments in multipart/mixed', () => {
    const b64 = Buffer.from('Hello from base64 ✓', 'utf8').toString('base64');
    const raw = [
      'Subject: mixed',
      'Content-Type: multipart/mixed; boundary=B1',
      '',
      '--B1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--B1',
      'Content-Type: text/html',
      '',
      '<html><head><title>t</title><style>p{}</style></head><body><p>Click&nbsp;<b>here</b> &amp; win&#33;</p></body></html>',
      '--B1',
      'Content-Type: image/gif; name="x.gif"',
      'Content-Transfer-Encoding: base64',
      '',
      'R0lGODlhAQABAAAAACw=',
      '--B1--',
    ].join('\n');
    expect(cleanEmail(raw)).toEqual({ subject: 'mixed', body: 'Hello from base64 ✓\n\nClick here & win!' });
  });

  it('decodes RFC 2047 base64 words and strips HTML comments and scripts', () => {
    expect(decodeHeaderWords('=?utf-8?B?' + Buffer.from('Grüße', 'utf8').toString('base64') + '?= =?utf-8?Q?_da?=')).toBe('Grüße da');
    expect(htmlToText('a<!-- hidden --><script>var x = 1;</script>b&lt;c&#x41;').trim()).toBe('a  b<cA');
  });
});

describe('tidy', () => {
  // The plain patterns tidy's faster ones must equal.
  const plain = (text: string) =>
    text
      .replace(/[ \t\f\v\u00a0]+/g, ' ')
      .replace(/ ?\n ?/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();

  it('collapses blanks and blank lines as the plain patterns do', () => {
    const blanks = [' ', '\t', '\f', '\v', '\u00a0'];
    const pieces = ['a', 'b', '\n', '\n\n', '\n\n\n', ...blanks];
    // Every sequence of 4 pieces: every way blanks and line breaks can meet.
    let checked = 0;
    for (const p of pieces) for (const q of pieces) for (const r of pieces) for (const t of pieces) {
      const text = p + q + r + t;
      expect(tidy(text), JSON.stringify(text)).toBe(plain(text));
      checked++;
    }
    expect(checked).toBe(pieces.length ** 4);
    expect(tidy(' a \t b \n\n\n  c\u00a0\u00a0d  \n e ')).toBe('a b\n\nc d\ne');
  });

  it('equals the plain patterns on every raw email of the corpus', () => {
    const raws = readSpamEmails().map((r) => r.text);
    expect(raws.filter((t) => tidy(t) !== plain(t))).toEqual([]);
  });
});
