import { isUtf8 } from 'node:buffer';
import type { Request } from 'express';
import { GatewayError, invalidRequest } from '../shared/errors.js';

export interface JsonBody {
  readonly raw: Buffer;
  readonly json: Record<string, unknown>;
}

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i;
const UNIT: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Bytes in a `server.bodyLimit` string (`50mb`); the schema guarantees the format. */
export function parseByteSize(text: string): number {
  const match = SIZE_RE.exec(text.trim());
  if (match === null) throw new Error(`invalid size '${text}'`);
  return Math.floor(Number(match[1]) * UNIT[match[2].toLowerCase()]);
}

export function tooLarge(limitText: string): GatewayError {
  return new GatewayError(413, 'invalid_request_error', 'request_too_large', `Request body is larger than the gateway's limit of ${limitText} (server.bodyLimit).`);
}

/**
 * Reads the request body once, as bytes (forwarded untouched when possible) and parsed JSON.
 * Refuses early: a declared Content-Length over the limit is rejected before reading, a body
 * that grows past it stops being buffered at once.
 */
export async function readJsonBody(req: Request, limitBytes: number, limitText: string): Promise<JsonBody> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw invalidRequest(`Unsupported Content-Type '${type}': send the body as JSON with 'Content-Type: application/json'.`, null, 'unsupported_content_type');
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    throw new GatewayError(415, 'invalid_request_error', 'unsupported_encoding', `Unsupported Content-Encoding '${encoding}': send the body uncompressed.`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitText);
  const raw = await readRaw(req, limitBytes, limitText);
  if (raw.length === 0) throw invalidRequest('The request body is empty; send a JSON object.', null, 'invalid_json');
  // Decoding would quietly turn broken bytes into U+FFFD, and the raw bytes are what is forwarded.
  if (!isUtf8(raw)) throw invalidRequest('The request body is not valid UTF-8; JSON must be sent as UTF-8.', null, 'invalid_json');
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidRequest('We could not parse the JSON body of your request. The body must be valid JSON.', null, 'invalid_json');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidRequest('The request body must be a JSON object.', null, 'invalid_json');
  }
  return { raw, json: json as Record<string, unknown> };
}

function readRaw(req: Request, limitBytes: number, limitText: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        // Node drains the rest after the 413 is sent, keeping the connection usable.
        reject(tooLarge(limitText));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new GatewayError(400, 'invalid_request_error', 'request_aborted', 'The request body could not be read.', { cause: error }));
    };
    const onAborted = () => onError(new Error('aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
