// Embeddings from any OpenAI-compatible server (vLLM, llama.cpp server, Ollama,
// text-embeddings-inference): POST `${baseUrl}/embeddings` { model, input: [texts] }.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentHash, JsonEndpoint, UserError, writeJsonAtomic, type BodyReading, type EndpointStats } from '@w2s/core/base';

export interface EmbeddingsClientOptions {
  /** e.g. http://127.0.0.1:8000/v1; requests go to `${baseUrl}/embeddings`. */
  baseUrl: string;
  model: string;
  /** Environment variable with the API key (never a key itself); unset → no Authorization header. */
  apiKeyEnv?: string;
  env?: Record<string, string | undefined>;
  /** Texts per request. */
  batchSize?: number;
  concurrency?: number;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  /** Directory of cached embeddings (one file per text); null: no cache. */
  cacheDir: string | null;
  log?: (line: string) => void;
}

export interface Embeddings {
  dim: number;
  /** Row-major n × dim, in the order of the texts asked for. */
  values: Float32Array;
}

/**
 * One model's embeddings of many texts: cached per (endpoint, model, text), so a rerun sends
 * nothing; the rest in batches through the shared JsonEndpoint (timeouts, retry waves on 429,
 * 5xx and timeouts, one message for anything no retry can fix). An answer with items missing,
 * a non-finite value, or a dimension that differs from the model's other answers ends the work
 * with one message naming the URL and the model: an embedding column is whole or not written.
 */
export class EmbeddingsClient {
  readonly url: string;
  readonly model: string;
  private readonly endpoint: JsonEndpoint;
  private readonly batchSize: number;
  private readonly cacheDir: string | null;
  private cacheHits = 0;
  /** The model's dimension, from the first answer (cached or fresh). */
  private dim: number | undefined;

  constructor(options: EmbeddingsClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
    this.model = options.model;
    this.endpoint = new JsonEndpoint({ ...options, url: this.url, label: `model ${options.model}` });
    this.batchSize = options.batchSize ?? 64;
    this.cacheDir = options.cacheDir === null ? null : join(options.cacheDir, contentHash({ url: this.url, model: this.model }).slice(0, 16));
  }

  get stats(): EndpointStats & { cacheHits: number } {
    return { ...this.endpoint.stats, cacheHits: this.cacheHits };
  }

  /** Embeddings of `texts` (done: texts embedded so far, for progress). */
  async embed(texts: readonly string[], onProgress?: (done: number, total: number) => void): Promise<Embeddings> {
    return this.endpoint.track(async () => {
      const vectors: (Float32Array | undefined)[] = await Promise.all(texts.map((text) => this.cached(text)));
      let done = vectors.filter(Boolean).length;
      onProgress?.(done, texts.length);
      const missing = texts.map((_, i) => i).filter((i) => !vectors[i]);
      const batches: number[][] = [];
      for (let start = 0; start < missing.length; start += this.batchSize) batches.push(missing.slice(start, start + this.batchSize));
      await Promise.all(
        batches.map(async (batch) => {
          const got = await this.endpoint.post({ model: this.model, input: batch.map((i) => texts[i]) }, (json, snippet) => this.read(json, snippet, batch.length));
          for (const [k, i] of batch.entries()) {
            vectors[i] = got[k]!;
            await this.store(texts[i]!, got[k]!);
          }
          done += batch.length;
          onProgress?.(done, texts.length);
        }),
      );
      const dim = this.dim ?? 0;
      const values = new Float32Array(texts.length * dim);
      vectors.forEach((v, i) => values.set(v!, i * dim));
      return { dim, values };
    });
  }

  /** Checks one answer: n items (by `index` when given), finite numbers, one dimension for the model. */
  private read(json: unknown, snippet: string, n: number): BodyReading<Float32Array[]> {
    const data = (json as { data?: unknown })?.data;
    if (!Array.isArray(data)) return { ok: false, problem: `model ${this.model}: response has no data array; body starts: ${JSON.stringify(snippet)}` };
    if (data.length !== n) return { ok: false, problem: `model ${this.model} returned ${data.length} embeddings for ${n} inputs` };
    const out: Float32Array[] = new Array(n);
    for (const [position, item] of data.entries()) {
      const { embedding, index } = (item ?? {}) as { embedding?: unknown; index?: unknown };
      const at = typeof index === 'number' ? index : position;
      if (!Number.isInteger(at) || at < 0 || at >= n || out[at]) return { ok: false, problem: `model ${this.model}: item ${position} has index ${String(index)} (expected each of 0..${n - 1} once)` };
      if (!Array.isArray(embedding) || embedding.length === 0) return { ok: false, problem: `model ${this.model}: item ${position} has no embedding array` };
      if (!embedding.every((v) => typeof v === 'number' && Number.isFinite(v))) return { ok: false, problem: `model ${this.model}: item ${position} holds a value that is not a finite number` };
      const problem = this.checkDim(embedding.length);
      if (problem) return { ok: false, problem };
      out[at] = Float32Array.from(embedding as number[]);
    }
    return { ok: true, value: out };
  }

  private checkDim(dim: number): string | undefined {
    if (this.dim === undefined) this.dim = dim;
    return dim === this.dim ? undefined : `model ${this.model} returned a ${dim}-dimensional embedding after ${this.dim}-dimensional ones`;
  }

  private path(text: string): string {
    const key = contentHash(text);
    return join(this.cacheDir!, key.slice(0, 2), `${key}.json`);
  }

  private async cached(text: string): Promise<Float32Array | undefined> {
    if (this.cacheDir === null) return undefined;
    let raw: string;
    try {
      raw = await readFile(this.path(text), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let entry: { text?: unknown; embedding?: unknown };
    try {
      entry = JSON.parse(raw) as typeof entry;
    } catch {
      return undefined; // a damaged entry is asked again
    }
    if (entry.text !== text || !Array.isArray(entry.embedding)) return undefined;
    const problem = this.checkDim(entry.embedding.length);
    if (problem) throw new UserError(`${problem} (in the cache ${this.cacheDir}; delete it to ask again)`, this.endpoint.where);
    this.cacheHits += 1;
    return Float32Array.from(entry.embedding as number[]);
  }

  private async store(text: string, embedding: Float32Array): Promise<void> {
    if (this.cacheDir !== null) await writeJsonAtomic(this.path(text), { model: this.model, text, embedding: Array.from(embedding) });
  }
}
