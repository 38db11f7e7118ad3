/**
 * The `vlm` engine: a page image to any OpenAI-compatible vision endpoint (DeepSeek-OCR or
 * PaddleOCR-VL served by vLLM, Qwen-VL, a hosted API), its Markdown/HTML answer parsed into the
 * document model. For GPU users; it needs no local model.
 *
 * Guard rails: `max_tokens` caps a runaway answer, degenerate repetition is cut and
 * flagged, and a page whose answer looped until its end, was cut off at `max_tokens`, or came back
 * empty carries `vlm_fallback_suggested`: the pipeline re-reads it with the fallback
 * engine (`OCRFLOW_VLM_FALLBACK_ENGINE`, default paddle) and flags it `vlm_fallback`.
 */
import { OcrflowError } from '@ocrflow/core';
import { markupToBlocks } from '../markup/markup.page.ts';
import type { EngineHealth, EnginePageResult, OcrEngine, RasterImage, RecognizeOptions } from '../types.ts';
import { encodeRaster, toDataUrl } from './image.encode.ts';
import { endpointSemaphore } from '../remote/endpoint.semaphore.ts';
import type { EngineOptions } from '../engine.options.ts';
import type { VlmEngineOptions } from './vlm.types.ts';
import { chatCompletion, endpointName, listModels } from './vlm.client.ts';
import { promptFor, resolvePromptStyle } from './vlm.prompts.ts';
import { trimRepetition } from './vlm.repetition.ts';
import { VLM_FLAGS } from './vlm.flags.ts';

export type { VlmEngineOptions } from './vlm.types.ts';

const HEALTH_CACHE_MS = 5000;

export class VlmEngine implements OcrEngine {
  readonly name = 'vlm' as const;
  private modelId: Promise<string> | null = null;
  private lastHealth: { at: number; value: EngineHealth } | null = null;

  constructor(private readonly o: VlmEngineOptions) {}

  private notConfigured(): OcrflowError {
    return new OcrflowError(
      'OCRFLOW_ERR_ENGINE_UNAVAILABLE',
      'The vlm engine is not configured: set OCRFLOW_VLM_BASE_URL (an OpenAI-compatible endpoint ending in /v1) and OCRFLOW_VLM_MODEL',
    );
  }

  /** The configured model, or the first one the endpoint serves (looked up once). */
  private model(signal?: AbortSignal): Promise<string> {
    if (this.o.model) return Promise.resolve(this.o.model);
    this.modelId ??= listModels(this.o.baseUrl, this.o.apiKey, this.o.timeoutMs, this.o.retry, signal).then((ids) => {
      if (!ids.length)
        throw new OcrflowError('OCRFLOW_ERR_ENGINE_UNAVAILABLE', `${endpointName(this.o.baseUrl)} serves no model and OCRFLOW_VLM_MODEL is not set`);
      return ids[0];
    });
    this.modelId.catch(() => (this.modelId = null));
    return this.modelId;
  }

  async recognize(image: RasterImage, opts: RecognizeOptions): Promise<EnginePageResult> {
    if (!this.o.baseUrl) throw this.notConfigured();
    const timings: Record<string, number> = {};
    let t = performance.now();
    const encoded = await encodeRaster(image, { maxSide: this.o.maxImageSide });
    timings.vlm_encode = Math.round(performance.now() - t);

    const model = await this.model(opts.signal);
    const style = resolvePromptStyle(this.o.promptStyle, model);
    t = performance.now();
    let release: () => void;
    try {
      release = await endpointSemaphore(this.o.baseUrl, this.o.concurrency).acquire(opts.signal);
    } catch (e) {
      throw new OcrflowError('OCRFLOW_ERR_CANCELED', 'The page was canceled while waiting for the vlm endpoint', undefined, { cause: e });
    }
    timings.vlm_queue = Math.round(performance.now() - t);
    t = performance.now();
    let answer;
    try {
      answer = await chatCompletion({
        baseUrl: this.o.baseUrl,
        apiKey: this.o.apiKey,
        model,
        prompt: promptFor(style, opts.mode, opts.prompt),
        imageUrl: toDataUrl(encoded),
        maxTokens: this.o.maxTokens,
        keepSpecialTokens: style === 'deepseek',
        extraBody: this.o.extraBody,
        timeoutMs: this.o.timeoutMs,
        retry: this.o.retry,
        signal: opts.signal,
      });
    } finally {
      release();
    }
    timings.vlm_request = Math.round(performance.now() - t);

    t = performance.now();
    const flags: string[] = [];
    const rep = trimRepetition(answer.content, this.o.repetition);
    if (rep.runs) flags.push(VLM_FLAGS.repetition);
    const truncated = answer.finishReason === 'length';
    if (truncated) flags.push(VLM_FLAGS.truncated);
    // Boxes: DeepSeek's are normalised (0–999), so they map to the page directly, whatever size
    // the sent image had; answers without boxes get stacked ones (markup/blocks.build.ts).
    const page = markupToBlocks(rep.text, { width: image.width, height: image.height });
    flags.push(...page.flags);
    const empty = page.blocks.length === 0;
    if (empty) flags.push(VLM_FLAGS.empty);
    // A loop the model recovered from (content follows it) only loses the copies; one that ran to
    // the end, or an answer cut at max_tokens, lost the rest of the page.
    if (truncated || empty || rep.endsInLoop) flags.push(VLM_FLAGS.fallbackSuggested);
    timings.vlm_parse = Math.round(performance.now() - t);
    return { lines: page.lines, blocks: page.blocks, timings_ms: timings, flags };
  }

  /** Cheap and honest: `GET {base}/models` with a short time-out, no retries, cached for 5 s. */
  async health(): Promise<EngineHealth> {
    if (!this.o.baseUrl) return { name: 'vlm', ok: false, detail: this.notConfigured().message };
    if (this.lastHealth && Date.now() - this.lastHealth.at < HEALTH_CACHE_MS) return this.lastHealth.value;
    let value: EngineHealth;
    try {
      const ids = await listModels(this.o.baseUrl, this.o.apiKey, this.o.healthTimeoutMs, { ...this.o.retry, maxRetries: 0 });
      const where = endpointName(this.o.baseUrl);
      if (this.o.model && ids.length && !ids.includes(this.o.model))
        value = { name: 'vlm', ok: false, detail: `${where} does not serve the model "${this.o.model}"; it serves: ${ids.join(', ')}` };
      else if (!this.o.model && !ids.length) value = { name: 'vlm', ok: false, detail: `${where} serves no model` };
      else value = { name: 'vlm', ok: true, detail: `${where}, model ${this.o.model || ids[0]}` };
    } catch (e) {
      value = { name: 'vlm', ok: false, detail: (e as Error).message };
    }
    this.lastHealth = { at: Date.now(), value };
    return value;
  }

  async dispose(): Promise<void> {
    this.lastHealth = null;
  }
}

export function createVlmEngine(o: VlmEngineOptions): VlmEngine {
  return new VlmEngine(o);
}

/** Registry entry point (`registry.ts` LOADERS). An unconfigured engine is created; it reports itself not ok. */
export async function createEngine(options: EngineOptions): Promise<OcrEngine> {
  return new VlmEngine(options.vlm);
}
