/**
 * The vlm engine against a loopback stand-in of an OpenAI-compatible vision endpoint (vLLM serving
 * DeepSeek-OCR, or any other VLM) that answers with a recorded real DeepSeek-OCR output and checks
 * what it receives: auth header, model, prompt, and the page image (decodable, right size, right way
 * round).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import ExcelJS from 'exceljs';
import {
  documentToXlsx,
  documentToMarkdown,
  documentToText,
  isOcrflowError,
  tableToRows,
  type Block,
  type OcrDocument,
  type TableBlock,
  type TextBlock,
  type FormulaBlock,
} from '@ocrflow/core';
import { createVlmEngine, type VlmEngineOptions } from '../../src/vlm/vlm.engine.ts';
import { VLM_FLAGS, wantsFallback } from '../../src/vlm/vlm.flags.ts';
import { withFallback } from '../../src/vlm/vlm.fallback.ts';
import type { RasterImage } from '../../src/types.ts';
import { closedPort, sendJson, startStandIn, type Received, type StandIn } from './standin.http.ts';

const DATASETS = fileURLToPath(new URL('../../../../../shared/datasets/', import.meta.url));
const GROUNDED = readFileSync(`${DATASETS}vlm-outputs/deepseek-ocr-grounding-de-math.mmd`, 'utf8');
const DEEPSEEK = 'deepseek-ai/DeepSeek-OCR';

/** A 2400×3000 page: left half black, right half white (so a mirrored or rotated upload shows). */
function testPage(width = 2400, height = 3000): RasterImage {
  const data = Buffer.alloc(width * height * 3, 255);
  for (let y = 0; y < height; y++) data.fill(0, y * width * 3, (y * width + width / 2) * 3);
  return { data, width, height, channels: 3 };
}
const PAGE = testPage();

const servers: StandIn[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function completion(content: string, finish = 'stop'): unknown {
  return {
    id: 'cmpl-1',
    object: 'chat.completion',
    model: DEEPSEEK,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
    usage: { completion_tokens: 100 },
  };
}

type Step = (r: Received, res: import('node:http').ServerResponse) => void;
const answer =
  (content: string, finish = 'stop'): Step =>
  (_r, res) =>
    sendJson(res, 200, completion(content, finish));

/** A stand-in that plays `steps` in order (the last one repeats) for chat requests. */
async function vlmServer(steps: Step[], models = [DEEPSEEK]): Promise<StandIn> {
  let chat = 0;
  const s = await startStandIn((r, res) => {
    if (r.headers.authorization !== 'Bearer sk-test') return sendJson(res, 401, { error: { message: 'Invalid API key', type: 'auth' } });
    if (r.method === 'GET' && r.path === '/v1/models') return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model' })) });
    if (r.method === 'POST' && r.path === '/v1/chat/completions') return steps[Math.min(chat++, steps.length - 1)](r, res);
    sendJson(res, 404, { detail: 'Not Found' });
  });
  servers.push(s);
  return s;
}

function options(s: StandIn | string, extra: Partial<VlmEngineOptions> = {}): VlmEngineOptions {
  return {
    baseUrl: typeof s === 'string' ? s : `${s.origin}/v1`,
    model: DEEPSEEK,
    apiKey: 'sk-test',
    timeoutMs: 5000,
    concurrency: 4,
    maxTokens: 4096,
    maxImageSide: 1600,
    promptStyle: 'auto',
    extraBody: {},
    retry: { maxRetries: 2, baseDelayMs: 20, maxDelayMs: 2000 },
    healthTimeoutMs: 1000,
    ...extra,
  };
}

interface ChatSeen {
  body: {
    model: string;
    max_tokens: number;
    temperature: number;
    skip_special_tokens?: boolean;
    messages: { role: string; content: { type: string; text?: string; image_url?: { url: string } }[] }[];
  } & Record<string, unknown>;
  prompt: string;
  image: { format?: string; width?: number; height?: number; leftMean: number; rightMean: number };
}

async function seen(r: Received): Promise<ChatSeen> {
  const body = JSON.parse(r.body.toString('utf8')) as ChatSeen['body'];
  const parts = body.messages[0].content;
  const url = parts.find((p) => p.type === 'image_url')!.image_url!.url;
  const m = /^data:(image\/(?:png|jpeg));base64,(.+)$/.exec(url);
  assert.ok(m, 'the image is sent as a base64 data URL');
  const img = Buffer.from(m[2], 'base64');
  const meta = await sharp(img).metadata();
  assert.equal(`image/${meta.format === 'jpeg' ? 'jpeg' : meta.format}`, m[1], 'the data URL type matches the image');
  const { data, info } = await sharp(img).greyscale().raw().toBuffer({ resolveWithObject: true });
  const w = info.width,
    h = info.height;
  // Mean grey of the outer quarter columns on each side.
  const mean = (x0: number, x1: number) => {
    let sum = 0;
    for (let y = 0; y < h; y++) for (let x = x0; x < x1; x++) sum += data[y * w + x];
    return sum / (h * (x1 - x0));
  };
  const q = Math.floor(w / 4);
  return {
    body,
    prompt: parts.find((p) => p.type === 'text')!.text!,
    image: { format: meta.format, width: w, height: h, leftMean: mean(0, q), rightMean: mean(w - q, w) },
  };
}

function doc(blocks: Block[]): OcrDocument {
  return {
    schema: 'ocrflow.document/1',
    meta: { engine: 'vlm', languages: ['de'], mime: 'image/png', page_count: 1 },
    pages: [{ index: 0, width: PAGE.width, height: PAGE.height, rotation: 0, source: 'vlm', engine: 'vlm', blocks, flags: [], timings_ms: {} }],
  };
}

test('DeepSeek-OCR grounded answer: request checked, blocks, boxes scaled to page pixels, tables, LaTeX', async () => {
  const s = await vlmServer([answer(GROUNDED)]);
  const engine = createVlmEngine(options(s));
  const r = await engine.recognize(PAGE, { languages: ['de'], mode: 'layout' });

  assert.equal(s.received.length, 1);
  const req = await seen(s.received[0]);
  assert.equal(s.received[0].headers.authorization, 'Bearer sk-test');
  assert.equal(req.body.model, DEEPSEEK);
  assert.equal(req.prompt, '<image>\n<|grounding|>Convert the document to markdown.');
  assert.equal(req.body.skip_special_tokens, false, 'grounding tags are special tokens: the server must keep them');
  assert.equal(req.body.max_tokens, 4096);
  assert.equal(req.body.temperature, 0);
  // 2400×3000 capped at 1600 on the long side, aspect kept, left half dark, right half light.
  assert.deepEqual([req.image.width, req.image.height], [1280, 1600]);
  assert.ok(req.image.leftMean < 10 && req.image.rightMean > 245, `image content preserved (${req.image.leftMean}, ${req.image.rightMean})`);

  const blocks = r.blocks!;
  assert.deepEqual(
    blocks.map((b) => [b.type, b.source_label]),
    [
      ['heading', 'sub_title'],
      ['text', 'text'],
      ['table', 'table'],
      ['text', 'text'],
      ['text', 'text'],
      ['figure', 'image'],
      ['text', 'text'],
      ['table', 'table'],
      ['formula', 'equation'],
      ['formula', 'equation'],
    ],
  );
  // [[114, 81, 360, 99]] of 0–999 on a 2400×3000 page: x·2400/999, y·3000/999.
  assert.deepEqual(blocks[0].bbox, [274, 243, 865, 297]);
  // [[124, 616, 576, 765]] → the second table.
  assert.deepEqual(blocks[7].bbox, [298, 1850, 1384, 2297]);
  const heading = blocks[0] as TextBlock;
  assert.equal(heading.text, '3. Regressionsanalyse II');
  assert.equal(heading.level, 2);

  const t1 = (blocks[2] as TableBlock).table;
  assert.deepEqual([t1.n_rows, t1.n_cols], [3, 5]);
  assert.deepEqual(tableToRows(t1)[2], ['yi', '5,1', '1,75', '1,08', '0,71']);
  const t2 = (blocks[7] as TableBlock).table;
  assert.deepEqual([t2.n_rows, t2.n_cols], [6, 5]);
  assert.deepEqual(tableToRows(t2)[0], ['i', '\\(u_i = x_i\\)', '\\(v_i = \\ln y_i\\)', '\\(u_i^2\\)', '\\(u_i v_i\\)']);
  assert.deepEqual(tableToRows(t2)[5], ['∑', '6', '1,923 328', '14', '-0,313 933']);

  // LaTeX verbatim: inline \( \) stays in the text, display \[ \] becomes the formula source.
  assert.match((blocks[1] as TextBlock).text, /Exponentialfunktion vom Typ \\\(y = a \\cdot e\^\{bx\}\\\)/);
  assert.equal((blocks[8] as FormulaBlock).latex, '\\overline{u} = \\frac{1}{4} \\cdot \\sum_{1}^{4} u_i = \\frac{1}{4} \\cdot 6 = 1,5');
  assert.equal((blocks[3] as TextBlock).text, 'in optimaler Weise anpasst (a > 0).', 'HTML entities decoded');

  // Lines: inside their block, top to bottom; the page result carries them for overlays.
  for (const b of blocks) {
    if (b.type === 'table') continue;
    for (const l of b.lines)
      assert.ok(
        l.bbox[0] >= b.bbox[0] && l.bbox[2] <= b.bbox[2] && l.bbox[1] >= b.bbox[1] - 1 && l.bbox[3] <= b.bbox[3] + 1,
        `line of ${b.id} inside its block`,
      );
  }
  assert.ok(r.lines.some((l) => l.text === '3. Regressionsanalyse II'));
  assert.deepEqual(r.flags, []);
  assert.ok(r.timings_ms.vlm_request >= 0 && r.timings_ms.vlm_encode >= 0);

  // Outputs are functions of the model: Markdown keeps the tables and formulas.
  const md = documentToMarkdown(doc(blocks));
  assert.match(md, /^## 3\. Regressionsanalyse II/);
  assert.match(md, /\| yi \| 5,1 \| 1,75 \| 1,08 \| 0,71 \|/);
  assert.match(md, /\$\$\n\\overline\{v\} = /);
  assert.match(documentToText(doc(blocks)), /∑\t6\t1,923 328\t14\t-0,313 933/);

  // XLSX from VLM output: one sheet per table, cells where the HTML put them.
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await documentToXlsx(doc(blocks))) as unknown as ArrayBuffer);
  assert.equal(wb.worksheets.length, 2);
  const [s1, s2] = wb.worksheets;
  assert.deepEqual([s1.rowCount, s1.columnCount, s2.rowCount, s2.columnCount], [3, 5, 6, 5]);
  assert.equal(s1.getCell('A3').value, 'yi');
  assert.equal(s1.getCell('E2').value, 3);
  assert.equal(s2.getCell('A6').value, '∑');
});

test('DeepSeek text mode sends "Free OCR." and stacks the unboxed answer', async () => {
  const s = await vlmServer([answer('Kassenbon\n\nMilch 1,29\nBrot 2,49\n\nSumme 3,78<｜end▁of▁sentence｜>')]);
  const r = await createVlmEngine(options(s)).recognize(PAGE, { languages: ['de'], mode: 'text' });
  assert.equal((await seen(s.received[0])).prompt, '<image>\nFree OCR.');
  assert.deepEqual(
    r.lines.map((l) => l.text),
    ['Kassenbon', 'Milch 1,29', 'Brot 2,49', 'Summe 3,78'],
  );
  assert.ok(r.flags!.includes('approximate_boxes'));
  // Stacked top to bottom over the full width, in the model's order.
  const ys = r.lines.map((l) => l.bbox[1]);
  assert.deepEqual(
    [...ys].sort((a, b) => a - b),
    ys,
  );
  assert.equal(r.lines[0].bbox[2], PAGE.width);
  assert.ok(r.lines.at(-1)!.bbox[3] <= PAGE.height);
});

test('other VLMs get the Markdown/HTML prompt; a job prompt overrides it; fenced answers are unwrapped', async () => {
  const html =
    '<table><tr><th>Artikel</th><th colspan="2">Preis</th></tr><tr><td rowspan="2">Milch</td><td>1,29</td><td>EUR</td></tr><tr><td>0,99</td><td>EUR</td></tr></table>';
  const s = await vlmServer([answer('```markdown\n# Rechnung\n\n' + html + '\n```')], ['qwen2.5-vl-7b-instruct']);
  const engine = createVlmEngine(options(s, { model: 'qwen2.5-vl-7b-instruct', extraBody: { top_p: 1 } }));
  const r = await engine.recognize(PAGE, { languages: ['de'], mode: 'layout' });
  const req = await seen(s.received[0]);
  assert.match(req.prompt, /Markdown/);
  assert.match(req.prompt, /HTML <table>/);
  assert.ok(!req.prompt.includes('<|grounding|>'));
  assert.equal(req.body.skip_special_tokens, undefined);
  assert.equal(req.body.top_p, 1, 'extra body merged');
  assert.deepEqual(
    r.blocks!.map((b) => b.type),
    ['title', 'table'],
  );
  const t = (r.blocks![1] as TableBlock).table;
  assert.deepEqual([t.n_rows, t.n_cols], [3, 3]);
  assert.deepEqual(
    t.cells.find((c) => c.text === 'Preis'),
    { row: 0, col: 1, row_span: 1, col_span: 2, bbox: null, text: 'Preis', lines: [], header: true },
  );
  assert.deepEqual(
    t.cells.find((c) => c.text === 'Milch'),
    { row: 1, col: 0, row_span: 2, col_span: 1, bbox: null, text: 'Milch', lines: [] },
  );
  assert.deepEqual(
    t.cells.find((c) => c.text === '0,99'),
    { row: 2, col: 1, row_span: 1, col_span: 1, bbox: null, text: '0,99', lines: [] },
  );

  await engine.recognize(PAGE, { languages: ['de'], mode: 'layout', prompt: 'Extract only the table as HTML.' });
  assert.equal((await seen(s.received[1])).prompt, 'Extract only the table as HTML.');
});

test('without a configured model the first served model is used (and the prompt style follows it)', async () => {
  const s = await vlmServer([answer(GROUNDED)], ['deepseek-ai/DeepSeek-OCR-2']);
  await createVlmEngine(options(s, { model: '' })).recognize(PAGE, { languages: ['de'], mode: 'layout' });
  const chat = s.received.filter((r) => r.path === '/v1/chat/completions');
  const req = await seen(chat[0]);
  assert.equal(req.body.model, 'deepseek-ai/DeepSeek-OCR-2');
  assert.match(req.prompt, /<\|grounding\|>/);
});

test('429 with Retry-After is retried after the advertised wait, then succeeds', async () => {
  const s = await vlmServer([(_r, res) => sendJson(res, 429, { error: { message: 'Rate limit reached' } }, { 'retry-after': '1' }), answer(GROUNDED)]);
  const r = await createVlmEngine(options(s)).recognize(PAGE, { languages: ['de'], mode: 'layout' });
  assert.equal(s.received.length, 2);
  assert.ok(s.received[1].at - s.received[0].at >= 950, `waited ${s.received[1].at - s.received[0].at} ms (Retry-After: 1)`);
  assert.equal(r.blocks!.length, 10);
});

test('a persistent 500 fails the page with the endpoint message after the retries', async () => {
  const s = await vlmServer([(_r, res) => sendJson(res, 500, { object: 'error', message: 'CUDA out of memory. Tried to allocate 2.00 GiB', code: 500 })]);
  await assert.rejects(createVlmEngine(options(s)).recognize(PAGE, { languages: ['de'], mode: 'layout' }), (e: unknown) => {
    assert.ok(isOcrflowError(e));
    assert.equal(e.code, 'OCRFLOW_ERR_ENGINE_FAILED');
    assert.match(e.message, /HTTP 500: CUDA out of memory\. Tried to allocate 2\.00 GiB \(3 attempts\)/);
    assert.match(e.message, new RegExp(`the vlm endpoint ${s.origin}/v1`));
    return true;
  });
  assert.equal(s.received.length, 3, 'first attempt + 2 retries');
});

test('a 4xx other than 408/429 is not retried', async () => {
  const s = await vlmServer([(_r, res) => sendJson(res, 400, { object: 'error', message: "This model's maximum context length is 8192 tokens." })]);
  await assert.rejects(
    createVlmEngine(options(s)).recognize(PAGE, { languages: ['de'], mode: 'layout' }),
    /HTTP 400: This model's maximum context length is 8192 tokens\.$/,
  );
  assert.equal(s.received.length, 1);
});

test('a hanging endpoint times out per request, is retried, then fails the page clearly', async () => {
  const s = await vlmServer([() => {}]);
  await assert.rejects(
    createVlmEngine(options(s, { timeoutMs: 300, retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 50 } })).recognize(PAGE, {
      languages: ['de'],
      mode: 'layout',
    }),
    (e: unknown) => {
      assert.ok(isOcrflowError(e));
      assert.equal(e.code, 'OCRFLOW_ERR_ENGINE_FAILED');
      assert.match(e.message, /did not answer within 300 ms \(2 attempts\)/);
      return true;
    },
  );
  assert.equal(s.received.length, 2);
});

test('a canceled job stops waiting at once', async () => {
  const s = await vlmServer([() => {}]);
  const ac = new AbortController();
  const p = createVlmEngine(options(s, { timeoutMs: 60_000 })).recognize(PAGE, { languages: ['de'], mode: 'layout', signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(p, (e: unknown) => isOcrflowError(e) && e.code === 'OCRFLOW_ERR_CANCELED');
});

test('garbage answers fail the page with what came back', async () => {
  const s = await vlmServer([
    (_r, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Welcome to nginx!</h1></body></html>');
    },
    (_r, res) => sendJson(res, 200, { result: 'ok' }),
  ]);
  const engine = createVlmEngine(options(s));
  await assert.rejects(engine.recognize(PAGE, { languages: ['de'], mode: 'layout' }), /answered with something that is not JSON: Welcome to nginx!/);
  await assert.rejects(
    engine.recognize(PAGE, { languages: ['de'], mode: 'layout' }),
    (e: unknown) => isOcrflowError(e) && e.code === 'OCRFLOW_ERR_ENGINE_FAILED' && /without a chat completion/.test(e.message),
  );
});

test('an empty answer asks for the fallback engine', async () => {
  const s = await vlmServer([answer('  \n')]);
  const r = await createVlmEngine(options(s)).recognize(PAGE, { languages: ['de'], mode: 'layout' });
  assert.deepEqual(r.blocks, []);
  assert.ok(r.flags!.includes(VLM_FLAGS.empty));
  assert.ok(wantsFallback(r));
});

test('withFallback: a page that asks is re-read by the fallback; when that fails too, the vlm page stands, flagged', async () => {
  const empty = await vlmServer([answer('  \n')]);
  const good = await vlmServer([answer('# Jahresbericht\n\nUmsatz 100')]);
  let asked = 0;
  const reread = withFallback(createVlmEngine(options(empty)), { name: 'vlm', get: async () => (asked++, createVlmEngine(options(good))) });
  const r = await reread.recognize(PAGE, { languages: ['de'], mode: 'layout' });
  assert.equal(asked, 1);
  assert.equal(r.engine, 'vlm');
  assert.ok(
    r.blocks!.some((b) => 'text' in b && b.text === 'Umsatz 100'),
    JSON.stringify(r.blocks),
  );
  for (const f of [VLM_FLAGS.empty, VLM_FLAGS.fallbackSuggested, VLM_FLAGS.fallback]) assert.ok(r.flags!.includes(f), f);
  // The fallback engine cannot be reached: the (empty) vlm answer is the page, flagged.
  const failing = withFallback(createVlmEngine(options(await vlmServer([answer('  \n')]))), {
    name: 'vlm',
    get: async () => createVlmEngine(options(`http://127.0.0.1:${await closedPort()}/v1`, { retry: { maxRetries: 0, baseDelayMs: 20, maxDelayMs: 20 } })),
  });
  const f = await failing.recognize(PAGE, { languages: ['de'], mode: 'layout' });
  assert.equal(f.engine, undefined);
  assert.deepEqual(f.blocks, []);
  assert.ok(f.flags!.includes(VLM_FLAGS.fallbackFailed));
});

test('a repetition loop cut off at max_tokens is trimmed, flagged, and asks for the fallback', async () => {
  let loop = GROUNDED;
  for (let i = 0; i < 40; i++)
    loop += `\n\n<|ref|>text<|/ref|><|det|>[[124, ${870 + i}, 533, ${885 + i}]]<|/det|>\nDie Ausgleichsgerade lautet somit v = -0,3277 u + 0,9725`;
  const s = await vlmServer([answer(loop + '\n\n<|ref|>text<|/ref|><|det|>[[124, 9', 'length')]);
  const r = await createVlmEngine(options(s)).recognize(PAGE, { languages: ['de'], mode: 'layout' });
  assert.equal(r.blocks!.length, 11, 'the real blocks and one copy of the looped one');
  assert.equal(r.blocks!.filter((b) => b.type === 'text' && b.text.startsWith('Die Ausgleichsgerade')).length, 1);
  for (const f of [VLM_FLAGS.repetition, VLM_FLAGS.truncated, VLM_FLAGS.fallbackSuggested]) assert.ok(r.flags!.includes(f), f);
  assert.ok(wantsFallback(r));
});

test('a header repeated 20 times in an otherwise complete answer is trimmed without a fallback', async () => {
  const s = await vlmServer(
    [answer('# Jahresbericht 2024\n\n' + '| Monat | Umsatz | Kosten |\n'.repeat(20) + '| --- | --- | --- |\n| Januar | 100 | 80 |\n| Februar | 120 | 90 |\n')],
    ['llava'],
  );
  const r = await createVlmEngine(options(s, { model: 'llava' })).recognize(PAGE, { languages: ['de'], mode: 'layout' });
  assert.ok(r.flags!.includes(VLM_FLAGS.repetition));
  assert.ok(!wantsFallback(r));
  const t = (r.blocks!.find((b) => b.type === 'table') as TableBlock).table;
  assert.deepEqual(tableToRows(t), [
    ['Monat', 'Umsatz', 'Kosten'],
    ['Januar', '100', '80'],
    ['Februar', '120', '90'],
  ]);
});

test('an unreachable endpoint fails its page with ENGINE_UNAVAILABLE; other jobs are unaffected', async () => {
  const dead = createVlmEngine(options(`http://127.0.0.1:${await closedPort()}/v1`, { retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 50 } }));
  const s = await vlmServer([answer(GROUNDED)]);
  const alive = createVlmEngine(options(s));
  const [a, b] = await Promise.allSettled([
    dead.recognize(PAGE, { languages: ['de'], mode: 'layout' }),
    alive.recognize(PAGE, { languages: ['de'], mode: 'layout' }),
  ]);
  assert.equal(a.status, 'rejected');
  const e = (a as PromiseRejectedResult).reason;
  assert.ok(isOcrflowError(e));
  assert.equal(e.code, 'OCRFLOW_ERR_ENGINE_UNAVAILABLE');
  assert.match(e.message, /the vlm endpoint http:\/\/127\.0\.0\.1:\d+\/v1 is not reachable \(ECONNREFUSED/);
  assert.equal(b.status, 'fulfilled');
  assert.equal((b as PromiseFulfilledResult<{ blocks?: Block[] }>).value.blocks!.length, 10);
  const h = await dead.health();
  assert.equal(h.ok, false);
  assert.match(h.detail, /not reachable/);
});

test('concurrency per endpoint is limited across callers, and failures release their slot', async () => {
  const s = await vlmServer([(_r, res) => sendJson(res, 500, { message: 'boom' }), (_r, res) => setTimeout(() => sendJson(res, 200, completion('Seite')), 80)]);
  const engine = createVlmEngine(options(s, { concurrency: 2, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } }));
  await assert.rejects(engine.recognize(PAGE, { languages: ['de'], mode: 'text' }), /HTTP 500: boom/);
  const other = createVlmEngine(options(s, { concurrency: 2, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } }));
  const results = await Promise.all([engine, other, engine, other, engine].map((e) => e.recognize(testPage(200, 300), { languages: ['de'], mode: 'text' })));
  assert.equal(results.length, 5);
  assert.ok(results.every((r) => r.lines[0]?.text === 'Seite'));
  assert.equal(s.maxInFlight, 2);
});

test('health: GET /models, honest about the model and the key', async () => {
  const s = await vlmServer([answer('x')]);
  assert.deepEqual(await createVlmEngine(options(s)).health(), { name: 'vlm', ok: true, detail: `the vlm endpoint ${s.origin}/v1, model ${DEEPSEEK}` });
  const wrong = await createVlmEngine(options(s, { model: 'Qwen2-VL' })).health();
  assert.equal(wrong.ok, false);
  assert.match(wrong.detail, /does not serve the model "Qwen2-VL"; it serves: deepseek-ai\/DeepSeek-OCR/);
  const badKey = await createVlmEngine(options(s, { apiKey: 'nope' })).health();
  assert.equal(badKey.ok, false);
  assert.match(badKey.detail, /HTTP 401: Invalid API key/);
  assert.ok(
    s.received.every((r) => r.path === '/v1/models'),
    'health never calls the model',
  );
  const unconfigured = await createVlmEngine(options('')).health();
  assert.equal(unconfigured.ok, false);
  assert.match(unconfigured.detail, /OCRFLOW_VLM_BASE_URL/);
});
