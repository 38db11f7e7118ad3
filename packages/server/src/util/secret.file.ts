/**
 * A secret kept in a file that the first process to need it creates: exclusive creation (`wx`,
 * mode 0600, synced) so two processes starting at once on one directory end up with the same value,
 * which later starts read back. Used for the generated webhook secret and the session key.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';

/** The file's value (trimmed), creating it with `fresh()` if it does not exist yet. */
export async function readOrCreateSecret(file: string, fresh: () => string): Promise<{ value: string; created: boolean }> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const value = fresh();
  try {
    const fh = await fsp.open(file, 'wx', 0o600);
    try {
      await fh.writeFile(`${value}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { value, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return { value: (await fsp.readFile(file, 'utf8')).trim(), created: false };
}
