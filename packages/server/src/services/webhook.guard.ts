/**
 * Which webhook targets may be called (SSRF guard). Only http/https; the host is resolved and
 * every address it resolves to must be public unicast — loopback, RFC 1918 private, RFC 4193
 * unique-local, link-local, CGNAT, unspecified, broadcast, multicast, reserved and the cloud
 * metadata addresses are refused. OCRFLOW_WEBHOOK_ALLOW_PRIVATE=1 lets loopback/private/
 * link-local/CGNAT/unique-local through (never metadata, unspecified or multicast);
 * OCRFLOW_WEBHOOK_ALLOW_HOSTS lists host names (`hooks.internal`, `*.corp.example`), addresses or
 * CIDRs (`127.0.0.1/32`) that are allowed whatever their range.
 *
 * The check runs at submission and again before every attempt (DNS can change), and
 * `connectLookup()` is the resolver of the HTTP client itself: the connection can only be opened to
 * an address that passed the check at that very moment, so a DNS answer that changes between the
 * check and the connect (rebinding) cannot reach an internal address. IPv4-mapped, IPv4-compatible,
 * NAT64 and 6to4 IPv6 addresses are judged by the IPv4 address inside them.
 *
 * DNS lookups use libuv's thread pool, which file I/O shares; at most MAX_LOOKUPS run at once so
 * many slow resolvers cannot starve the job pipeline's disk writes.
 */
import dns from 'node:dns';
import ipaddr from 'ipaddr.js';

export interface TargetPolicy {
  allowPrivate: boolean;
  /** Host names, addresses or CIDRs. */
  allowHosts: readonly string[];
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (injectable: tests simulate a rebinding resolver). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const REFUSED_CODE = 'OCRFLOW_WEBHOOK_REFUSED';

export class TargetRefusedError extends Error {
  readonly code = REFUSED_CODE;
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

const MAX_LOOKUPS = 2;
const LOOKUP_TIMEOUT_MS = 5000;
/** Cloud instance metadata endpoints (AWS, GCP, Azure, …: 169.254.169.254; AWS IPv6: fd00:ec2::254). */
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254']);
/** Ranges OCRFLOW_WEBHOOK_ALLOW_PRIVATE opens. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'linkLocal', 'carrierGradeNat', 'uniqueLocal']);

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

const lookups = new Semaphore(MAX_LOOKUPS);

export const systemResolver: Resolver = (hostname) =>
  lookups.run(
    () =>
      new Promise<ResolvedAddress[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TargetRefusedError(`resolving ${hostname} took longer than ${LOOKUP_TIMEOUT_MS} ms`)), LOOKUP_TIMEOUT_MS);
        dns.lookup(hostname, { all: true, verbatim: true }, (err, addrs) => {
          clearTimeout(timer);
          if (err) reject(new TargetRefusedError(`${hostname} cannot be resolved (${err.code ?? err.message})`));
          else resolve(addrs.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
        });
      }),
  );

/** The IPv4 address inside an IPv6 one that only wraps it (mapped, NAT64 64:ff9b::/96, 6to4), else the address itself. */
function unwrap(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (addr.kind() !== 'ipv6') return addr;
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const range = v6.range();
  const b = v6.toByteArray();
  if (range === 'rfc6052') return ipaddr.fromByteArray(b.slice(12, 16)) as ipaddr.IPv4;
  if (range === '6to4') return ipaddr.fromByteArray(b.slice(2, 6)) as ipaddr.IPv4;
  // IPv4-compatible (::a.b.c.d, deprecated by RFC 4291 but still routed by some stacks): ::/96
  // apart from :: and ::1, which keep their own meaning.
  if (b.slice(0, 12).every((x) => x === 0) && (b[12] | b[13] | b[14]) !== 0) return ipaddr.fromByteArray(b.slice(12, 16)) as ipaddr.IPv4;
  return v6;
}

export class TargetGuard {
  private readonly hostNames: string[] = [];
  private readonly hostSuffixes: string[] = [];
  private readonly cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  /** `origin + pathname` of targets allowed exactly (see allowExactTarget). */
  private readonly exactTargets = new Set<string>();

  constructor(
    private readonly policy: TargetPolicy,
    private readonly resolver: Resolver = systemResolver,
  ) {
    for (const raw of policy.allowHosts) {
      const e = raw
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '');
      if (!e) continue;
      if (e.includes('/')) {
        if (!ipaddr.isValidCIDR(e)) throw new Error(`OCRFLOW_WEBHOOK_ALLOW_HOSTS: ${raw} is not a valid CIDR`);
        const [a, bits] = ipaddr.parseCIDR(e);
        this.cidrs.push([a, bits]);
      } else if (ipaddr.isValid(e)) {
        const a = ipaddr.parse(e);
        this.cidrs.push([a, a.kind() === 'ipv4' ? 32 : 128]);
      } else if (e.startsWith('*.')) this.hostSuffixes.push(e.slice(1));
      else this.hostNames.push(e);
    }
  }

  /** Why an address may not be called, or null when it may. */
  refusal(ip: string): string | null {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = ipaddr.parse(ip.replace(/%.*$/, ''));
    } catch {
      return `${ip} is not an IP address`;
    }
    const addr = unwrap(parsed);
    for (const [net, bits] of this.cidrs) {
      if (net.kind() === addr.kind() && addr.match(net as never, bits)) return null;
      if (net.kind() === parsed.kind() && parsed.match(net as never, bits)) return null;
    }
    const plain = addr.toString();
    if (METADATA.has(plain) || METADATA.has(parsed.toString())) return `${ip} is a cloud metadata address`;
    const range = addr.range();
    if (range === 'unicast') return null;
    if (this.policy.allowPrivate && PRIVATE_RANGES.has(range)) return null;
    return `${ip} is in a ${range} range${PRIVATE_RANGES.has(range) ? ' (set OCRFLOW_WEBHOOK_ALLOW_PRIVATE=1 or list it in OCRFLOW_WEBHOOK_ALLOW_HOSTS to allow it)' : ''}`;
  }

  private hostAllowed(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.hostNames.includes(h) || this.hostSuffixes.some((s) => h.endsWith(s));
  }

  /** Resolve `hostname` and keep the addresses that may be called; throws TargetRefusedError when none may. */
  async resolveAllowed(hostname: string): Promise<ResolvedAddress[]> {
    const host = hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host.replace(/%.*$/, ''))) {
      const why = this.refusal(host);
      if (why) throw new TargetRefusedError(why);
      return [{ address: host, family: host.includes(':') ? 6 : 4 }];
    }
    const addrs = await this.resolver(host);
    if (!addrs.length) throw new TargetRefusedError(`${host} resolves to no address`);
    if (this.hostAllowed(host)) return addrs;
    const ok = addrs.filter((a) => this.refusal(a.address) === null);
    if (!ok.length) throw new TargetRefusedError(`${host} resolves to ${addrs.map((a) => a.address).join(', ')}: ${this.refusal(addrs[0].address)}`);
    return ok;
  }

  /** The whole check of a URL: scheme, then every address. */
  async check(url: string | URL): Promise<ResolvedAddress[]> {
    let u: URL;
    try {
      u = typeof url === 'string' ? new URL(url) : url;
    } catch {
      throw new TargetRefusedError('not a URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TargetRefusedError(`${u.protocol} URLs are not allowed (only http and https)`);
    if (u.username || u.password) throw new TargetRefusedError('URLs with user-info (user:password@) are not allowed');
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (this.exactTargets.has(`${u.origin}${u.pathname}`) && ipaddr.isValid(host)) return [{ address: host, family: host.includes(':') ? 6 : 4 }];
    return this.resolveAllowed(u.hostname);
  }

  /**
   * Allow one exact target whatever its range: scheme, address, port and path must all match
   * (the embedded workbench's own webhook receiver on this process's loopback address).
   * Only IP-literal URLs are honoured, so no DNS answer and no other port or path of that host is
   * opened by it; OCRFLOW_WEBHOOK_ALLOW_PRIVATE stays off.
   */
  allowExactTarget(url: string): void {
    const u = new URL(url);
    this.exactTargets.add(`${u.origin}${u.pathname}`);
  }

  /**
   * A `lookup` for `net.connect` (via undici's connector): the connection is opened only to an
   * address that is allowed now. Supports both callback shapes (`all: true` under Node's
   * happy-eyeballs and the single-address one).
   */
  connectLookup(): (hostname: string, options: { all?: boolean; family?: number | string }, cb: (...args: unknown[]) => void) => void {
    return (hostname, options, cb) => {
      this.resolveAllowed(hostname).then(
        (addrs) => {
          const fam = options?.family === 4 || options?.family === 'IPv4' ? 4 : options?.family === 6 || options?.family === 'IPv6' ? 6 : 0;
          const usable = fam ? addrs.filter((a) => a.family === fam) : addrs;
          if (!usable.length) return cb(new TargetRefusedError(`${hostname} has no allowed IPv${fam} address`));
          if (options?.all) cb(null, usable);
          else cb(null, usable[0].address, usable[0].family);
        },
        (e) => cb(e),
      );
    };
  }
}
