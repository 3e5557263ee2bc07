import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The reference: a minimal Node pass-through proxy (no parsing, no routing, no usage), piping
 * the request to the upstream and the answer back, over a keep-alive agent. The gateway's goal
 * is a share of what this does on the same machine in the same run.
 */
const target = new URL(process.argv[2] ?? 'http://127.0.0.1:1');
const agent = new Agent({ keepAlive: true });

const server = createServer((req, res) => {
  const headers = { ...req.headers, host: target.host };
  delete headers.connection;
  const upstream = request(
    { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 60_000;
// Thousands of held streams arrive at once.
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
// A clean exit, so `node --cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
