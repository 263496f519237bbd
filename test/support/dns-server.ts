import { createSocket, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

/** What the server does for a name: answer with addresses, say it does not exist, or never answer. */
export type DnsBehaviour = { addresses: string[]; ttl?: number } | 'nxdomain' | 'hang';

const TYPE_A = 1;
const TYPE_AAAA = 28;

/**
 * A tiny authoritative DNS server on UDP loopback for tests (A and AAAA only): `zone(name)` decides each
 * answer. Counts the queries per name, so a test can see the resolver's cache at work.
 */
export class TestDnsServer {
  private socket: Socket | null = null;
  readonly queries = new Map<string, number>();

  constructor(private readonly zone: (name: string) => DnsBehaviour) {}

  async start(): Promise<this> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, peer) => {
      const reply = this.reply(msg);
      if (reply) socket.send(reply, peer.port, peer.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    this.socket = socket;
    return this;
  }

  /** `127.0.0.1:<port>`, as DNS_SERVERS takes it. */
  get address(): string {
    return `127.0.0.1:${this.socket?.address().port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
    this.socket = null;
  }

  private reply(msg: Buffer): Buffer | null {
    if (msg.length < 12) return null;
    let offset = 12;
    const labels: string[] = [];
    while (offset < msg.length && msg[offset] !== 0) {
      const len = msg[offset];
      labels.push(msg.subarray(offset + 1, offset + 1 + len).toString('ascii'));
      offset += len + 1;
    }
    offset += 1;
    const qtype = msg.readUInt16BE(offset);
    const question = msg.subarray(12, offset + 4);
    const name = labels.join('.').toLowerCase();
    this.queries.set(name, (this.queries.get(name) ?? 0) + 1);
    const behaviour = this.zone(name);
    if (behaviour === 'hang') return null;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    const rd = msg[2] & 0x01;
    header[2] = 0x84 | rd; // QR, AA, RD as asked
    header[3] = behaviour === 'nxdomain' ? 0x03 : 0x00;
    header.writeUInt16BE(1, 4);
    if (behaviour === 'nxdomain') return Buffer.concat([header, question]);
    const wanted = behaviour.addresses.filter((a) =>
      qtype === TYPE_A ? isIPv4(a) : qtype === TYPE_AAAA && isIPv6(a),
    );
    header.writeUInt16BE(wanted.length, 6);
    const answers = wanted.map((address) => {
      const rdata = qtype === TYPE_A ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // the question's name
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(behaviour.ttl ?? 60, 6);
      rr.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([rr, rdata]);
    });
    return Buffer.concat([header, question, ...answers]);
  }
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
