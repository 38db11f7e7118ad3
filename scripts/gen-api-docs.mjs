#!/usr/bin/env node
// Generates docs/api.md from the service's OpenAPI document (the route schemas are the one source):
// every route grouped by tag, with its parameters, request body, answers and a curl example; the
// shared schemas; the error codes with their HTTP status.
//
//   node scripts/gen-api-docs.mjs                 build the document in-process (no socket, no
//                                                 workers) and write docs/api.md
//   node scripts/gen-api-docs.mjs --from URL      read URL/openapi.json of a running server instead
//   node scripts/gen-api-docs.mjs --from FILE     or a saved OpenAPI JSON file
//   node scripts/gen-api-docs.mjs --stdout        print instead of writing
//   node scripts/gen-api-docs.mjs --check         exit 1 when docs/api.md is not up to date
//
// Curl examples: hand-written ones for the routes people call most (CURATED below, including the
// compatibility routes), generated ones for any other route, so a new route is never undocumented.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'docs', 'api.md');
register();

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

async function loadOpenApi() {
  const from = opt('--from');
  if (from && /^https?:\/\//.test(from)) {
    const res = await fetch(`${from.replace(/\/+$/, '')}/openapi.json`);
    if (!res.ok) throw new Error(`${from}/openapi.json answered ${res.status}`);
    return res.json();
  }
  if (from) return JSON.parse(fs.readFileSync(from, 'utf8'));
  const { loadConfig } = await import('../packages/core/src/index.ts');
  const { startService } = await import('../packages/server/src/index.ts');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-api-docs-'));
  try {
    const config = loadConfig({ env: { OCRFLOW_DATA_DIR: dataDir, OCRFLOW_LOG_LEVEL: 'silent', OCRFLOW_WORKERS: '1' } });
    const service = await startService({ config, listen: false, startWorkers: false });
    try {
      return JSON.parse(JSON.stringify(service.app.swagger()));
    } finally {
      await service.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- curl examples ---------------------------------------------------------------------------

const AUTH = '-H "Authorization: Bearer $OCRFLOW_TOKEN"';
const U = '$OCRFLOW_URL';

const CURATED = {
  'GET /health': [`curl -sS ${U}/health`],
  'GET /ready': [`curl -sS -o /dev/null -w '%{http_code}\\n' ${U}/ready    # 200 when ready, 503 while starting`],
  'GET /metrics': [`curl -sS ${U}/metrics | grep ^ocrflow_`],
  'POST /v1/jobs': [
    `# upload a file (multipart); the answer is the job (202), or the existing one (200) for a repeated task_id\ncurl -sS ${AUTH} \\\n  -F file=@report-scan.jpg -F task_id=report-1 -F mode=layout \\\n  -F webhook_url=https://example.com/hooks/ocr \\\n  ${U}/v1/jobs`,
    `# a file the server reads itself (under OCRFLOW_INPUT_DIRS)\ncurl -sS ${AUTH} -H 'content-type: application/json' \\\n  -d '{"file_path": "/srv/inbox/report-scan.jpg", "task_id": "report-1", "mode": "text"}' \\\n  ${U}/v1/jobs`,
  ],
  'GET /v1/jobs': [`curl -sS ${AUTH} "${U}/v1/jobs?status=queued,running&limit=50"`, `curl -sS ${AUTH} "${U}/v1/jobs?task_id=report-1"`],
  'GET /v1/jobs/{id}': [`curl -sS ${AUTH} ${U}/v1/jobs/$JOB_ID`],
  'DELETE /v1/jobs/{id}': [`curl -sS -X DELETE ${AUTH} ${U}/v1/jobs/$JOB_ID`],
  'POST /v1/jobs/{id}/retry': [`curl -sS -X POST ${AUTH} ${U}/v1/jobs/$JOB_ID/retry`],
  'GET /v1/jobs/{id}/events': [
    `# long-poll: returns at once with new events, or after up to 25 s with none\ncurl -sS ${AUTH} "${U}/v1/jobs/$JOB_ID/events?since_seq=0&timeout_ms=25000"`,
    `# server-sent events until the job ends (-N: no buffering)\ncurl -sS -N ${AUTH} -H 'Accept: text/event-stream' ${U}/v1/jobs/$JOB_ID/events`,
  ],
  'GET /v1/jobs/{id}/result': [
    `curl -sS ${AUTH} "${U}/v1/jobs/$JOB_ID/result?format=markdown"`,
    `curl -sS ${AUTH} -o report.xlsx "${U}/v1/jobs/$JOB_ID/result?format=xlsx"`,
    `# while the job runs: the pages finished so far\ncurl -sS ${AUTH} "${U}/v1/jobs/$JOB_ID/result?format=text&partial=true"`,
  ],
  'GET /v1/jobs/{id}/analysis': [`curl -sS ${AUTH} ${U}/v1/jobs/$JOB_ID/analysis`],
  'GET /v1/jobs/{id}/deliveries': [`curl -sS ${AUTH} ${U}/v1/jobs/$JOB_ID/deliveries`],
  'POST /v1/jobs/{id}/deliveries/redeliver': [`curl -sS -X POST ${AUTH} ${U}/v1/jobs/$JOB_ID/deliveries/redeliver`],
  'POST /v1/batches': [
    `# a folder's documents as one batch (multipart, one part "file" each); 202 with the batch and each document's job id\ncurl -sS ${AUTH} \\\n  -F batch_id=scans-2026 -F mode=text -F webhook_url=https://example.com/hooks/batch \\\n  $(for f in scans/*.jpg; do printf -- '-F file=@%s ' "$f"; done) \\\n  ${U}/v1/batches`,
    `# files the server reads itself (under OCRFLOW_INPUT_DIRS), with your task ids\ncurl -sS ${AUTH} -H 'content-type: application/json' \\\n  -d '{"file_paths": ["/srv/inbox/a.pdf", "/srv/inbox/b.pdf"], "task_ids": ["inv-a", "inv-b"], "batch_id": "inbox-1"}' \\\n  ${U}/v1/batches`,
  ],
  'GET /v1/batches/{id}': [`# by the batch's id or your batch_id: documents by status, pages done of total\ncurl -sS ${AUTH} ${U}/v1/batches/scans-2026`],
  'GET /v1/batches/{id}/documents': [`curl -sS ${AUTH} "${U}/v1/batches/scans-2026/documents?after=0&limit=1000"`],
  'DELETE /v1/batches/{id}': [`# documents not started are canceled; running ones end normally\ncurl -sS -X DELETE ${AUTH} ${U}/v1/batches/scans-2026`],
  'GET /v1/batches/{id}/events': [
    `# long-poll: created, document_ended (one per document), ended\ncurl -sS ${AUTH} "${U}/v1/batches/scans-2026/events?since_seq=0&timeout_ms=25000"`,
    `# server-sent events until the batch ends\ncurl -sS -N ${AUTH} -H 'Accept: text/event-stream' ${U}/v1/batches/scans-2026/events`,
  ],
  'GET /v1/batches/{id}/results': [
    `# every finished document's Markdown, and manifest.json, in one zip\ncurl -sS ${AUTH} -o scans-2026.zip "${U}/v1/batches/scans-2026/results?format=markdown"`,
  ],
  'POST /api/start': [
    `curl -sS ${AUTH} -H 'content-type: application/json' \\\n  -d '{"file_path": "/srv/inbox/report-scan.jpg", "task_id": "report-1", "prompt": "", "webhook_url": "https://example.com/hooks/ocr"}' \\\n  ${U}/api/start\n# {"status": "running", "task_id": "report-1", ...}`,
  ],
  'GET /api/progress/{task_id}': [`curl -sS ${AUTH} ${U}/api/progress/report-1`],
  'GET /api/result/{task_id}': [`curl -sS ${AUTH} ${U}/api/result/report-1`],
  'POST /jobs-from-uploading': [`curl -sS ${AUTH} -F file=@report-scan.jpg ${U}/jobs-from-uploading\n# 201 {"job_id": "..."}`],
  'GET /longpoll/jobs/{id}': [`curl -sS ${AUTH} "${U}/longpoll/jobs/$JOB_ID?since_seq=0&timeout_ms=25000&max_events=100"`],
  'GET /result/json/jobs/{id}': [`curl -sS ${AUTH} ${U}/result/json/jobs/$JOB_ID`],
  'GET /result/markdown/jobs/{id}': [`curl -sS ${AUTH} ${U}/result/markdown/jobs/$JOB_ID`],
  'GET /result/images/jobs/{id}': [`curl -sS ${AUTH} -o images.zip ${U}/result/images/jobs/$JOB_ID`],
  'POST /api/v1/auth/login': [
    `# what the web UI does: the answer sets the session cookie (kept here in a cookie jar)\ncurl -sS -c jar -H 'content-type: application/json' -d "{\\"token\\": \\"$OCRFLOW_TOKEN\\"}" ${U}/api/v1/auth/login\n# then: curl -sS -b jar ${U}/api/v1/tasks; changes also need -H 'X-Requested-With: ocrflow'`,
  ],
  'POST /api/v1/auth/logout': [`curl -sS -b jar -c jar -X POST -H 'X-Requested-With: ocrflow' ${U}/api/v1/auth/logout`],
  'GET /api/v1/auth/session': [`curl -sS -b jar ${U}/api/v1/auth/session`],
  'POST /api/v1/table/save/{task_id}': [
    `# the data of GET /api/v1/table/data/$TASK_ID, edited, sent back as it came\ncurl -sS ${AUTH} -H 'content-type: application/json' --data @table.json ${U}/api/v1/table/save/$TASK_ID`,
  ],
  'GET /api/v1/excel/download/{task_id}': [
    `# saved under the name the server gives (the upload's, .xlsx)\ncurl -sS ${AUTH} -OJ ${U}/api/v1/excel/download/$TASK_ID`,
  ],
};

const PLACEHOLDERS = { id: '$JOB_ID', task_id: '$TASK_ID' };

function sampleValue(name, s) {
  if (!s) return 'value';
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  if (s.anyOf) return sampleValue(name, s.anyOf[0]);
  if (s.type === 'integer' || s.type === 'number') return s.minimum ?? 1;
  if (s.type === 'boolean') return true;
  if (s.type === 'array') return [sampleValue(name, s.items)];
  if (/path/.test(name)) return '/srv/inbox/document.pdf';
  if (/url/.test(name)) return 'https://example.com/hooks/ocr';
  return name === 'task_id' ? 'my-task-1' : 'value';
}

function generatedCurl(method, p, op) {
  const url = p.replace(/\{(\w+)\}/g, (_, n) => PLACEHOLDERS[n] ?? `$${n.toUpperCase()}`);
  const parts = ['curl -sS'];
  if (method !== 'GET') parts.push(`-X ${method}`);
  if (op.security?.length) parts.push(AUTH);
  const content = op.requestBody?.content ?? {};
  if (content['multipart/form-data']) {
    const props = content['multipart/form-data'].schema?.properties ?? {};
    for (const [k, s] of Object.entries(props))
      if ((content['multipart/form-data'].schema.required ?? []).includes(k))
        parts.push(s.format === 'binary' ? `-F ${k}=@document.pdf` : `-F ${k}=${sampleValue(k, s)}`);
  } else if (content['application/json']) {
    const s = content['application/json'].schema ?? {};
    const body = Object.fromEntries((s.required ?? []).map((k) => [k, sampleValue(k, s.properties?.[k])]));
    parts.push(`-H 'content-type: application/json' -d '${JSON.stringify(body)}'`);
  }
  const query = (op.parameters ?? []).filter((x) => x.in === 'query' && x.required);
  const qs = query.length ? `?${query.map((q) => `${q.name}=${sampleValue(q.name, q.schema)}`).join('&')}` : '';
  parts.push(qs ? `"${U}${url}${qs}"` : `${U}${url}`);
  return [parts.join(' ')];
}

// ---- rendering -------------------------------------------------------------------------------

const esc = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n+/g, ' ');
const refName = (r) => r.replace(/^#\/components\/schemas\//, '').replace(/#$/, '');

function typeOf(s) {
  if (!s) return '';
  if (s.$ref) return `[\`${refName(s.$ref)}\`](#schema-${refName(s.$ref).toLowerCase()})`;
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (s.type === 'array') return `array of ${typeOf(s.items)}`;
  let t = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  if (s.format && s.format !== 'binary') t += ` (${s.format})`;
  if (s.format === 'binary') t = 'file';
  if (s.enum) t = `${t === 'string' ? '' : `${t}: `}${s.enum.map((v) => `\`${v}\``).join(' | ')}`;
  if (s.nullable) t += ' or null';
  return t;
}

function propsTable(schema) {
  const props = schema?.properties ?? {};
  const names = Object.keys(props);
  if (!names.length) return '';
  const req = new Set(schema.required ?? []);
  const rows = names.map((n) => {
    const s = props[n];
    const notes = [
      s.description,
      s.default !== undefined ? `default \`${JSON.stringify(s.default)}\`` : '',
      s.minimum !== undefined || s.maximum !== undefined ? `${s.minimum ?? ''}..${s.maximum ?? ''}` : '',
      s.maxLength ? `≤ ${s.maxLength} chars` : '',
    ].filter(Boolean);
    return `| \`${n}\` | ${esc(typeOf(s))} | ${req.has(n) ? 'yes' : ''} | ${esc(notes.join('; '))} |`;
  });
  return ['| field | type | required | notes |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function responseSummary(r) {
  const content = r.content ?? {};
  const types = Object.keys(content);
  if (!types.length) return esc(r.description);
  const s = content[types[0]].schema;
  if (s?.$ref) return typeOf(s);
  if (s?.properties) return `\`{${Object.keys(s.properties).join(', ')}}\``;
  return types.join(', ');
}

function renderOperation(method, p, op) {
  const out = [`### \`${method} ${p}\``, '', `**${op.summary ?? ''}**`, ''];
  if (op.description) out.push(op.description, '');
  const cookie = op.security?.some((s) => 'session' in s);
  out.push(
    op.security?.length
      ? `Auth: \`Authorization: Bearer <token>\`${cookie ? ' or the sign-in cookie of `POST /api/v1/auth/login` (changes also need `X-Requested-With: ocrflow`)' : ''} (when the server has OCRFLOW_TOKENS).`
      : 'Auth: none.',
    '',
  );
  // Path parameters first: they are part of the address.
  const params = [...(op.parameters ?? [])].sort((x, y) => (x.in === 'path' ? 0 : 1) - (y.in === 'path' ? 0 : 1));
  if (params.length) {
    out.push('| parameter | in | type | required | notes |', '| --- | --- | --- | --- | --- |');
    for (const x of params) {
      const s = x.schema ?? {};
      const notes = [
        x.description ?? s.description,
        s.default !== undefined ? `default \`${JSON.stringify(s.default)}\`` : '',
        s.minimum !== undefined || s.maximum !== undefined ? `${s.minimum ?? ''}..${s.maximum ?? ''}` : '',
      ].filter(Boolean);
      out.push(`| \`${x.name}\` | ${x.in} | ${esc(typeOf(s))} | ${x.required ? 'yes' : ''} | ${esc(notes.join('; '))} |`);
    }
    out.push('');
  }
  for (const [type, c] of Object.entries(op.requestBody?.content ?? {})) {
    out.push(`Request body, \`${type}\`:`, '', propsTable(c.schema) || `${typeOf(c.schema)}`, '');
  }
  const responses = Object.entries(op.responses ?? {});
  if (responses.length) {
    out.push('| answer | body |', '| --- | --- |');
    for (const [code, r] of responses) out.push(`| ${code} | ${responseSummary(r)} |`);
    out.push('');
  }
  const examples = CURATED[`${method} ${p}`] ?? generatedCurl(method, p, op);
  out.push('```sh', examples.join('\n\n'), '```', '');
  return out.join('\n');
}

const TAG_ORDER = ['jobs', 'batches', 'webhooks', 'service'];
const TAG_TITLES = {
  jobs: 'Jobs (native API, `/v1`)',
  batches: 'Batches (`/v1/batches`)',
  webhooks: 'Webhook deliveries',
  service: 'Service: health, readiness, metrics',
  workbench: 'Workbench API (`/api/v1`)',
};
const TAG_INTRO = {
  batches:
    "Many documents as one: one submission, one watch, one zip, one webhook. Each document is an ordinary job (its own `task_id`, events and results under `/v1/jobs`), queued one priority step below the batch's `priority`, so single jobs submitted meanwhile are not stuck behind a big batch. The batch's `webhook_url` is called once, when every document has finished, failed or been canceled: body `{type: \"batch.ended\", id, batch_id, status, total, counts, pages_done, pages_total, results_url, timestamp}`, signed and retried like a job's (it shows in the delivery log of the document that ended last, source `batch`). A POST cut short (crash, dropped connection) can be sent again with the same `batch_id`: the batch is completed, no document is written twice.",
  workbench:
    'The API behind the workbench UI: tasks that turn an uploaded image into an editable workbook. Answers use the envelope `{success, message, data}`.',
  'compat: DeepSeek-OCR-Web':
    'Drop-in routes for clients written for DeepSeek-OCR-Web: they keep working unchanged. The webhook body carries `task_id` and `result_dir` (plus the native fields; see docs/webhooks.md).',
  'compat: PaddleOCR service':
    'Drop-in routes for clients of a PaddleOCR (PP-StructureV3) job service. The result JSON has the shape of `datasets/cn-report-dev/report-scan.ppstructure.json`: `{job_id, final:{…}, pages:[{width, height, parsing_res_list:[{block_label, block_content, block_bbox}]}]}`, tables as HTML in `block_content`.',
};

const anchor = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .trim()
    .replace(/\s+/g, '-');

async function render(doc) {
  const { ERROR_CODES } = await import('../packages/core/src/index.ts');
  const groups = new Map();
  for (const [p, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method) || op.hide) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push([method.toUpperCase(), p, op]);
    }
  }
  const tags = [...groups.keys()].sort((a, b) => {
    const ia = TAG_ORDER.indexOf(a),
      ib = TAG_ORDER.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a.localeCompare(b);
  });
  const title = (t) => TAG_TITLES[t] ?? (t.startsWith('compat: ') ? `Compatibility: ${t.slice(8)}` : t);
  const count = [...groups.values()].reduce((n, g) => n + g.length, 0);
  const out = [
    '# HTTP API',
    '',
    '<!-- Generated by `node scripts/gen-api-docs.mjs` from the OpenAPI document; do not edit by hand. -->',
    '',
    `ocrflow ${doc.info?.version ?? ''}: ${count} routes. The same document is served live at \`/openapi.json\` and browsable at \`/docs\`. A typed client: \`@ocrflow/client\` (see [cli.md](cli.md) for the command line on top of it).`,
    '',
    'The examples use two shell variables:',
    '',
    '```sh',
    'export OCRFLOW_URL=http://127.0.0.1:8080   # where `npm start` / `ocrflow serve` listens',
    "export OCRFLOW_TOKEN=s3cret                # one of the server's OCRFLOW_TOKENS (omit the header on an open server)",
    '```',
    '',
    'Every error answer of the native API is JSON with a stable code and a message for people, never a stack trace:',
    '',
    '```json',
    '{ "error": { "code": "OCRFLOW_ERR_JOB_NOT_FOUND", "message": "No job with this id" } }',
    '```',
    '',
    'A job moves `queued → running → finished | failed | canceled`; a failed or canceled job can be retried (it resumes after its last finished page). Its events carry a per-job `seq` (1, 2, 3, … without gaps): follow them by long-poll, server-sent events or a webhook.',
    '',
    "Tenants: every token belongs to a tenant (`OCRFLOW_TOKENS=name:token,…`), and jobs, their events, results and deliveries, workbench tasks and workbooks belong to the tenant whose token created them. Another tenant's id answers 404, exactly like an id that does not exist; lists show the caller's own work; `task_id` is unique per tenant. Admin tokens (`OCRFLOW_ADMIN_TOKENS`) see every tenant. See [security.md](security.md#tenants).",
    '',
    '## Contents',
    '',
    ...tags.flatMap((t) => [`- [${title(t)}](#${anchor(title(t))})`, ...groups.get(t).map(([m, p]) => `  - \`${m} ${p}\``)]),
    '- [Schemas](#schemas)',
    '- [Error codes](#error-codes)',
    '',
  ];
  for (const t of tags) {
    out.push(`## ${title(t)}`, '');
    if (TAG_INTRO[t]) out.push(TAG_INTRO[t], '');
    for (const [m, p, op] of groups.get(t)) out.push(renderOperation(m, p, op));
  }
  out.push('## Schemas', '');
  for (const [name, s] of Object.entries(doc.components?.schemas ?? {})) {
    out.push(`<a id="schema-${name.toLowerCase()}"></a>`, `### \`${name}\``, '');
    if (s.description) out.push(s.description, '');
    out.push(propsTable(s), '');
  }
  out.push(
    '## Error codes',
    '',
    'The `code` of an error answer (and of `job.error` for failed jobs), with the HTTP status it comes with. Codes are never reused or renamed.',
    '',
  );
  out.push('| code | HTTP | meaning |', '| --- | --- | --- |');
  for (const [code, v] of Object.entries(ERROR_CODES)) out.push(`| \`${code}\` | ${v.status} | ${esc(v.message)} |`);
  out.push('');
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

const text = await render(await loadOpenApi());
if (args.includes('--stdout')) process.stdout.write(text);
else if (args.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== text) {
    process.stderr.write('docs/api.md is out of date: run `node scripts/gen-api-docs.mjs`\n');
    process.exit(1);
  }
} else {
  fs.writeFileSync(target, text);
  process.stderr.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}
