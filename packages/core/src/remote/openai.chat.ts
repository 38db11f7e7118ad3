/**
 * The OpenAI-compatible calls ocrflow makes (vLLM, Ollama, llama.cpp server, hosted APIs): one
 * chat completion, and the list of served models. The vlm engine sends a page image and retries
 * (its retry policy); the LLM analyser sends a document's Markdown with a JSON schema and does not
 * retry (it falls back to the built-in rules). Both stand on `remoteRequest`.
 */
import { OcrflowError } from '../errors.ts';
import { endpointMessage, parseJsonAnswer, remoteRequest, type RetryPolicy } from './remote.http.ts';

export interface OpenAiEndpoint {
  /** Base URL ending in `/v1`; `chat/completions` and `models` are appended. */
  baseUrl: string;
  apiKey?: string;
  /** For messages: `the vlm endpoint http://gpu:8000/v1`. */
  name: string;
  timeoutMs: number;
  retry: RetryPolicy;
  signal?: AbortSignal;
}

export interface ChatCompletionAnswer {
  content: string;
  /** `stop`, `length` (hit max_tokens), … or null when the server gives none. */
  finishReason: string | null;
  completionTokens?: number;
  /** A model's refusal to answer, when the server reports one beside the content. */
  refusal?: string;
  attempts: number;
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function headers(apiKey: string | undefined, json: boolean): Record<string, string> {
  return { accept: 'application/json', ...(json ? { 'content-type': 'application/json' } : {}), ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
}

/** Message content is a string, or (some servers) an array of parts with `text`. */
function contentText(c: unknown): string | null {
  if (typeof c === 'string') return c;
  if (Array.isArray(c))
    return c.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return null;
}

type ChatEnvelope = { choices?: { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }[]; usage?: { completion_tokens?: unknown } };

/**
 * `POST {base}/chat/completions` with `body` (model, messages and whatever else the caller asks
 * for). An answer without message content fails with ENGINE_FAILED: `reason: refusal` (and the
 * `refusal` text) when the model refused, else `reason: no_content`.
 */
export async function chatCompletion(e: OpenAiEndpoint, body: Record<string, unknown>): Promise<ChatCompletionAnswer> {
  const json = JSON.stringify(body);
  const res = await remoteRequest({
    endpoint: e.name,
    url: joinUrl(e.baseUrl, 'chat/completions'),
    init: () => ({ method: 'POST', headers: headers(e.apiKey, true), body: json }),
    timeoutMs: e.timeoutMs,
    retry: e.retry,
    signal: e.signal,
  });
  const j = parseJsonAnswer(e.name, res.body) as ChatEnvelope | null;
  const choice = Array.isArray(j?.choices) ? j.choices[0] : undefined;
  const refusal = choice?.message?.refusal ? String(choice.message.refusal) : undefined;
  const content = contentText(choice?.message?.content);
  if (content === null) {
    if (refusal)
      throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${e.name} refused: ${refusal.slice(0, 200)}`, { reason: 'refusal', refusal: refusal.slice(0, 200) });
    throw new OcrflowError(
      'OCRFLOW_ERR_ENGINE_FAILED',
      `${e.name} answered without a chat completion (no choices[0].message.content): ${endpointMessage(res.body, 200)}`,
      { reason: 'no_content' },
    );
  }
  const usage = j?.usage?.completion_tokens;
  return {
    content,
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
    ...(typeof usage === 'number' ? { completionTokens: usage } : {}),
    ...(refusal ? { refusal } : {}),
    attempts: res.attempts,
  };
}

/** Model ids the endpoint serves (`GET {base}/models`). */
export async function listModels(e: OpenAiEndpoint): Promise<string[]> {
  const res = await remoteRequest({
    endpoint: e.name,
    url: joinUrl(e.baseUrl, 'models'),
    init: () => ({ method: 'GET', headers: headers(e.apiKey, false) }),
    timeoutMs: e.timeoutMs,
    retry: e.retry,
    signal: e.signal,
  });
  const j = parseJsonAnswer(e.name, res.body) as { data?: { id?: unknown }[] } | null;
  if (!Array.isArray(j?.data))
    throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${e.name} answered GET /models without a model list: ${endpointMessage(res.body, 200)}`);
  return j.data.map((m) => (typeof m?.id === 'string' ? m.id : '')).filter(Boolean);
}
