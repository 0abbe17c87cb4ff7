/**
 * The trunk ACL (SIP_TRUNK_ACL): the source addresses allowed to place calls without
 * digest. Entries are IPv4 or IPv6 addresses, CIDR blocks of either, or `*`; matching is
 * Node's `net.BlockList`, so an IPv4 peer seen on a dual-stack socket as ::ffff:a.b.c.d
 * matches its IPv4 entry.
 */
import { BlockList, isIP } from 'node:net';

const family = (address: string): 'ipv4' | 'ipv6' | undefined => {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
};

/** Why `entry` is not an ACL entry, or undefined when it is one. */
export function aclEntryProblem(entry: string): string | undefined {
  if (entry === '*') return undefined;
  const [net = '', bits, extra] = entry.split('/');
  const type = family(net);
  if (!type || extra !== undefined) return `"${entry}" is not an IP address or CIDR block (IPv4 or IPv6)`;
  if (bits === undefined) return undefined;
  const max = type === 'ipv4' ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `"${entry}" has a prefix length outside 0-${max}`;
  return undefined;
}

export class TrunkAcl {
  private readonly list = new BlockList();
  private readonly any: boolean;

  /** Throws on an entry that is not an address, a CIDR block or `*` (the settings reader checks them first). */
  constructor(entries: readonly string[]) {
    this.any = entries.includes('*');
    for (const entry of entries) {
      if (entry === '*') continue;
      const problem = aclEntryProblem(entry);
      if (problem) throw new Error(`SIP_TRUNK_ACL: ${problem}.`);
      const [net = '', bits] = entry.split('/');
      const type = family(net) as 'ipv4' | 'ipv6';
      if (bits === undefined) this.list.addAddress(net, type);
      else this.list.addSubnet(net, Number(bits), type);
    }
  }

  /** Whether a peer at `address` (as the socket reports it) is in the ACL. */
  allows(address: string): boolean {
    if (this.any) return true;
    const type = family(address);
    return type !== undefined && this.list.check(address, type);
  }
}

/** Whether `address` is in one of the ACL entries (a one-off check; the endpoint keeps a TrunkAcl). */
export function aclAllows(acl: readonly string[], address: string): boolean {
  return new TrunkAcl(acl).allows(address);
}
