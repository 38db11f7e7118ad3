/**
 * The checks the server makes on an upload, made before sending so a person learns at once, in
 * plain words, why a file cannot be used (the server checks again; this only saves a round trip).
 * Browsers report an empty or odd `type` for some files (HEIC renamed, drag from some apps), so the
 * extension decides when the type is missing.
 */
export const ACCEPTED_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'pdf'] as const;
export const ACCEPTED_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'] as const;
export const DEFAULT_MAX_UPLOAD_MB = 10;
/** For <input accept>: extensions and types together, so pickers on every platform filter right. */
export const ACCEPT_ATTR = [...ACCEPTED_EXTENSIONS.map((e) => `.${e}`), ...ACCEPTED_TYPES].join(',');

export type UploadProblem = { kind: 'type' } | { kind: 'size'; sizeMb: number; maxMb: number } | { kind: 'empty' };

export function checkUpload(file: { name: string; type: string; size: number }, maxMb: number): UploadProblem | null {
  const ext = file.name.toLowerCase().split('.').pop() ?? '';
  const typeOk = file.type ? (ACCEPTED_TYPES as readonly string[]).includes(file.type) : false;
  const extOk = (ACCEPTED_EXTENSIONS as readonly string[]).includes(ext);
  if (!(typeOk || (!file.type && extOk))) return { kind: 'type' };
  if (file.size === 0) return { kind: 'empty' };
  if (file.size > maxMb * 1024 * 1024) return { kind: 'size', sizeMb: Math.round((file.size / 1024 / 1024) * 10) / 10, maxMb };
  return null;
}
