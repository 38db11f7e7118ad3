/**
 * A setting that cannot work, found while the service or a command starts: a plain error, not an
 * HTTP one, since no request is being answered. `setting` names the setting key or variable.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly setting?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
