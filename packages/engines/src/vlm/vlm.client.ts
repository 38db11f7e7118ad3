/** OpenAI-compatible chat-completions and model listing, for the vlm engine. */
import { OcrflowError } from '@ocrflow/core';
import { endpointMessage, parseJsonAnswer, remoteRequest, type RetryPolicy } from '../remote/remote.http.ts';

export interface ChatRequest {
  baseUrl: string;
  apiKey: string;
  model: string;
  prompt: string;
  imageUrl: string;
  maxTokens: number;
  /** DeepSeek-OCR: keep special tokens, or vLLM strips the `<|ref|>`/`<|det|>` grounding tags. */
  keepSpecialTokens: boolean;
  extraBody: Record<string, unknown>;
  timeoutMs: number;
  retry: RetryPolicy;
  signal?: AbortSignal;
}

export interface ChatAnswer {
  content: string;
  /** `stop`, `length` (hit max_tokens), … or null when the server gives none. */
  finishReason: string | null;
  completionTokens?: number;
  attempts: number;
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

export function endpointName(baseUrl: string): string {
  return `the vlm endpoint ${baseUrl.replace(/\/+$/, '')}`;
}

function headers(apiKey: string, json: boolean): Record<string, string> {
  return { accept: 'application/json', ...(json ? { 'content-type': 'application/json' } : {}), ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
}

/** Message content is a string, or (some servers) an array of parts with `text`. */
function contentText(c: unknown): string | null {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return null;
}

export async function chatCompletion(r: ChatRequest): Promise<ChatAnswer> {
  const endpoint = endpointName(r.baseUrl);
  const body = JSON.stringify({
    model: r.model,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: r.imageUrl } },
          { type: 'text', text: r.prompt },
        ],
      },
    ],
    max_tokens: r.maxTokens,
    temperature: 0,
    ...(r.keepSpecialTokens ? { skip_special_tokens: false } : {}),
    ...r.extraBody,
  });
  const res = await remoteRequest({
    endpoint,
    url: joinUrl(r.baseUrl, 'chat/completions'),
    init: () => ({ method: 'POST', headers: headers(r.apiKey, true), body }),
    timeoutMs: r.timeoutMs,
    retry: r.retry,
    signal: r.signal,
  });
  const j = parseJsonAnswer(endpoint, res.body) as { choices?: { message?: { content?: unknown }; finish_reason?: unknown }[]; usage?: { completion_tokens?: unknown } };
  const choice = Array.isArray(j?.choices) ? j.choices[0] : undefined;
  const content = contentText(choice?.message?.content);
  if (content === null) {
    throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${endpoint} answered without a chat completion (no choices[0].message.content): ${endpointMessage(res.body, 200)}`);
  }
  return {
    content,
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
    ...(typeof j.usage?.completion_tokens === 'number' ? { completionTokens: j.usage.completion_tokens } : {}),
    attempts: res.attempts,
  };
}

/** Model ids the endpoint serves (`GET {base}/models`). */
export async function listModels(baseUrl: string, apiKey: string, timeoutMs: number, retry: RetryPolicy, signal?: AbortSignal): Promise<string[]> {
  const endpoint = endpointName(baseUrl);
  const res = await remoteRequest({ endpoint, url: joinUrl(baseUrl, 'models'), init: () => ({ method: 'GET', headers: headers(apiKey, false) }), timeoutMs, retry, signal });
  const j = parseJsonAnswer(endpoint, res.body) as { data?: { id?: unknown }[] };
  if (!Array.isArray(j?.data)) throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${endpoint} answered GET /models without a model list: ${endpointMessage(res.body, 200)}`);
  return j.data.map((m) => (typeof m?.id === 'string' ? m.id : '')).filter(Boolean);
}
