/** Docker's value parsers (go-units, net): sizes, CPUs, IPs, CIDRs. */

const BINARY: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4, p: 1024 ** 5, pb: 1024 ** 5, pib: 1024 ** 5 };

/** go-units RAMInBytes: `4GiB`, `512m`, `1g` (binary multiples); null when invalid. */
export function ramInBytes(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?i?b?)$/i.exec(s.trim());
  if (!m) return null;
  const mult = BINARY[m[2]!.toLowerCase()];
  if (mult === undefined) return null;
  return Math.floor(parseFloat(m[1]!) * mult);
}

/** `--cpus 1.5` → NanoCPUs. */
export function nanoCpus(s: string): number | null {
  if (!/^\d+(\.\d+)?$/.test(s)) return null;
  return Math.round(parseFloat(s) * 1e9);
}

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && (p === '0' || !p.startsWith('0')));
}

export function ipToInt(s: string): number {
  return s.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.');
}

/** `10.0.0.0/8` → {base, bits}; null when not a canonical IPv4 CIDR. */
export function parseCidr(s: string): { base: number; bits: number } | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s);
  if (!m || !isIPv4(m[1]!) || Number(m[2]) > 32) return null;
  return { base: ipToInt(m[1]!), bits: Number(m[2]) };
}

/** go-units HumanSize in binary units with 4 significant digits, as `docker node inspect --pretty` prints memory. */
export function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}
