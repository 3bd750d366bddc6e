// The live metrics endpoint: an HTTP server whose GET /metrics renders a snapshot of the run (or
// sweep) as it is now, in the classic text format or OpenMetrics as the scrape's Accept header asks.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CONTENT_TYPES, type MetricsSnapshot, negotiateFormat, renderExposition } from "./exposition.js";

export interface MetricsEndpoint {
  readonly host: string;
  /** The port listened on (the one chosen by the system when 0 was asked for). */
  readonly port: number;
  /** http://host:port/metrics */
  readonly url: string;
  /** Scrapes answered so far. */
  readonly scrapes: number;
  close(): Promise<void>;
}

/**
 * Listens on host:port and serves `snapshot()` at /metrics. Rejects with the listen error (its
 * `code`: EADDRINUSE, EACCES, EADDRNOTAVAIL, ENOTFOUND...) when the address cannot be had.
 */
export async function serveMetrics(options: {
  host: string;
  port: number;
  snapshot: () => Promise<MetricsSnapshot>;
}): Promise<MetricsEndpoint> {
  let scrapes = 0;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      response.end("method not allowed\n");
      return;
    }
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      response.end("dbsim live metrics: GET /metrics (OpenMetrics when the Accept header asks for it)\n");
      return;
    }
    if (path !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      response.end("not found: the metrics are at /metrics\n");
      return;
    }
    const format = negotiateFormat(request.headers.accept);
    let body: string;
    try {
      body = renderExposition(await options.snapshot(), format);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      response.end(`cannot collect the metrics: ${(error as Error).message}\n`);
      return;
    }
    scrapes++;
    response.writeHead(200, { "content-type": CONTENT_TYPES[format] });
    response.end(request.method === "HEAD" ? undefined : body);
  };
  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  const hostInUrl = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    host: options.host,
    port,
    url: `http://${hostInUrl}:${port}/metrics`,
    get scrapes() {
      return scrapes;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
