/** The vlm engine's OpenAI-compatible calls: one page image and a prompt, on core's chat client. */
import { chatCompletion as postChat, listModels as getModels, type ChatCompletionAnswer, type OpenAiEndpoint, type RetryPolicy } from '@ocrflow/core';

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

export function endpointName(baseUrl: string): string {
  return `the vlm endpoint ${baseUrl.replace(/\/+$/, '')}`;
}

function endpoint(baseUrl: string, apiKey: string, timeoutMs: number, retry: RetryPolicy, signal?: AbortSignal): OpenAiEndpoint {
  return { baseUrl, apiKey, name: endpointName(baseUrl), timeoutMs, retry, signal };
}

export function chatCompletion(r: ChatRequest): Promise<ChatCompletionAnswer> {
  return postChat(endpoint(r.baseUrl, r.apiKey, r.timeoutMs, r.retry, r.signal), {
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
}

/** Model ids the endpoint serves (`GET {base}/models`). */
export function listModels(baseUrl: string, apiKey: string, timeoutMs: number, retry: RetryPolicy, signal?: AbortSignal): Promise<string[]> {
  return getModels(endpoint(baseUrl, apiKey, timeoutMs, retry, signal));
}
