/**
 * Vitest global setup: holds the fixed redirect ports of the real platforms
 * (Instagram 8741, Facebook 8742, LinkedIn 8743, X 8976, Threads 8744, Pinterest 8745) for the whole run,
 * as another program on a user's or CI's machine may. A test that binds one
 * of them without meaning to fails here instead of on someone else's machine.
 * A port already held by something else is left alone: the point is only that
 * no test gets it.
 */
import { createServer, type Server } from 'node:net';

export const FIXED_PORTS = [8741, 8742, 8743, 8976, 8744, 8745];

function hold(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const srv = createServer((sock) => sock.destroy());
    srv.once('error', () => resolve(undefined));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(srv));
  });
}

export default async function setup(): Promise<() => Promise<void>> {
  const held = (await Promise.all(FIXED_PORTS.map(hold))).filter((s): s is Server => s !== undefined);
  return async () => {
    await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  };
}
