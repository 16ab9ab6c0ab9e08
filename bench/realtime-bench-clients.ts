// Child process of bench/realtime.bench.ts: holds N WebSocket clients of one server and records
// publish-to-delivery latencies (publications carry their send time `t`). Raw `ws` sockets speak
// the Centrifuge protocol (connect + subscribe in one frame, `{}` pong) to keep the generator light.
import WebSocket from 'ws';

const [url, countArg, hello] = process.argv.slice(2);
const n = Number(countArg);
const now = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send!(message);

let latencies: number[] = [];
let last = 0;

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

const sockets: WebSocket[] = [];
const batch = 500;
for (let start = 0; start < n; start += batch) {
  await Promise.all(
    Array.from({ length: Math.min(batch, n - start) }, () =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        sockets.push(ws);
        ws.on('error', reject);
        ws.on('message', (data) => {
          const text = data.toString();
          if (text === '{}') return void ws.send('{}');
          if (text.startsWith('{"push"')) return record(text);
          if (text.includes('"id":2')) resolve();
        });
        ws.on('open', () => (hello === 'none' ? resolve() : ws.send(hello)));
      }),
    ),
  );
}

process.on('message', async (message: { cmd: string; expected?: number; timeoutMs?: number }) => {
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
  if (message.cmd === 'stop') {
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), 200);
  }
});
send({ cmd: 'ready' });
