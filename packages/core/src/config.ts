/**
 * Configuration in one typed place (after docling-serve's settings.py): every setting is declared
 * once below with its environment variable, its `serve` flag, its type, default and help text.
 * `loadConfig()` reads the environment, applies flag overrides, validates settings against each
 * other and returns a frozen object. Nothing else in ocrflow reads `process.env` for settings.
 */
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './config.error.ts';
import { parseTokenGrants } from './tenant.tokens.ts';

type Kind = 'string' | 'int' | 'number' | 'bool' | 'list' | 'enum';

interface SettingDef<K extends Kind = Kind> {
  env: string;
  /** `serve` flag without the leading dashes. */
  flag: string;
  kind: K;
  default: string;
  help: string;
  /** For `enum`. */
  values?: readonly string[];
  /** For numbers: inclusive bounds. */
  min?: number;
  max?: number;
  /** Not printed in logs or `config` dumps. */
  secret?: boolean;
}

export const ENGINE_NAMES = ['paddle', 'tesseract', 'vlm', 'ppstructure'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export const ROLES = ['all', 'api', 'worker', 'app'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The settings. Keys are the camelCase names used in code. The names of the environment variables
 * documented in the README's configuration table are a public contract; more may be added.
 */
// biome-ignore format: one setting per line, read as a table (the README's configuration table is made from it)
export const SETTINGS = {
  host: { env: 'OCRFLOW_HOST', flag: 'host', kind: 'string', default: '127.0.0.1', help: 'Listen address' },
  port: { env: 'OCRFLOW_PORT', flag: 'port', kind: 'int', default: '8080', min: 0, max: 65535, help: 'Listen port (0 = any free port)' },
  role: { env: 'OCRFLOW_ROLE', flag: 'role', kind: 'enum', values: ROLES, default: 'all', help: 'Process role: all (embedded), api (HTTP only), worker (OCR only), app (workbench UI + API only)' },
  dataDir: { env: 'OCRFLOW_DATA_DIR', flag: 'data-dir', kind: 'string', default: './data', help: 'SQLite file, uploads and results' },
  blobDir: { env: 'OCRFLOW_BLOB_DIR', flag: 'blob-dir', kind: 'string', default: '', help: 'Directory for uploads and results (shared storage when scaled); default <data-dir>/files' },
  tokens: { env: 'OCRFLOW_TOKENS', flag: 'tokens', kind: 'list', default: '', secret: true, help: 'Comma-separated Bearer tokens accepted by the service API and the workbench (Bearer or sign-in), each `name:token` (tenant name) or a plain token (its own tenant; `default` when it is the only one); empty = open' },
  adminTokens: { env: 'OCRFLOW_ADMIN_TOKENS', flag: 'admin-tokens', kind: 'list', default: '', secret: true, help: 'Tenant names or tokens of OCRFLOW_TOKENS that see every tenant\'s jobs and tasks (admin)' },
  maxUploadMb: { env: 'OCRFLOW_MAX_UPLOAD_MB', flag: 'max-upload-mb', kind: 'number', default: '50', min: 0.001, help: 'Upload size limit of the service API, in MB' },
  workbenchMaxUploadMb: { env: 'OCRFLOW_WORKBENCH_MAX_UPLOAD_MB', flag: 'workbench-max-upload-mb', kind: 'number', default: '10', min: 0.001, help: 'Upload size limit of the workbench, in MB' },
  workbenchMaxSheetsMb: { env: 'OCRFLOW_WORKBENCH_MAX_SHEETS_MB', flag: 'workbench-max-sheets-mb', kind: 'number', default: '16', min: 0.001, max: 1024, help: 'Workbench: largest body of a sheets save (PUT /api/v1/tasks/{id}/tables, /table/save), in MB; workbooks are built off the event loop' },
  sessionTtlHours: { env: 'OCRFLOW_SESSION_TTL_HOURS', flag: 'session-ttl-hours', kind: 'number', default: '12', min: 0.01, max: 8760, help: 'Workbench: how long a browser sign-in (session cookie) lasts, in hours' },
  maxPixels: { env: 'OCRFLOW_MAX_PIXELS', flag: 'max-pixels', kind: 'int', default: '178956970', min: 1, help: 'Largest image (width x height) accepted before decoding; bigger files are refused as pixel bombs' },
  maxPages: { env: 'OCRFLOW_MAX_PAGES', flag: 'max-pages', kind: 'int', default: '1000', min: 1, help: 'Most pages of one document' },
  fileMode: { env: 'OCRFLOW_FILE_MODE', flag: 'file-mode', kind: 'string', default: '0600', help: 'Permissions (octal) of the files ocrflow writes in the data dir (uploads, results, SQLite); directories get the same plus x where readable (0600 → 0700)' },
  headersTimeoutMs: { env: 'OCRFLOW_HEADERS_TIMEOUT_MS', flag: 'headers-timeout-ms', kind: 'int', default: '20000', min: 100, help: 'Longest time a client may take to send the request headers; then 408 and the connection is closed' },
  requestTimeoutMs: { env: 'OCRFLOW_REQUEST_TIMEOUT_MS', flag: 'request-timeout-ms', kind: 'int', default: '300000', min: 100, help: 'Longest time a client may take to send a whole request (headers and body, e.g. an upload); then 408 and the connection is closed' },
  idleTimeoutMs: { env: 'OCRFLOW_IDLE_TIMEOUT_MS', flag: 'idle-timeout-ms', kind: 'int', default: '60000', min: 100, help: 'A connection on which nothing is sent or received for this long is closed (accepted long-polls and event streams excepted)' },
  keepAliveTimeoutMs: { env: 'OCRFLOW_KEEPALIVE_TIMEOUT_MS', flag: 'keepalive-timeout-ms', kind: 'int', default: '5000', min: 1, help: 'How long an idle keep-alive connection waits for its next request' },
  maxStreams: { env: 'OCRFLOW_MAX_STREAMS', flag: 'max-streams', kind: 'int', default: '1000', min: 1, help: 'Most long-polls and event streams (SSE) open at once in this process; past it 429 OCRFLOW_ERR_TOO_MANY_STREAMS with Retry-After' },
  maxStreamsPerClient: { env: 'OCRFLOW_MAX_STREAMS_PER_CLIENT', flag: 'max-streams-per-client', kind: 'int', default: '100', min: 1, help: 'Most long-polls and event streams open at once per token (per session cookie, or per address when no token is configured)' },
  inputDirs: { env: 'OCRFLOW_INPUT_DIRS', flag: 'input-dirs', kind: 'list', default: '', help: 'Comma-separated roots allowed for file_path submissions; empty = none' },
  webhookSecret: { env: 'OCRFLOW_WEBHOOK_SECRET', flag: 'webhook-secret', kind: 'string', default: '', secret: true, help: 'whsec_… signing secret; generated once and stored in the data dir when empty' },
  webhookAllowPrivate: { env: 'OCRFLOW_WEBHOOK_ALLOW_PRIVATE', flag: 'webhook-allow-private', kind: 'bool', default: '0', help: '1 allows loopback/private webhook targets' },
  webhookAllowHosts: { env: 'OCRFLOW_WEBHOOK_ALLOW_HOSTS', flag: 'webhook-allow-hosts', kind: 'list', default: '', help: 'Hosts or CIDRs allowed as webhook targets even when private' },
  webhookUrls: { env: 'OCRFLOW_WEBHOOK_URLS', flag: 'webhook-urls', kind: 'list', default: '', help: 'Global webhook endpoints that receive every job event' },
  webhookTimeoutMs: { env: 'OCRFLOW_WEBHOOK_TIMEOUT_MS', flag: 'webhook-timeout-ms', kind: 'int', default: '10000', min: 1, help: 'Per-attempt webhook timeout' },
  webhookSchedule: { env: 'OCRFLOW_WEBHOOK_SCHEDULE', flag: 'webhook-schedule', kind: 'list', default: '5s,30s,2m,10m,30m,1h,2h,4h,6h,8h', help: 'Delays before each retry (ms, s, m, h suffixes), each jittered by ±20%; attempts = entries + 1, then dead' },
  webhookEvents: { env: 'OCRFLOW_WEBHOOK_EVENTS', flag: 'webhook-events', kind: 'list', default: 'finished,failed,canceled', help: 'Events sent to the global endpoints of OCRFLOW_WEBHOOK_URLS: finished, failed, canceled, progress' },
  webhookConcurrency: { env: 'OCRFLOW_WEBHOOK_CONCURRENCY', flag: 'webhook-concurrency', kind: 'int', default: '128', min: 1, max: 1000, help: 'Most webhook attempts in flight at once per process (receivers that hang hold a slot until OCRFLOW_WEBHOOK_TIMEOUT_MS)' },
  workers: { env: 'OCRFLOW_WORKERS', flag: 'workers', kind: 'int', default: String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length)), min: 1, max: 64, help: 'Concurrent jobs per worker process' },
  workerRecyclePages: { env: 'OCRFLOW_WORKER_RECYCLE_PAGES', flag: 'worker-recycle-pages', kind: 'int', default: '500', min: 1, help: 'Restart an engine worker thread after this many pages' },
  workerMaxRssMb: { env: 'OCRFLOW_WORKER_MAX_RSS_MB', flag: 'worker-max-rss-mb', kind: 'int', default: '2048', min: 64, help: 'Restart engine worker threads when the process RSS passes this' },
  queueMax: { env: 'OCRFLOW_QUEUE_MAX', flag: 'queue-max', kind: 'int', default: '10000', min: 1, help: 'Most queued jobs; beyond it submissions get 429 with Retry-After' },
  leaseMs: { env: 'OCRFLOW_LEASE_MS', flag: 'lease-ms', kind: 'int', default: '30000', min: 1000, help: 'Job lease; a running job whose lease expires is picked up again' },
  jobMaxAttempts: { env: 'OCRFLOW_JOB_MAX_ATTEMPTS', flag: 'job-max-attempts', kind: 'int', default: '3', min: 1, max: 100, help: 'Times a job may be started (a crashed worker re-queues it) before it fails with OCRFLOW_ERR_WORKER_CRASHED' },
  sseHeartbeatMs: { env: 'OCRFLOW_SSE_HEARTBEAT_MS', flag: 'sse-heartbeat-ms', kind: 'int', default: '15000', min: 100, help: 'Comment line sent on idle server-sent event streams so proxies keep them open' },
  databaseUrl: { env: 'OCRFLOW_DATABASE_URL', flag: 'database-url', kind: 'string', default: '', secret: true, help: 'postgres://… selects PostgreSQL; default SQLite in the data dir' },
  redisUrl: { env: 'OCRFLOW_REDIS_URL', flag: 'redis-url', kind: 'string', default: '', secret: true, help: 'redis://… selects BullMQ + Redis event fan-out; default in-process' },
  databaseSchema: { env: 'OCRFLOW_DATABASE_SCHEMA', flag: 'database-schema', kind: 'string', default: '', help: 'PostgreSQL schema holding ocrflow\'s tables (created when missing); empty = the server\'s search_path' },
  databasePoolMax: { env: 'OCRFLOW_DATABASE_POOL_MAX', flag: 'database-pool-max', kind: 'int', default: '10', min: 1, max: 500, help: 'PostgreSQL connections per process' },
  redisPrefix: { env: 'OCRFLOW_REDIS_PREFIX', flag: 'redis-prefix', kind: 'string', default: 'ocrflow', help: 'Prefix of every Redis key and channel (BullMQ queue, event fan-out); deployments sharing one Redis use different prefixes' },
  retryBackoffMs: { env: 'OCRFLOW_RETRY_BACKOFF_MS', flag: 'retry-backoff-ms', kind: 'int', default: '2000', min: 0, max: 3600000, help: 'Scaled shape: delay before a job whose worker thread crashed is offered again (BullMQ exponential back-off, doubled per attempt, jittered)' },
  healthPort: { env: 'OCRFLOW_HEALTH_PORT', flag: 'health-port', kind: 'int', default: '0', min: 0, max: 65535, help: '--role worker: serve /health, /ready and /metrics on this port (0 = no HTTP at all)' },
  engine: { env: 'OCRFLOW_ENGINE', flag: 'engine', kind: 'enum', values: ENGINE_NAMES, default: 'paddle', help: 'Default OCR engine' },
  languages: { env: 'OCRFLOW_LANGUAGES', flag: 'languages', kind: 'list', default: 'ch,en', help: 'Default recognition languages' },
  ocrThreads: { env: 'OCRFLOW_OCR_THREADS', flag: 'ocr-threads', kind: 'int', default: '0', min: 0, max: 64, help: 'Threads of one OCR engine instance (ONNX intra-op); 0 = cores / workers' },
  modelCache: { env: 'OCRFLOW_MODEL_CACHE', flag: 'model-cache', kind: 'string', default: '', help: 'Folder keeping the paddle models as rewritten at load, so later starts skip the rewrite; empty = $TMPDIR/ocrflow-model-cache, "off" = rewrite at every start' },
  prefetchPages: { env: 'OCRFLOW_PREFETCH_PAGES', flag: 'prefetch-pages', kind: 'bool', default: '0', help: 'Decode the next page of a document while the current one is read; off by default: on 2 cores it measured slower (PDF pages render on the thread that runs the models)' },
  workingScale: { env: 'OCRFLOW_WORKING_SCALE', flag: 'working-scale', kind: 'bool', default: '1', help: 'Read big images at the resolution their text needs (measured on a small copy; JPEGs shrink on load); 0 reads every image at its stored size' },
  joinTables: { env: 'OCRFLOW_JOIN_TABLES', flag: 'join-tables', kind: 'bool', default: '1', help: 'Join a table that continues on the next page (same columns) into one table: one sheet, one HTML/Markdown table; the JSON keeps each part with `continues`/`joined`' },
  reviewThreshold: { env: 'OCRFLOW_REVIEW_THRESHOLD', flag: 'review-threshold', kind: 'number', default: '0.97', min: 0, max: 1, help: 'Table cells whose confidence is below this are marked for a person to check (workbench marks, cells_to_check of jobs and tasks)' },
  analysis: { env: 'OCRFLOW_ANALYSIS', flag: 'analysis', kind: 'bool', default: '1', help: 'Run the analysis step after every job' },
  vlmBaseUrl: { env: 'OCRFLOW_VLM_BASE_URL', flag: 'vlm-base-url', kind: 'string', default: '', help: 'OpenAI-compatible vision endpoint for the vlm engine (ends in /v1)' },
  vlmModel: { env: 'OCRFLOW_VLM_MODEL', flag: 'vlm-model', kind: 'string', default: '', help: 'Model name for the vlm engine' },
  vlmApiKey: { env: 'OCRFLOW_VLM_API_KEY', flag: 'vlm-api-key', kind: 'string', default: '', secret: true, help: 'API key for the vlm engine' },
  vlmTimeoutMs: { env: 'OCRFLOW_VLM_TIMEOUT_MS', flag: 'vlm-timeout-ms', kind: 'int', default: '120000', min: 1, help: 'Per-request timeout of the vlm engine' },
  vlmConcurrency: { env: 'OCRFLOW_VLM_CONCURRENCY', flag: 'vlm-concurrency', kind: 'int', default: '4', min: 1, help: 'Most concurrent requests to the vlm endpoint (and to the ppstructure service) per process, over all OCR worker threads together' },
  ppstructureUrl: { env: 'OCRFLOW_PPSTRUCTURE_URL', flag: 'ppstructure-url', kind: 'string', default: '', help: 'An existing PaddleOCR service for the ppstructure engine' },
  ppstructureToken: { env: 'OCRFLOW_PPSTRUCTURE_TOKEN', flag: 'ppstructure-token', kind: 'string', default: '', secret: true, help: 'Bearer token for the ppstructure service' },
  vlmPromptStyle: { env: 'OCRFLOW_VLM_PROMPT_STYLE', flag: 'vlm-prompt-style', kind: 'enum', values: ['auto', 'deepseek', 'generic'], default: 'auto', help: 'Prompts of the vlm engine: deepseek (DeepSeek-OCR grounding prompts), generic (Markdown with HTML tables), auto (deepseek when the model name contains "deepseek")' },
  straighten: { env: 'OCRFLOW_STRAIGHTEN', flag: 'straighten', kind: 'bool', default: '1', help: 'Find the sheet in a photographed page and straighten it (perspective, gentle bending, uneven light) before reading it; scans and PDFs are never changed. 0 reads photos as they are' },
  vlmMaxTokens: { env: 'OCRFLOW_VLM_MAX_TOKENS', flag: 'vlm-max-tokens', kind: 'int', default: '4096', min: 64, help: 'max_tokens of one vlm page answer (caps runaway repetition; prompt + answer must fit the served context)' },
  vlmMaxRetries: { env: 'OCRFLOW_VLM_MAX_RETRIES', flag: 'vlm-max-retries', kind: 'int', default: '3', min: 0, max: 10, help: 'Retries of a vlm/ppstructure request on 429, 5xx, time-outs and dropped connections' },
  vlmMaxImageSide: { env: 'OCRFLOW_VLM_MAX_IMAGE_SIDE', flag: 'vlm-max-image-side', kind: 'int', default: '1600', min: 256, max: 10000, help: 'Longest side (px) of the page image sent to the vlm endpoint; boxes are scaled back to the page' },
  vlmExtraBody: { env: 'OCRFLOW_VLM_EXTRA_BODY', flag: 'vlm-extra-body', kind: 'string', default: '', help: 'JSON object merged into every vlm chat-completions request (e.g. vLLM sampling options)' },
  vlmFallbackEngine: { env: 'OCRFLOW_VLM_FALLBACK_ENGINE', flag: 'vlm-fallback-engine', kind: 'enum', values: ['paddle', 'tesseract', 'none'], default: 'paddle', help: 'Engine that re-reads a page whose vlm answer looped, was cut off or was empty' },
  ppstructureTimeoutMs: { env: 'OCRFLOW_PPSTRUCTURE_TIMEOUT_MS', flag: 'ppstructure-timeout-ms', kind: 'int', default: '300000', min: 1, help: 'Longest wait for one page on the ppstructure service (upload, processing, result)' },
  llmBaseUrl: { env: 'OCRFLOW_LLM_BASE_URL', flag: 'llm-base-url', kind: 'string', default: '', help: 'OpenAI-compatible chat endpoint for the LLM analyser' },
  llmModel: { env: 'OCRFLOW_LLM_MODEL', flag: 'llm-model', kind: 'string', default: '', help: 'Model name for the LLM analyser' },
  llmApiKey: { env: 'OCRFLOW_LLM_API_KEY', flag: 'llm-api-key', kind: 'string', default: '', secret: true, help: 'API key for the LLM analyser' },
  llmTimeoutMs: { env: 'OCRFLOW_LLM_TIMEOUT_MS', flag: 'llm-timeout-ms', kind: 'int', default: '30000', min: 1, help: 'Timeout of one LLM analysis request' },
  ocrServiceUrl: { env: 'OCRFLOW_OCR_SERVICE_URL', flag: 'ocr-service-url', kind: 'string', default: '', help: 'Workbench: a remote ocrflow service to use instead of the in-process one' },
  ocrServiceToken: { env: 'OCRFLOW_OCR_SERVICE_TOKEN', flag: 'ocr-service-token', kind: 'string', default: '', secret: true, help: 'Workbench: Bearer token for the remote ocrflow service' },
  publicUrl: { env: 'OCRFLOW_PUBLIC_URL', flag: 'public-url', kind: 'string', default: '', help: 'Base URL clients reach this service at (used in result_url); default http://host:port' },
  logLevel: { env: 'OCRFLOW_LOG_LEVEL', flag: 'log-level', kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', help: 'Log level' },
} as const satisfies Record<string, SettingDef>;

export type SettingKey = keyof typeof SETTINGS;

type ValueOf<D> = D extends { kind: 'int' | 'number' }
  ? number
  : D extends { kind: 'bool' }
    ? boolean
    : D extends { kind: 'list' }
      ? string[]
      : D extends { kind: 'enum'; values: readonly (infer V)[] }
        ? V
        : string;

export type Config = { readonly [K in SettingKey]: ValueOf<(typeof SETTINGS)[K]> } & {
  /** Derived: absolute data directory. */
  readonly dataDirAbs: string;
  /** Derived: absolute blob directory. */
  readonly blobDirAbs: string;
  /** Derived: 'sqlite' or 'postgres'. */
  readonly storeKind: 'sqlite' | 'postgres';
  /** Derived: 'local' or 'bullmq'. */
  readonly queueKind: 'local' | 'bullmq';
};

function parseValue(key: string, def: SettingDef, raw: string): unknown {
  const bad = (why: string) => new ConfigError(`Invalid ${def.env} (--${def.flag}) = ${JSON.stringify(def.secret ? '***' : raw)}: ${why}`, key);
  switch (def.kind) {
    case 'string':
      return raw.trim();
    case 'int':
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) throw bad('expected a number');
      if (def.kind === 'int' && !Number.isInteger(n)) throw bad('expected a whole number');
      if (def.min !== undefined && n < def.min) throw bad(`must be >= ${def.min}`);
      if (def.max !== undefined && n > def.max) throw bad(`must be <= ${def.max}`);
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw bad('expected 1/0, true/false, yes/no or on/off');
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'enum': {
      const v = raw.trim();
      if (!def.values?.includes(v)) throw bad(`expected one of ${def.values?.join(', ')}`);
      return v;
    }
  }
}

export interface LoadConfigOptions {
  /** Environment to read; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Values that win over the environment: by setting key, as raw strings or typed values. */
  overrides?: Partial<Record<SettingKey, string | number | boolean | string[]>>;
  /** Base for relative paths; default `process.cwd()`. */
  cwd?: string;
}

/** Read, validate and freeze the configuration. Throws a ConfigError with a clear message. */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(SETTINGS) as [SettingKey, SettingDef][]) {
    const o = opts.overrides?.[key];
    if (o !== undefined) {
      out[key] = typeof o === 'string' ? parseValue(key, def, o) : Array.isArray(o) ? o : o;
      continue;
    }
    const raw = env[def.env];
    out[key] = parseValue(key, def, raw ?? def.default);
  }
  const c = out as Omit<Config, 'dataDirAbs' | 'blobDirAbs' | 'storeKind' | 'queueKind'>;
  const dataDirAbs = path.resolve(cwd, c.dataDir);
  const blobDirAbs = c.blobDir ? path.resolve(cwd, c.blobDir) : path.join(dataDirAbs, 'files');
  const storeKind = c.databaseUrl ? 'postgres' : 'sqlite';
  const queueKind = c.redisUrl ? 'bullmq' : 'local';

  // Settings validated against each other: contradictory combinations refuse to start.
  const fail = (msg: string) => {
    throw new ConfigError(msg);
  };
  if (c.databaseUrl && !/^postgres(ql)?:\/\//.test(c.databaseUrl)) fail('OCRFLOW_DATABASE_URL must start with postgres:// or postgresql://');
  if (c.redisUrl && !/^rediss?:\/\//.test(c.redisUrl)) fail('OCRFLOW_REDIS_URL must start with redis:// or rediss://');
  if ((c.role === 'api' || c.role === 'worker') && storeKind === 'sqlite' && queueKind === 'local')
    fail(
      `--role ${c.role} splits the service across processes: it needs OCRFLOW_DATABASE_URL (PostgreSQL) and OCRFLOW_REDIS_URL (Redis). Use --role all for the embedded shape.`,
    );
  if (queueKind === 'bullmq' && storeKind === 'sqlite')
    fail('OCRFLOW_REDIS_URL (BullMQ) needs OCRFLOW_DATABASE_URL (PostgreSQL): several processes cannot share one SQLite file safely.');
  if (c.databaseSchema && storeKind === 'sqlite') fail('OCRFLOW_DATABASE_SCHEMA needs OCRFLOW_DATABASE_URL (PostgreSQL)');
  if (c.databaseSchema && !/^[a-z_][a-z0-9_]{0,62}$/.test(c.databaseSchema)) fail('OCRFLOW_DATABASE_SCHEMA must be a lower-case identifier (a-z, 0-9, _)');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(c.redisPrefix)) fail('OCRFLOW_REDIS_PREFIX must be 1-64 letters, digits, _ . or - (no colons)');
  if (c.engine === 'vlm' && !c.vlmBaseUrl) fail('OCRFLOW_ENGINE=vlm needs OCRFLOW_VLM_BASE_URL');
  if (c.engine === 'ppstructure' && !c.ppstructureUrl) fail('OCRFLOW_ENGINE=ppstructure needs OCRFLOW_PPSTRUCTURE_URL');
  if (c.vlmExtraBody) {
    let extra: unknown;
    try {
      extra = JSON.parse(c.vlmExtraBody);
    } catch {
      /* reported below */
    }
    if (!extra || typeof extra !== 'object' || Array.isArray(extra)) fail('OCRFLOW_VLM_EXTRA_BODY must be a JSON object, e.g. {"top_p":1}');
  }
  if (!/^0?[0-7]{3}$/.test(c.fileMode)) fail('OCRFLOW_FILE_MODE must be an octal mode such as 0600 or 0640');
  else if ((parseInt(c.fileMode, 8) & 0o600) !== 0o600) fail('OCRFLOW_FILE_MODE must let the owner read and write (0600 at least)');
  if (c.headersTimeoutMs > c.requestTimeoutMs) fail('OCRFLOW_HEADERS_TIMEOUT_MS must not be longer than OCRFLOW_REQUEST_TIMEOUT_MS');
  if (c.maxStreamsPerClient > c.maxStreams) fail('OCRFLOW_MAX_STREAMS_PER_CLIENT must not be more than OCRFLOW_MAX_STREAMS');
  parseTokenGrants(c.tokens, c.adminTokens); // refuses malformed entries now, not at the first request
  if (c.webhookSecret && !c.webhookSecret.startsWith('whsec_')) fail('OCRFLOW_WEBHOOK_SECRET must look like whsec_<base64>');
  for (const u of [c.vlmBaseUrl, c.ppstructureUrl, c.llmBaseUrl, c.ocrServiceUrl, c.publicUrl, ...c.webhookUrls]) {
    if (u && !/^https?:\/\//.test(u)) fail(`${u} is not an http(s) URL`);
  }
  for (const u of c.webhookUrls) {
    // Credentials in a webhook URL would show in delivery views and logs; receivers verify signatures instead.
    if (/^https?:\/\/[^/?#]*@/.test(u)) fail('OCRFLOW_WEBHOOK_URLS: a webhook URL must not carry user-info (user:password@host)');
  }
  return Object.freeze({ ...c, dataDirAbs, blobDirAbs, storeKind, queueKind }) as Config;
}

/** One line per setting, for `--help` and docs. */
export function describeSettings(): { key: SettingKey; env: string; flag: string; default: string; help: string }[] {
  return (Object.entries(SETTINGS) as [SettingKey, SettingDef][]).map(([key, d]) => ({ key, env: d.env, flag: d.flag, default: d.default, help: d.help }));
}

/**
 * The permissions of what ocrflow writes in its data dir (OCRFLOW_FILE_MODE): files as configured,
 * directories with x added wherever r is set (0600 → 0700, 0640 → 0750), so a directory is
 * traversable by exactly whoever may read the files in it.
 */
export function dataModes(c: Pick<Config, 'fileMode'>): { file: number; dir: number } {
  const file = parseInt(c.fileMode, 8) & 0o777;
  const dir = file | ((file & 0o444) >> 2);
  return { file, dir };
}
