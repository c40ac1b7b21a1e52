// Text debate between LLM debaters behind any OpenAI-compatible endpoint. Set W2S_LLM_BASE_URL
// (and W2S_LLM_MODEL, and the key in OPENAI_API_KEY if the endpoint needs one) to use a real
// model; without it the example starts a tiny local stand-in endpoint, so it runs offline.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { appendTranscript, llmClient, parseDebateConfig, runLlmDebate, transcriptText } from '@w2s/debate';

/** Answers every chat completion with "The answer is <the stance it was asked to argue>." */
async function startStandIn(): Promise<{ baseUrl: string; close: () => void }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { messages } = JSON.parse(body) as { messages: { content: string }[] };
      const stance = /Argue that the answer is "(\w+)"/.exec(messages[1]!.content)?.[1];
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `The answer is ${stance}.` } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => server.close() };
}

export async function runExample(cacheDir: string | null): Promise<string[]> {
  const endpoint = process.env.W2S_LLM_BASE_URL || undefined;
  const standIn = endpoint ? undefined : await startStandIn();
  try {
    const config = parseDebateConfig({
      protocol: 'debate',
      turns: 3,
      temperature: 0.7,
      debater: {
        kind: 'llm',
        baseUrl: endpoint ?? standIn!.baseUrl,
        model: process.env.W2S_LLM_MODEL || 'qwen2.5-7b-instruct',
        apiKeyEnv: 'OPENAI_API_KEY', // the key itself is never in a config
        timeoutMs: 30_000,
        maxRetries: 3,
        concurrency: 4,
      },
    });
    const classNames = ['false', 'true']; // class 0, class 1
    const ids = ['sciq-1', 'sciq-2'];
    const texts = ['Question: What gas do plants absorb? Answer: carbon dioxide', 'Question: What is the closest star to Earth? Answer: Sirius'];
    // Completions are cached in cacheDir by request hash: a rerun sends no request.
    const client = llmClient(config.debater, cacheDir);
    const transcripts = await runLlmDebate(config, { ids, texts, classNames, seed: 0, client });
    // The weak model's input: the example's text with the transcript appended.
    return appendTranscript(texts[0]!, transcriptText(transcripts[0]!, classNames)).split('\n');
  } finally {
    standIn?.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log((await runExample(null)).join('\n'));
