import ipaddr from 'ipaddr.js';

/**
 * Whether an outgoing webhook may connect to this address: only public unicast, unless private
 * destinations are allowed by configuration or the address is in an allowlisted CIDR.
 */
export function destinationAllowed(
  address: string,
  policy: { allowPrivate: boolean; allowCidrs: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]> },
): boolean {
  if (policy.allowPrivate) return true;
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress())
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (policy.allowCidrs.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits)))
    return true;
  return ip.range() === 'unicast';
}

/** Parses `10.0.0.0/8,192.168.1.5/32`; throws naming the bad entry. */
export function parseCidrList(text: string): Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      try {
        return ipaddr.parseCIDR(entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`);
      } catch {
        throw new Error(`"${entry}" is not an IP address or CIDR range`);
      }
    });
}
