import { BlockList, isIP } from "node:net";

type Range = readonly [network: string, prefix: number, label: string];

/** Addresses outgoing calls must not reach unless allow-listed. Checked in order, so "cloud metadata" wins. */
const IPV4_RANGES: Range[] = [
  ["169.254.169.254", 32, "cloud metadata"],
  ["100.100.100.200", 32, "cloud metadata"], // Alibaba Cloud
  ["168.63.129.16", 32, "cloud metadata"], // Azure wire server: a public address only reachable inside Azure
  ["0.0.0.0", 8, "unspecified"],
  ["127.0.0.0", 8, "loopback"],
  ["10.0.0.0", 8, "private"],
  ["172.16.0.0", 12, "private"],
  ["192.168.0.0", 16, "private"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["169.254.0.0", 16, "link-local"],
  ["224.0.0.0", 4, "multicast"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.88.99.0", 24, "reserved"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["240.0.0.0", 4, "reserved"], // includes the broadcast address
];

const IPV6_RANGES: Range[] = [
  ["fd00:ec2::254", 128, "cloud metadata"], // AWS instance metadata over IPv6
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["fc00::", 7, "unique-local"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["ff00::", 8, "multicast"],
  ["::", 96, "reserved"], // IPv4-compatible addresses (deprecated)
  ["64:ff9b:1::", 48, "reserved"], // local-use NAT64
  ["100::", 64, "reserved"], // discard-only
  ["2001::", 32, "reserved"], // Teredo tunnels hide the IPv4 target
  ["2001:db8::", 32, "reserved"], // documentation
];

/** NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses lead to the IPv4 address they embed. */
function embeddedIn6([network, prefix, label]: Range): Range[] {
  const [a = 0, b = 0, c = 0, d = 0] = network.split(".").map(Number);
  const high = ((a << 8) | b).toString(16);
  const low = ((c << 8) | d).toString(16);
  return [
    [`64:ff9b::${high}:${low}`, 96 + prefix, label],
    [`2002:${high}:${low}::`, 16 + prefix, label],
  ];
}

/** One BlockList per label; IPv4 rules also match IPv4-mapped IPv6 (::ffff:a.b.c.d) in BlockList. */
const blocked: Array<{ label: string; list: BlockList }> = (() => {
  const byLabel = new Map<string, BlockList>();
  const add = ([network, prefix, label]: Range, family: "ipv4" | "ipv6") => {
    const list = byLabel.get(label) ?? new BlockList();
    list.addSubnet(network, prefix, family);
    byLabel.set(label, list);
  };
  for (const range of IPV4_RANGES) {
    add(range, "ipv4");
    for (const embedded of embeddedIn6(range)) add(embedded, "ipv6");
  }
  for (const range of IPV6_RANGES) add(range, "ipv6");
  return [...byLabel].map(([label, list]) => ({ label, list }));
})();

const familyOf = (address: string) => (isIP(address) === 4 ? "ipv4" : "ipv6");

/** Why `address` is not public ("loopback", "private", …), or null when it is. */
export function blockedLabel(address: string): string | null {
  if (!isIP(address)) return "invalid";
  return blocked.find(({ list }) => list.check(address, familyOf(address)))?.label ?? null;
}

interface AllowList {
  names: Set<string>;
  addresses: BlockList;
}

const parsedAllowLists = new WeakMap<readonly string[], AllowList>();

const normalizeHost = (host: string) => host.toLowerCase().replace(/\.$/, "");

function parseAllowList(entries: readonly string[]): AllowList {
  const cached = parsedAllowLists.get(entries);
  if (cached) return cached;
  const allowList: AllowList = { names: new Set(), addresses: new BlockList() };
  for (const entry of entries) {
    const [network = "", prefix] = entry.replace(/[[\]]/g, "").split("/");
    if (!isIP(network)) {
      allowList.names.add(normalizeHost(entry));
    } else if (prefix === undefined) {
      allowList.addresses.addAddress(network, familyOf(network));
    } else {
      const bits = /^\d+$/.test(prefix) ? Number(prefix) : NaN;
      if (!(bits <= (isIP(network) === 4 ? 32 : 128))) {
        throw new Error(`TOOL_ALLOWED_PRIVATE_HOSTS: "${entry}" is not a valid CIDR range`);
      }
      allowList.addresses.addSubnet(network, bits, familyOf(network));
    }
  }
  parsedAllowLists.set(entries, allowList);
  return allowList;
}

/** Whether outgoing calls may reach `address`: it is public, or an IP or CIDR entry of `allowList` covers it. */
export function isAddressAllowed(address: string, allowList: readonly string[]): boolean {
  if (blockedLabel(address) === null) return true;
  return isIP(address) !== 0 && parseAllowList(allowList).addresses.check(address, familyOf(address));
}

/** Whether `allowList` names `host` itself: such hosts are reached whatever they resolve to. */
export function isHostAllowListed(host: string, allowList: readonly string[]): boolean {
  return parseAllowList(allowList).names.has(normalizeHost(host));
}
