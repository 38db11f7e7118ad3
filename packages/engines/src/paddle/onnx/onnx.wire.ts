/**
 * The little of the protobuf wire format that rewriting an ONNX graph needs: split a message into
 * its fields (keeping each field's exact bytes, so everything not rewritten is written back as it
 * was), and encode the few messages that are rewritten (nodes, attributes, float tensors).
 * Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto).
 */

export interface WireField {
  no: number;
  /** Wire type: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wt: number;
  /** Varint value (wire type 0). */
  int: number;
  /** Payload of a length-delimited or fixed field. */
  data: Uint8Array;
  /** The whole field as encoded (key included). */
  raw: Uint8Array;
}

function readVarint(b: Uint8Array, p: number): [number, number] {
  let r = 0,
    s = 1;
  for (;;) {
    if (p >= b.length) throw new Error('truncated varint');
    const x = b[p++];
    r += (x & 127) * s;
    if (x < 128) return [r, p];
    s *= 128;
  }
}

export function decodeFields(b: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let p = 0;
  while (p < b.length) {
    const start = p;
    let key: number;
    [key, p] = readVarint(b, p);
    const no = Math.floor(key / 8),
      wt = key & 7;
    let int = 0,
      data: Uint8Array = EMPTY;
    if (wt === 0) [int, p] = readVarint(b, p);
    else if (wt === 2) {
      let n: number;
      [n, p] = readVarint(b, p);
      data = b.subarray(p, p + n);
      p += n;
    } else if (wt === 5) {
      data = b.subarray(p, p + 4);
      p += 4;
    } else if (wt === 1) {
      data = b.subarray(p, p + 8);
      p += 8;
    } else throw new Error(`unsupported wire type ${wt}`);
    if (p > b.length) throw new Error('truncated field');
    out.push({ no, wt, int, data, raw: b.subarray(start, p) });
  }
  return out;
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();
const toUtf8 = new TextEncoder();

export function text(f: WireField): string {
  return utf8.decode(f.data);
}

function varint(n: number): number[] {
  const out: number[] = [];
  // int64 fields may be negative (two's complement over 10 bytes); ONNX dims and types never are.
  if (n < 0) throw new Error('negative varint');
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Concatenate encoded fields. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function fieldBytes(no: number, payload: Uint8Array): Uint8Array {
  return concat([Uint8Array.from([...varint(no * 8 + 2), ...varint(payload.length)]), payload]);
}
export function fieldString(no: number, s: string): Uint8Array {
  return fieldBytes(no, toUtf8.encode(s));
}
export function fieldVarint(no: number, n: number): Uint8Array {
  return Uint8Array.from([...varint(no * 8), ...varint(n)]);
}
export function fieldFloat(no: number, x: number): Uint8Array {
  const b = new Uint8Array(5 + 4);
  const key = varint(no * 8 + 5);
  b.set(key);
  new DataView(b.buffer).setFloat32(key.length, x, true);
  return b.subarray(0, key.length + 4);
}

// --- ONNX messages ------------------------------------------------------------------------------

export const TENSOR_FLOAT = 1;

export interface FloatTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

/** A TensorProto of 32-bit floats (raw_data or float_data), or null for any other kind. */
export function decodeFloatTensor(b: Uint8Array): FloatTensor | null {
  let name = '',
    type = 0;
  const dims: number[] = [];
  let raw: Uint8Array | null = null;
  const floats: Uint8Array[] = [];
  for (const f of decodeFields(b)) {
    if (f.no === 1) {
      if (f.wt === 0) dims.push(f.int);
      else {
        let p = 0;
        while (p < f.data.length) {
          let v: number;
          [v, p] = readVarint(f.data, p);
          dims.push(v);
        }
      }
    } else if (f.no === 2) type = f.int;
    else if (f.no === 8) name = text(f);
    else if (f.no === 9) raw = f.data;
    else if (f.no === 4) floats.push(f.data);
    else if (f.no === 13 || f.no === 14) return null; // external data
  }
  if (type !== TENSOR_FLOAT) return null;
  const bytes = raw ?? concat(floats);
  if (bytes.length % 4) return null;
  // Copy: the message bytes are not 4-byte aligned (and may be a view of a Node Buffer's pool).
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const data = new Float32Array(copy.buffer);
  if (data.length !== dims.reduce((a, d) => a * d, 1)) return null;
  return { name, dims, data };
}

export function encodeFloatTensor(t: FloatTensor): Uint8Array {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return concat([...t.dims.map((d) => fieldVarint(1, d)), fieldVarint(2, TENSOR_FLOAT), fieldString(8, t.name), fieldBytes(9, bytes)]);
}

export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  op: string;
  domain: string;
  /** Encoded AttributeProto messages, by attribute name. */
  attrs: Map<string, Uint8Array>;
}

export function decodeNode(b: Uint8Array): OnnxNode {
  const n: OnnxNode = { input: [], output: [], name: '', op: '', domain: '', attrs: new Map() };
  for (const f of decodeFields(b)) {
    if (f.no === 1) n.input.push(text(f));
    else if (f.no === 2) n.output.push(text(f));
    else if (f.no === 3) n.name = text(f);
    else if (f.no === 4) n.op = text(f);
    else if (f.no === 7) n.domain = text(f);
    else if (f.no === 5) {
      const name = decodeFields(f.data).find((a) => a.no === 1);
      if (name) n.attrs.set(text(name), f.data);
    }
  }
  return n;
}

export function encodeNode(n: OnnxNode): Uint8Array {
  return concat([
    ...n.input.map((s) => fieldString(1, s)),
    ...n.output.map((s) => fieldString(2, s)),
    fieldString(3, n.name),
    fieldString(4, n.op),
    ...[...n.attrs.values()].map((a) => fieldBytes(5, a)),
    ...(n.domain ? [fieldString(7, n.domain)] : []),
  ]);
}

/** AttributeProto of type FLOAT. */
export function floatAttr(name: string, x: number): Uint8Array {
  return concat([fieldString(1, name), fieldFloat(2, x), fieldVarint(20, 1)]);
}

/** Value of a FLOAT attribute, an INT attribute (as a number) or the tensor of a TENSOR attribute. */
export function attrValue(a: Uint8Array): { f?: number; i?: number; ints?: number[]; t?: FloatTensor | null } {
  const out: { f?: number; i?: number; ints?: number[]; t?: FloatTensor | null } = {};
  for (const f of decodeFields(a)) {
    if (f.no === 2 && f.wt === 5) out.f = new DataView(f.data.buffer, f.data.byteOffset, 4).getFloat32(0, true);
    else if (f.no === 3 && f.wt === 0) out.i = f.int;
    else if (f.no === 5) out.t = decodeFloatTensor(f.data);
    else if (f.no === 8) {
      out.ints ??= [];
      if (f.wt === 0) out.ints.push(f.int);
      else {
        let p = 0;
        while (p < f.data.length) {
          let v: number;
          [v, p] = readVarint(f.data, p);
          out.ints.push(v);
        }
      }
    }
  }
  return out;
}
