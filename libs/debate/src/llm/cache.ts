import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, writeJsonAtomic } from '@w2s/core/base';

/**
 * Completions on disk, one JSON file per request: `<dir>/<key[0..2]>/<key>.json` holding
 * `{ key, request, content }`. The key is the content hash of the request (endpoint, model,
 * messages, sampling parameters), never of the API key, which is not stored either.
 * Files are written atomically, so a crash never leaves half a completion.
 */
export class CompletionCache {
  constructor(readonly dir: string) {}

  path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<string | undefined> {
    const path = this.path(key);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let entry: { key?: unknown; content?: unknown };
    try {
      entry = JSON.parse(text) as typeof entry;
    } catch {
      throw new UserError('cached completion is not valid JSON; delete the file to query again', path);
    }
    if (entry.key !== key || typeof entry.content !== 'string') {
      throw new UserError('cached completion has no content for its key; delete the file to query again', path);
    }
    return entry.content;
  }

  async put(key: string, request: unknown, content: string): Promise<void> {
    await writeJsonAtomic(this.path(key), { key, request, content });
  }
}
