/**
 * `Expect` request headers, answered as S3 answers them.
 *
 * - `Expect: 100-continue`: the interim `100 Continue` goes out only once the request has
 *   passed authentication and routing, so a refused upload never sends its body; its error
 *   goes out instead, and the connection is closed after it. Node would send the 100 at once
 *   unless the server handles 'checkContinue'.
 * - Any other expectation is ignored and the request served, as S3 does (Node would answer
 *   417 unless the server handles 'checkExpectation').
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const awaitingContinue = new WeakSet<ServerResponse>();

export function answerExpectations(server: Server, handler: Handler): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.add(res);
    handler(req, res);
  });
  server.on('checkExpectation', handler);
}

/** Sends the deferred `100 Continue` if this request is waiting for one; once at most. */
export function sendContinue(res: ServerResponse): void {
  if (awaitingContinue.delete(res)) res.writeContinue();
}
