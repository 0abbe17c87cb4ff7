/**
 * HTTP Digest authentication of SIP peers (RFC 3261 §22, RFC 2617 MD5 with qop=auth),
 * for trunks that come from addresses outside the ACL. Nonces are signed timestamps, so
 * no per-challenge state is kept and a stale nonce is simply challenged again.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const NONCE_TTL_MS = 5 * 60_000;

export interface DigestCredentials {
  user: string;
  password: string;
  realm: string;
}

export class DigestVerifier {
  private readonly secret = randomBytes(16);
  constructor(private readonly creds: DigestCredentials) {}

  challenge(): string {
    const ts = Date.now().toString(16);
    const sig = createHmac('sha256', this.secret).update(ts).digest('hex').slice(0, 16);
    return `Digest realm="${this.creds.realm}", nonce="${ts}${sig}", algorithm=MD5, qop="auth"`;
  }

  private nonceValid(nonce: string): boolean {
    const ts = nonce.slice(0, -16);
    const sig = createHmac('sha256', this.secret).update(ts).digest('hex').slice(0, 16);
    return sig === nonce.slice(-16) && Date.now() - Number.parseInt(ts, 16) < NONCE_TTL_MS;
  }

  /** True when `header` (an Authorization value) answers one of our challenges for `method`. */
  verify(method: string, header: string | undefined): boolean {
    if (!header || !/^Digest\s/i.test(header)) return false;
    const p: Record<string, string> = {};
    for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[(m[1] as string).toLowerCase()] = m[2] ?? m[3] ?? '';
    if (p.username !== this.creds.user || p.realm !== this.creds.realm || !p.nonce || !p.uri || !p.response) return false;
    if (!this.nonceValid(p.nonce)) return false;
    const ha1 = md5(`${this.creds.user}:${this.creds.realm}:${this.creds.password}`);
    const ha2 = md5(`${method}:${p.uri}`);
    const expected = p.qop ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
    const a = Buffer.from(expected);
    const b = Buffer.from(p.response.toLowerCase());
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
