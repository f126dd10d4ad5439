// A small static server on 127.0.0.1 for pages that run the library: the `--runtime chrome` job page, the
// demo page and the test pages. Cross-origin isolated (COOP/COEP), so performance.now() has its fine
// resolution (5 us instead of 100 us) for the images/s figures; nothing cached.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a URL path serves: a content type and the body, read when asked. */
export interface ServedFile {
  type: string;
  body: () => Buffer | string;
}

/**
 * Serves `files` (by URL path, the query ignored; anything else is a 404) on `host`:`port` (0: a free port);
 * resolves once listening.
 *
 * @example
 * const { url, close } = await serveFiles({ '/': { type: 'text/html', body: () => '<p>hi</p>' } });
 */
export async function serveFiles(files: Record<string, ServedFile>, port = 0, host = '127.0.0.1'): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = Object.hasOwn(files, path) ? files[path] : undefined;
    let body: Buffer | string;
    try {
      if (!file) throw new Error('not served');
      body = file.body();
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, {
        'content-type': file.type,
        'cache-control': 'no-store',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      })
      .end(body);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host}:${address.port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}
