// Child process of bench/realtime.bench.ts: holds WebSocket clients of one server and records
// publish-to-delivery latencies (publications carry their send time `t`) and when each socket closed.
// Raw `ws` sockets speak each server's protocol, so the same light generator drives all of them:
//   centrifuge — connect + subscribe in one frame, `{}` answered with `{}`, a frame's lines read one by one
//   socketio   — engine.io v4 over WebSocket: open `0{…}`, namespace connect `40`, ping `2` → pong `3`,
//                events `42[…]`
//   bare       — nothing to say; every message is a publication
// Arguments: url, protocol, and a JSON list of groups `{count, hello}` (a group per key, so the
// parent can ask when the sockets of one key closed).
import WebSocket from 'ws';

type Protocol = 'centrifuge' | 'socketio' | 'bare';
interface Group {
  readonly count: number;
  readonly hello: string;
}

const [url, protocolArg, groupsArg] = process.argv.slice(2);
const protocol = protocolArg as Protocol;
const groups = JSON.parse(groupsArg) as Group[];
const now = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send!(message);

let latencies: number[] = [];
let last = 0;
/** Per group: sockets closed and when the last of them did. */
const closes = groups.map(() => ({ closed: 0, last: 0 }));

function record(text: string): void {
  const match = /"t":([0-9.]+)/.exec(text);
  if (!match) return;
  const t = now();
  latencies.push(t - Number(match[1]));
  last = t;
}

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Opens one client; resolves once it is ready to receive publications. */
function open(group: number): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('close', () => {
      closes[group].closed += 1;
      closes[group].last = now();
    });
    ws.on('message', (data) => {
      const text = data.toString();
      if (protocol === 'bare') return record(text);
      if (protocol === 'centrifuge') {
        if (text === '{}') return void ws.send('{}');
        // One frame may carry several replies, one per line (Keygate batches a burst's publications).
        if (text.startsWith('{"push"')) {
          for (const line of text.split('\n')) record(line);
          return;
        }
        if (text.includes('"id":2')) resolve(ws);
        return;
      }
      if (text === '2') return void ws.send('3');
      if (text.startsWith('42')) return record(text);
      if (text.startsWith('0{')) return void ws.send('40');
      if (text.startsWith('40')) resolve(ws);
    });
    ws.on('open', () => {
      if (protocol === 'bare') resolve(ws);
      else if (protocol === 'centrifuge') ws.send(groups[group].hello);
    });
  });
}

const sockets: WebSocket[] = [];
const batch = 500;
for (let group = 0; group < groups.length; group++) {
  for (let start = 0; start < groups[group].count; start += batch) {
    const opened = await Promise.all(Array.from({ length: Math.min(batch, groups[group].count - start) }, () => open(group)));
    sockets.push(...opened);
  }
}

process.on('message', async (message: { cmd: string; expected?: number; timeoutMs?: number; group?: number }) => {
  if (message.cmd === 'reset') {
    latencies = [];
    last = 0;
    send({ cmd: 'reset' });
  }
  if (message.cmd === 'wait') {
    const end = Date.now() + message.timeoutMs!;
    while (latencies.length < message.expected! && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
    send({ cmd: 'waited', count: latencies.length, last, p50: percentile(latencies, 50), p99: percentile(latencies, 99) });
  }
  if (message.cmd === 'closes') {
    const group = closes[message.group!];
    const end = Date.now() + message.timeoutMs!;
    while (group.closed < groups[message.group!].count && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
    send({ cmd: 'closes', ...group });
  }
  if (message.cmd === 'stop') {
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), 200);
  }
});
send({ cmd: 'ready' });
