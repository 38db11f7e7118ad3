/**
 * Load-time graph rewrites of the PP-OCR ONNX models, exact up to float rounding. paddle2onnx
 * exports PP-LCNetV3 blocks as nine element-wise passes around each convolution:
 *
 *   Conv → Mul(a₁) → Add(b₁)                 the "learnable affine block" of a re-parameterised conv
 *        → Add(3) → Clip(0, 6) → Mul(x) → Div(6)   hard-swish, spelt out in opset 9/11
 *        → Mul(a₂) → Add(b₂) → Conv              the affine block after the activation
 *
 * onnxruntime fuses none of these, and on CPU they cost about 40 % of the recogniser's and the
 * detector's time (memory-bound passes over the whole feature map). Here:
 * - a scalar or per-channel Mul/Add right after a Conv is folded into its weights and bias;
 * - hard-swish becomes HardSigmoid(α = 1/6, β = 0.5) and one Mul (x·clip(x+3, 0, 6)/6 is
 *   x·clip(x/6 + 0.5, 0, 1)); HardSigmoid exists since opset 6;
 * - a scalar Mul(a) before a Conv is folded into its weights (scaling commutes with the zero
 *   padding); a scalar Add(b) before a Conv without padding goes into its bias, before a padded one
 *   it stays (the padding would see b otherwise).
 * Each rewrite checks that the tensors it removes have no other reader. Anything that does not
 * match is left as it was, so a model of another shape is loaded unchanged.
 */
import {
  attrValue,
  concat,
  decodeFields,
  decodeFloatTensor,
  decodeNode,
  encodeFloatTensor,
  encodeNode,
  fieldBytes,
  floatAttr,
  text,
  type FloatTensor,
  type OnnxNode,
  type WireField,
} from './onnx.wire.ts';

interface GraphState {
  nodes: (OnnxNode | null)[];
  /** Nodes rewritten (re-encoded on output); the others keep their original bytes. */
  dirty: Set<number>;
  raws: Uint8Array[];
  inits: Map<string, FloatTensor | null>;
  /** Initializers rewritten or added. */
  newInits: Map<string, FloatTensor>;
  /** Float constants produced by Constant nodes. */
  consts: Map<string, FloatTensor>;
  graphOutputs: Set<string>;
  producer: Map<string, number>;
  readers: Map<string, number[]>;
}

/** Bump when the rewrite's output changes: cached rewritten models (fused.cache.ts) are keyed by it. */
export const FUSE_REVISION = 1;

export interface FuseStats {
  hardSwish: number;
  convAffine: number;
  preConvScale: number;
  preConvBias: number;
  nodesBefore: number;
  nodesAfter: number;
}

function index(g: GraphState): void {
  g.producer.clear();
  g.readers.clear();
  g.nodes.forEach((n, i) => {
    if (!n) return;
    for (const o of n.output) g.producer.set(o, i);
    for (const x of n.input) {
      const r = g.readers.get(x);
      if (r) r.push(i);
      else g.readers.set(x, [i]);
    }
  });
}

/** A constant tensor (initializer or Constant node output). */
function constant(g: GraphState, name: string): FloatTensor | null {
  return g.newInits.get(name) ?? g.inits.get(name) ?? g.consts.get(name) ?? null;
}

function scalar(g: GraphState, name: string): number | null {
  const t = constant(g, name);
  return t && t.data.length === 1 ? t.data[0] : null;
}

/** The only reader of tensor `name`, if it has exactly one and is not a graph output. */
function soleReader(g: GraphState, name: string): number | null {
  const r = g.readers.get(name);
  if (!r || r.length !== 1 || g.graphOutputs.has(name)) return null;
  return r[0];
}

/** For Mul/Add with one constant operand: [the other input, the constant]. */
function constOperand(g: GraphState, n: OnnxNode): [string, FloatTensor] | null {
  if (n.input.length !== 2) return null;
  for (const k of [0, 1]) {
    const c = constant(g, n.input[k]);
    if (c && !constant(g, n.input[1 - k])) return [n.input[1 - k], c];
  }
  return null;
}

/** Per-output-channel values of a constant that broadcasts as a scalar or over channels of NCHW. */
function perChannel(t: FloatTensor, channels: number): Float32Array | null {
  if (t.data.length === 1) return new Float32Array(channels).fill(t.data[0]);
  if (t.data.length !== channels) return null;
  const d = t.dims.slice();
  while (d.length > 0 && d[0] === 1 && d.length > 3) d.shift();
  // [C,1,1] or [1,C,1,1]: broadcasts over the channel axis of an NCHW map.
  if (d.length === 3 && d[0] === channels && d[1] === 1 && d[2] === 1) return t.data;
  return null;
}

function convWeights(g: GraphState, conv: OnnxNode): { w: FloatTensor; b: Float32Array } | null {
  const w = constant(g, conv.input[1]);
  if (!w || w.dims.length !== 4) return null;
  const co = w.dims[0];
  let b: Float32Array;
  if (conv.input[2]) {
    const bt = constant(g, conv.input[2]);
    if (!bt || bt.data.length !== co) return null;
    b = bt.data.slice();
  } else b = new Float32Array(co);
  return { w: { ...w, data: w.data.slice() }, b };
}

let fresh = 0;
function setConvWeights(g: GraphState, i: number, w: FloatTensor, b: Float32Array): void {
  const conv = g.nodes[i]!;
  // New names: the original initializers may be shared with another node.
  const wn = `${conv.input[1]}__fused${++fresh}`,
    bn = `${conv.input[1]}__fused_bias${fresh}`;
  g.newInits.set(wn, { name: wn, dims: w.dims, data: w.data });
  g.newInits.set(bn, { name: bn, dims: [b.length], data: b });
  conv.input = [conv.input[0], wn, bn];
  g.dirty.add(i);
}

function remove(g: GraphState, ...ids: number[]): void {
  for (const i of ids) {
    g.nodes[i] = null;
    g.dirty.add(i);
  }
}

/** Conv → Mul(c) / Add(c) with constant per-channel c: into the conv's weights and bias. */
function foldAfterConv(g: GraphState, stats: FuseStats): void {
  for (let i = 0; i < g.nodes.length; i++) {
    const conv = g.nodes[i];
    if (!conv || conv.op !== 'Conv') continue;
    for (;;) {
      const next = soleReader(g, conv.output[0]);
      const n = next === null ? null : g.nodes[next];
      if (!n || (n.op !== 'Mul' && n.op !== 'Add')) break;
      const op = constOperand(g, n);
      const wb = convWeights(g, conv);
      if (!op || !wb || op[0] !== conv.output[0]) break;
      const co = wb.w.dims[0];
      const c = perChannel(op[1], co);
      if (!c) break;
      const per = wb.w.data.length / co;
      if (n.op === 'Mul') {
        for (let o = 0; o < co; o++) {
          for (let k = 0; k < per; k++) wb.w.data[o * per + k] *= c[o];
          wb.b[o] *= c[o];
        }
      } else for (let o = 0; o < co; o++) wb.b[o] += c[o];
      setConvWeights(g, i, wb.w, wb.b);
      conv.output = [n.output[0]];
      remove(g, next!);
      index(g);
      stats.convAffine++;
    }
  }
}

function clipIsZeroSix(g: GraphState, clip: OnnxNode): boolean {
  let lo: number | null | undefined = attrValue(clip.attrs.get('min') ?? new Uint8Array()).f;
  let hi: number | null | undefined = attrValue(clip.attrs.get('max') ?? new Uint8Array()).f;
  if (clip.input[1]) lo = scalar(g, clip.input[1]);
  if (clip.input[2]) hi = scalar(g, clip.input[2]);
  return lo === 0 && hi === 6;
}

/** x → Add(3) → Clip(0, 6) → Mul(x, ·) → Div(6)  ⇒  x → HardSigmoid(1/6, 0.5) → Mul(x, ·). */
function fuseHardSwish(g: GraphState, stats: FuseStats): void {
  for (let i = 0; i < g.nodes.length; i++) {
    const add = g.nodes[i];
    if (!add || add.op !== 'Add') continue;
    const op = constOperand(g, add);
    if (!op || op[1].data.length !== 1 || op[1].data[0] !== 3) continue;
    const x = op[0];
    const ci = soleReader(g, add.output[0]);
    const clip = ci === null ? null : g.nodes[ci];
    if (!clip || clip.op !== 'Clip' || !clipIsZeroSix(g, clip)) continue;
    const mi = soleReader(g, clip.output[0]);
    const mul = mi === null ? null : g.nodes[mi];
    if (!mul || mul.op !== 'Mul' || !mul.input.includes(x) || !mul.input.includes(clip.output[0])) continue;
    const di = soleReader(g, mul.output[0]);
    const div = di === null ? null : g.nodes[di];
    if (!div || div.op !== 'Div' || div.input[0] !== mul.output[0] || scalar(g, div.input[1]) !== 6) continue;
    const hs = `${div.output[0]}__hardsigmoid`;
    g.nodes[i] = {
      input: [x],
      output: [hs],
      name: `${add.name}__hardsigmoid`,
      op: 'HardSigmoid',
      domain: '',
      attrs: new Map([
        ['alpha', floatAttr('alpha', 1 / 6)],
        ['beta', floatAttr('beta', 0.5)],
      ]),
    };
    g.nodes[mi!] = { input: [x, hs], output: [div.output[0]], name: mul.name, op: 'Mul', domain: '', attrs: new Map() };
    g.dirty.add(i);
    g.dirty.add(mi!);
    remove(g, ci!, di!);
    index(g);
    stats.hardSwish++;
  }
}

function convPadded(conv: OnnxNode): boolean {
  const auto = conv.attrs.get('auto_pad');
  if (auto && !/NOTSET|VALID/.test(new TextDecoder().decode(auto))) return true;
  const pads = attrValue(conv.attrs.get('pads') ?? new Uint8Array()).ints ?? [];
  return pads.some((p) => p !== 0);
}

/** Mul(a) [→ Add(b)] → Conv with scalar a, b: a into the weights; b into the bias when the conv has no padding. */
function foldBeforeConv(g: GraphState, stats: FuseStats): void {
  for (let i = 0; i < g.nodes.length; i++) {
    const mul = g.nodes[i];
    if (!mul || mul.op !== 'Mul') continue;
    const op = constOperand(g, mul);
    if (!op || op[1].data.length !== 1 || op[1].data[0] === 0) continue;
    const a = op[1].data[0];
    let addIdx: number | null = null,
      b = 0,
      feed = mul.output[0];
    let ci = soleReader(g, feed);
    const next = ci === null ? null : g.nodes[ci];
    if (next && next.op === 'Add') {
      const ao = constOperand(g, next);
      if (!ao || ao[1].data.length !== 1) continue;
      b = ao[1].data[0];
      addIdx = ci;
      feed = next.output[0];
      ci = soleReader(g, feed);
    }
    const conv = ci === null ? null : g.nodes[ci];
    if (!conv || conv.op !== 'Conv' || conv.input[0] !== feed) continue;
    const wb = convWeights(g, conv);
    if (!wb) continue;
    const co = wb.w.dims[0],
      per = wb.w.data.length / co;
    // Conv(a·x + b) = (a·W) * (x + b/a): the scale always folds; the shift only without padding.
    const shift = b / a;
    const keepShift = addIdx !== null && shift !== 0 && convPadded(conv);
    for (let o = 0; o < co; o++) {
      let sum = 0;
      for (let k = 0; k < per; k++) {
        wb.w.data[o * per + k] *= a;
        sum += wb.w.data[o * per + k];
      }
      if (addIdx !== null && !keepShift) wb.b[o] += shift * sum;
    }
    setConvWeights(g, ci!, wb.w, wb.b);
    if (keepShift) {
      // x → Add(b/a) → Conv(a·W): one pass instead of two.
      const add = g.nodes[addIdx!]!;
      const sn = `${add.output[0]}__shift`;
      g.newInits.set(sn, { name: sn, dims: [1], data: Float32Array.of(shift) });
      add.input = [op[0], sn];
      g.dirty.add(addIdx!);
      remove(g, i);
    } else {
      conv.input[0] = op[0];
      remove(g, ...(addIdx !== null ? [i, addIdx] : [i]));
      if (addIdx !== null) stats.preConvBias++;
    }
    stats.preConvScale++;
    index(g);
  }
}

/** Constant nodes nobody reads any more (their values were folded into new weights). */
function dropDeadConstants(g: GraphState): void {
  index(g);
  g.nodes.forEach((n, i) => {
    if (n && n.op === 'Constant' && n.output.every((o) => !g.readers.has(o) && !g.graphOutputs.has(o))) remove(g, i);
  });
}

/** Rewrite an ONNX model (bytes of a ModelProto); returns the new bytes and what was fused. */
export function fuseModel(model: Uint8Array): { model: Uint8Array; stats: FuseStats } {
  const top = decodeFields(model);
  const gi = top.findIndex((f) => f.no === 7);
  const stats: FuseStats = { hardSwish: 0, convAffine: 0, preConvScale: 0, preConvBias: 0, nodesBefore: 0, nodesAfter: 0 };
  if (gi < 0) return { model, stats };
  const gf = decodeFields(top[gi].data);
  const g: GraphState = {
    nodes: [],
    dirty: new Set(),
    raws: [],
    inits: new Map(),
    newInits: new Map(),
    consts: new Map(),
    graphOutputs: new Set(),
    producer: new Map(),
    readers: new Map(),
  };
  for (const f of gf) {
    if (f.no === 1) {
      const n = decodeNode(f.data);
      g.nodes.push(n);
      g.raws.push(f.raw);
      if (n.op === 'Constant' && n.output.length === 1) {
        const v = n.attrs.get('value');
        const t = v ? attrValue(v).t : null;
        if (t) g.consts.set(n.output[0], t);
      }
    } else if (f.no === 5) {
      const t = decodeFloatTensor(f.data);
      const name = decodeFields(f.data).find((x) => x.no === 8);
      if (name) g.inits.set(text(name), t);
    } else if (f.no === 12) {
      const name = decodeFields(f.data).find((x) => x.no === 1);
      if (name) g.graphOutputs.add(text(name));
    }
  }
  stats.nodesBefore = g.nodes.length;
  index(g);
  foldAfterConv(g, stats);
  fuseHardSwish(g, stats);
  foldBeforeConv(g, stats);
  dropDeadConstants(g);
  stats.nodesAfter = g.nodes.filter(Boolean).length;
  if (!g.dirty.size) return { model, stats };

  // Re-encode the graph: nodes in their original order (rewrites keep producers before readers),
  // initializers no longer read are dropped, new ones appended (field order is free in protobuf).
  const live = new Set<string>();
  for (const n of g.nodes) if (n) for (const x of n.input) live.add(x);
  const parts: Uint8Array[] = [];
  let k = 0;
  for (const f of gf) {
    if (f.no === 1) {
      const n = g.nodes[k],
        i = k++;
      if (n) parts.push(g.dirty.has(i) ? fieldBytes(1, encodeNode(n)) : f.raw);
    } else if (f.no === 5) {
      const name = decodeFields(f.data).find((x) => x.no === 8);
      if (name && !live.has(text(name)) && g.inits.get(text(name))) continue;
      parts.push(f.raw);
    } else parts.push(f.raw);
  }
  for (const t of g.newInits.values()) if (live.has(t.name)) parts.push(fieldBytes(5, encodeFloatTensor(t)));
  const graph = concat(parts);
  const out = top.map((f: WireField, i) => (i === gi ? fieldBytes(7, graph) : f.raw));
  return { model: concat(out), stats };
}
