/**
 * Validation of the submission fields, shared by the multipart and the JSON form of
 * `POST /v1/jobs` (and by the compatibility routes later): one place decides what a valid job is.
 */
import { ENGINE_NAMES, OcrflowError, type Config, type EngineName } from '@ocrflow/core';
import type { JobMode } from '../ports/job.types.ts';
import { parsePriority } from '../ports/job.priority.ts';

/** Fields as clients send them (multipart strings or JSON values). */
export interface SubmitFields {
  task_id?: unknown;
  webhook_url?: unknown;
  engine?: unknown;
  languages?: unknown;
  mode?: unknown;
  prompt?: unknown;
  [other: string]: unknown;
}

export interface SubmitInput {
  taskId: string | null;
  webhookUrl: string | null;
  engine: EngineName;
  languages: string[];
  mode: JobMode;
  prompt: string | null;
  /** Extra per-job options later features read from the raw fields (e.g. `webhook_events`). */
  options: Record<string, unknown>;
  /** -10 … 10, higher runs sooner; undefined = the default (0). Not part of task_id's "same content". */
  priority?: number;
  /** All fields as received, for submit checks added by other features. */
  raw: SubmitFields;
}

const bad = (field: string, why: string) => new OcrflowError('OCRFLOW_ERR_VALIDATION', `${field}: ${why}`, { field });

function optString(fields: SubmitFields, name: string, max: number): string | null {
  const v = fields[name];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw bad(name, 'must be a string');
  if (v.length > max) throw bad(name, `must be at most ${max} characters`);
  return v;
}

export function parseSubmitFields(fields: SubmitFields, config: Config): SubmitInput {
  const taskId = optString(fields, 'task_id', 255);
  // Control characters in an id end up in logs and headers; refuse them.
  if (taskId !== null && /[\u0000-\u001f\u007f]/.test(taskId)) throw bad('task_id', 'must not contain control characters');

  const webhookUrl = optString(fields, 'webhook_url', 2048);
  if (webhookUrl !== null) {
    let u: URL;
    try {
      u = new URL(webhookUrl);
    } catch {
      throw bad('webhook_url', 'is not a URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad('webhook_url', 'must be an http or https URL');
    // Credentials in the URL would be stored, shown in job and delivery views and logged; webhooks
    // are authenticated by their signature instead. The message never repeats the URL.
    if (u.username || u.password)
      throw new OcrflowError(
        'OCRFLOW_ERR_WEBHOOK_URL_REFUSED',
        'webhook_url must not carry user-info (user:password@host); receivers verify the webhook signature instead',
        { field: 'webhook_url' },
      );
  }

  const engine = (optString(fields, 'engine', 32) ?? config.engine) as EngineName;
  if (!ENGINE_NAMES.includes(engine)) throw bad('engine', `must be one of ${ENGINE_NAMES.join(', ')}`);
  if (engine === 'vlm' && !config.vlmBaseUrl)
    throw new OcrflowError('OCRFLOW_ERR_ENGINE_UNAVAILABLE', 'The vlm engine is not configured (OCRFLOW_VLM_BASE_URL)');
  if (engine === 'ppstructure' && !config.ppstructureUrl)
    throw new OcrflowError('OCRFLOW_ERR_ENGINE_UNAVAILABLE', 'The ppstructure engine is not configured (OCRFLOW_PPSTRUCTURE_URL)');

  let languages: string[];
  const l = fields.languages;
  if (l === undefined || l === null || l === '') languages = [...config.languages];
  else if (typeof l === 'string') languages = l.split(/[,+\s]+/).filter(Boolean);
  else if (Array.isArray(l) && l.every((x) => typeof x === 'string')) languages = l as string[];
  else throw bad('languages', 'must be a comma-separated string or an array of strings');
  if (languages.length === 0 || languages.length > 8) throw bad('languages', 'give 1 to 8 languages');
  for (const x of languages) if (!/^[A-Za-z][A-Za-z_-]{1,15}$/.test(x)) throw bad('languages', `${JSON.stringify(x)} is not a language code`);

  const mode = (optString(fields, 'mode', 16) ?? 'layout') as JobMode;
  if (mode !== 'layout' && mode !== 'text') throw bad('mode', 'must be layout or text');

  const prompt = optString(fields, 'prompt', 8000);
  const priority = parsePriority(fields.priority);
  const straighten = parseStraighten(fields.straighten);
  const options: Record<string, unknown> = straighten === undefined ? {} : { straighten };
  return { taskId, webhookUrl, engine, languages, mode, prompt, options, ...(priority !== undefined ? { priority } : {}), raw: fields };
}

/** A client file name reduced to its last path segment, without control characters. */
export function cleanFilename(name: string | undefined | null): string | null {
  if (!name) return null;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 255);
  return clean || null;
}

/** `straighten`: true/false (JSON) or "true"/"false"/"1"/"0" (multipart); absent = the server's OCRFLOW_STRAIGHTEN. */
function parseStraighten(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw bad('straighten', 'must be true or false');
}
