// The FakeNode's kubelet log endpoint: what each pod "wrote", served over HTTPS as a kubelet
// serves /containerLogs/{namespace}/{pod}/{container} (timestamps, tailLines, sinceTime,
// follow), which is where the API server's pods/log endpoint reads from. The certificate is
// self-signed: the test API server does not verify kubelets.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface LogLine { time: Date; text: string }

const END = '\u0000end';

export class KubeletLogs {
  private readonly lines = new Map<string, LogLine[]>();
  private readonly followers = new Map<string, Set<(line: LogLine) => void>>();
  private server: https.Server | undefined;

  constructor(private readonly namespace: string) {}

  has(pod: string): boolean {
    return this.lines.has(pod);
  }

  append(pod: string, text: string): void {
    const line = { time: new Date(), text };
    const lines = this.lines.get(pod) ?? [];
    lines.push(line);
    this.lines.set(pod, lines);
    for (const send of this.followers.get(pod) ?? []) send(line);
  }

  /** The pod is gone: its log too, and followed reads end. */
  end(pod: string): void {
    this.lines.delete(pod);
    for (const send of this.followers.get(pod) ?? []) send({ time: new Date(0), text: END });
    this.followers.delete(pod);
  }

  /** Starts serving; returns the port (the Node object's kubelet endpoint). */
  async listen(): Promise<number> {
    const { key, cert } = selfSignedCertificate();
    const server = (this.server = https.createServer({ key, cert }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://fake-kubelet');
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m || m[1] !== this.namespace) {
        res.writeHead(404).end('not found');
        return;
      }
      const pod = decodeURIComponent(m[2]);
      const timestamps = url.searchParams.get('timestamps') === 'true';
      const since = url.searchParams.get('sinceTime');
      const tail = url.searchParams.get('tailLines');
      const format = (l: LogLine) => `${timestamps ? `${l.time.toISOString()} ` : ''}${l.text}\n`;
      let lines = (this.lines.get(pod) ?? []).filter((l) => !since || l.time >= new Date(since));
      if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (const l of lines) res.write(format(l));
      if (url.searchParams.get('follow') !== 'true') {
        res.end();
        return;
      }
      const send = (l: LogLine) => (l.text === END ? res.end() : res.write(format(l)));
      const set = this.followers.get(pod) ?? new Set();
      set.add(send);
      this.followers.set(pod, set);
      res.on('close', () => set.delete(send));
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const pod of [...this.lines.keys()]) this.end(pod);
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

let certificate: { key: Buffer; cert: Buffer } | undefined;

function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  if (certificate) return certificate;
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-kubelet-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=fake-kubelet',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  certificate = { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  return certificate;
}
