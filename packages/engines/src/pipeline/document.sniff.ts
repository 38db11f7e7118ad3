/**
 * File type by magic bytes, never by name or declared Content-Type: a text file renamed `.png`
 * is refused before any decoder sees it.
 */
import type { SupportedMime } from '../types.ts';

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The supported type of `b`, or null. */
export function sniffMime(b: Uint8Array): SupportedMime | null {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (startsWith(b, ascii('BM')) && b.length >= 26) return 'image/bmp';
  // PDF readers accept the header anywhere in the first 1024 bytes (ISO 32000-1, annex H).
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(1024, b.length)).toString('latin1');
  if (head.includes('%PDF-')) return 'application/pdf';
  return null;
}
