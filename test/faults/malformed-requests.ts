import OpenAI, { APIError } from 'openai';
import { RawConnection, rawExchange, requestHead, type RawResponse } from '../helpers/raw-http.js';

/**
 * The bad-input campaign's requests: each case sends one malformed request (through the `openai`
 * SDK when it can carry the fault, over a raw socket when no client would send it) and says what
 * the gateway must answer. A case's `expect` lists the allowed statuses; null is a connection the
 * server closed without an answer (how Node's HTTP parser treats some floods and broken framing).
 */
export interface Target {
  readonly port: number;
  readonly key: string;
  readonly client: OpenAI;
}

export interface Probe {
  status: number | null;
  /** The parsed JSON body when the answer was JSON; undefined otherwise. */
  json: unknown;
  ended: RawResponse['ended'] | 'sdk';
}

export interface MalformedCase {
  name: string;
  send(target: Target): Promise<Probe>;
  expect: ReadonlyArray<number | null>;
  /** The error code a JSON answer must carry. */
  code?: string;
}

const BODY_LIMIT = 64 * 1024;
const valid = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

function probeOf(response: RawResponse): Probe {
  let json: unknown;
  if ((response.headers['content-type'] ?? '').includes('json')) {
    try {
      json = JSON.parse(response.body.toString('utf8'));
    } catch {
      json = '<unparseable JSON>';
    }
  }
  return { status: response.status, json, ended: response.ended };
}

/**
 * A request over a raw socket with the key; Content-Length is added for a body unless the
 * headers already frame it (Content-Length or Transfer-Encoding).
 */
function rawRequest(method: string, path: string, headers: Record<string, string>, body?: string | Buffer) {
  return async (t: Target): Promise<Probe> => {
    const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const framed = Object.keys(headers).some((name) => /^(content-length|transfer-encoding)$/i.test(name));
    const all = { Authorization: `Bearer ${t.key}`, ...headers, ...(bytes !== undefined && !framed ? { 'Content-Length': String(bytes.length) } : {}) };
    const head = requestHead(method, path, all);
    return probeOf(bytes === undefined ? await rawExchange(t.port, head) : await rawExchange(t.port, head, bytes));
  };
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

/** A POST of `body` as JSON (or with the given headers instead). */
function rawPost(path: string, body: string | Buffer, headers: Record<string, string> = JSON_TYPE) {
  return rawRequest('POST', path, headers, body);
}

/** Raw bytes as they are (request line and all). */
function raw(...pieces: Array<string | Buffer>) {
  return async (t: Target): Promise<Probe> => probeOf(await rawExchange(t.port, ...pieces));
}

/** A JSON body the SDK sends as it is (it validates nothing): the gateway must refuse it. */
function sdkPost(path: string, body: unknown) {
  return async (t: Target): Promise<Probe> => {
    try {
      await t.client.post(path, { body });
      return { status: 200, json: undefined, ended: 'sdk' };
    } catch (error) {
      if (error instanceof APIError && error.status !== undefined) return { status: error.status, json: { error: error.error }, ended: 'sdk' };
      throw error;
    }
  };
}

function sdkWithKey(apiKey: string) {
  return async (t: Target): Promise<Probe> => {
    const client = new OpenAI({ baseURL: t.client.baseURL, apiKey, maxRetries: 0 });
    return sdkPost('/chat/completions', valid)({ ...t, client });
  };
}

/** Headers sent, then part of the declared body, then the connection cut. */
async function abortedUpload(t: Target): Promise<Probe> {
  const connection = new RawConnection(t.port);
  await connection.write(requestHead('POST', '/v1/chat/completions', { Authorization: `Bearer ${t.key}`, 'Content-Type': 'application/json', 'Content-Length': '5000' }));
  await connection.write('{"model":"m","messages":[{"role":"user","content":"');
  await new Promise((resolve) => setTimeout(resolve, 5));
  return probeOf(await connection.abort());
}

const deepContent = (depth: number) => `{"model":"r","messages":[{"role":"user","content":${'['.repeat(depth)}${']'.repeat(depth)}}]}`;
const invalidUtf8 = Buffer.concat([Buffer.from('{"model":"m","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}]}')]);
const big = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT + 6_000) }] });

export const MALFORMED_CASES: MalformedCase[] = [
  // Broken JSON
  { name: 'truncated JSON', send: rawPost('/v1/chat/completions', '{"model": "m",'), expect: [400], code: 'invalid_json' },
  { name: 'JSON with trailing garbage', send: rawPost('/v1/chat/completions', `${JSON.stringify(valid)} trailing`), expect: [400], code: 'invalid_json' },
  { name: 'single-quoted JSON', send: rawPost('/v1/responses', "{'model':'m','input':'hi'}"), expect: [400], code: 'invalid_json' },
  { name: 'not JSON at all', send: rawPost('/v1/embeddings', 'hello'), expect: [400], code: 'invalid_json' },
  { name: 'empty body', send: rawPost('/v1/chat/completions', ''), expect: [400], code: 'invalid_json' },
  { name: 'a JSON string as body', send: rawPost('/v1/chat/completions', '"x"'), expect: [400], code: 'invalid_json' },
  { name: 'a JSON number as body', send: rawPost('/v1/responses', '5'), expect: [400], code: 'invalid_json' },
  { name: 'JSON null as body', send: rawPost('/v1/chat/completions', 'null'), expect: [400], code: 'invalid_json' },
  { name: 'an array as body (SDK)', send: sdkPost('/chat/completions', [valid]), expect: [400], code: 'invalid_json' },
  // Wrong types (the SDK sends whatever it is given)
  { name: 'model: 5', send: sdkPost('/chat/completions', { ...valid, model: 5 }), expect: [400], code: 'invalid_type' },
  { name: 'model: an array', send: sdkPost('/responses', { model: ['m'], input: 'hi' }), expect: [400], code: 'invalid_type' },
  { name: 'no model', send: sdkPost('/chat/completions', { messages: valid.messages }), expect: [400], code: 'missing_required_parameter' },
  { name: 'messages: "x"', send: sdkPost('/chat/completions', { model: 'm', messages: 'x' }), expect: [400], code: 'invalid_type' },
  { name: 'messages: 5', send: sdkPost('/chat/completions', { model: 'm', messages: 5 }), expect: [400], code: 'invalid_type' },
  { name: 'messages: an object', send: sdkPost('/chat/completions', { model: 'm', messages: { role: 'user' } }), expect: [400], code: 'invalid_type' },
  { name: 'messages: [5]', send: sdkPost('/chat/completions', { model: 'm', messages: [5] }), expect: [400], code: 'invalid_type' },
  { name: 'no messages', send: sdkPost('/chat/completions', { model: 'm' }), expect: [400], code: 'missing_required_parameter' },
  { name: 'responses input: 5', send: sdkPost('/responses', { model: 'm', input: 5 }), expect: [400], code: 'invalid_type' },
  { name: 'embeddings input: an object', send: sdkPost('/embeddings', { model: 'm', input: { text: 'x' } }), expect: [400], code: 'invalid_type' },
  { name: 'stream: "yes"', send: sdkPost('/chat/completions', { ...valid, stream: 'yes' }), expect: [400], code: 'invalid_type' },
  { name: 'content nested 20,000 deep (re-serialised for the upstream model)', send: rawPost('/v1/chat/completions', deepContent(20_000)), expect: [400], code: 'invalid_json' },
  { name: 'unknown model', send: sdkPost('/chat/completions', { ...valid, model: 'no-such-model' }), expect: [404], code: 'model_not_found' },
  // Credentials
  { name: 'wrong API key', send: sdkWithKey('sk-wrong-key-0000000000000000000000'), expect: [401], code: 'invalid_api_key' },
  { name: 'no API key', send: raw(requestHead('POST', '/v1/chat/completions', { ...JSON_TYPE, 'Content-Length': '2' }), '{}'), expect: [401], code: 'invalid_api_key' },
  // Content type and encoding
  { name: 'no content type, broken body', send: rawPost('/v1/chat/completions', '{"model":', {}), expect: [400], code: 'invalid_json' },
  { name: 'no content type, messages: "x"', send: rawPost('/v1/chat/completions', '{"model":"m","messages":"x"}', {}), expect: [400], code: 'invalid_type' },
  { name: 'text/plain', send: rawPost('/v1/chat/completions', JSON.stringify(valid), { 'Content-Type': 'text/plain' }), expect: [400], code: 'unsupported_content_type' },
  { name: 'form-urlencoded', send: rawPost('/v1/responses', 'model=m&input=hi', { 'Content-Type': 'application/x-www-form-urlencoded' }), expect: [400], code: 'unsupported_content_type' },
  { name: 'multipart', send: rawPost('/v1/embeddings', '--x\r\n\r\nhi\r\n--x--', { 'Content-Type': 'multipart/form-data; boundary=x' }), expect: [400], code: 'unsupported_content_type' },
  { name: 'gzip that is not gzip', send: rawPost('/v1/chat/completions', JSON.stringify(valid), { ...JSON_TYPE, 'Content-Encoding': 'gzip' }), expect: [415], code: 'unsupported_encoding' },
  // Bytes
  { name: 'invalid UTF-8 in a string', send: rawPost('/v1/chat/completions', invalidUtf8), expect: [400], code: 'invalid_json' },
  { name: 'invalid UTF-8 between tokens', send: rawPost('/v1/chat/completions', Buffer.concat([Buffer.from('{"model":"m",'), Buffer.from([0xff]), Buffer.from('}')])), expect: [400], code: 'invalid_json' },
  // Sizes
  { name: 'body over server.bodyLimit', send: rawPost('/v1/chat/completions', big), expect: [413], code: 'request_too_large' },
  {
    name: 'chunked body over server.bodyLimit',
    send: rawPost('/v1/chat/completions', `${Buffer.byteLength(big).toString(16)}\r\n${big}\r\n0\r\n\r\n`, { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' }),
    expect: [413],
    code: 'request_too_large',
  },
  { name: 'a terabyte declared', send: rawPost('/v1/chat/completions', '{}', { ...JSON_TYPE, 'Content-Length': '1000000000000' }), expect: [413], code: 'request_too_large' },
  { name: '100 KB header', send: raw(requestHead('POST', '/v1/chat/completions', { 'X-Flood': 'a'.repeat(100 * 1024), 'Content-Length': '2' }), '{}'), expect: [431, null] },
  { name: '2,000 headers', send: raw(requestHead('GET', '/health', Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`X-H${i}`, 'vvvvvvvv'])))), expect: [431, null] },
  { name: '20 KB URL', send: raw(requestHead('GET', `/v1/${'a'.repeat(20 * 1024)}`)), expect: [431, 414, null] },
  // Routes and methods
  { name: 'unknown /v1 route', send: rawPost('/v1/nope', JSON.stringify(valid)), expect: [404], code: 'unknown_url' },
  { name: 'unknown model route', send: rawRequest('GET', '/v1/models/no-such-model', {}), expect: [404], code: 'model_not_found' },
  { name: 'GET on a POST route', send: rawRequest('GET', '/v1/chat/completions', {}), expect: [404], code: 'unknown_url' },
  { name: 'PUT /v1/responses', send: rawRequest('PUT', '/v1/responses', JSON_TYPE, JSON.stringify({ model: 'm', input: 'hi' })), expect: [404], code: 'unknown_url' },
  { name: 'DELETE /v1/embeddings', send: rawRequest('DELETE', '/v1/embeddings', {}), expect: [404], code: 'unknown_url' },
  { name: 'PATCH /v1/models', send: rawRequest('PATCH', '/v1/models', JSON_TYPE, '{}'), expect: [404], code: 'unknown_url' },
  { name: 'unknown top-level route', send: raw(requestHead('GET', '/nothing-here')), expect: [404], code: 'unknown_url' },
  { name: 'unknown method', send: raw('BREW /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n'), expect: [400, null] },
  // Framing
  { name: 'header line without a colon', send: raw('GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n'), expect: [400, null] },
  { name: 'NUL in a header value', send: raw('GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n'), expect: [400, null] },
  { name: 'Content-Length and Transfer-Encoding both', send: raw('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), expect: [400, null] },
  { name: 'broken chunk size', send: rawPost('/v1/chat/completions', 'zz\r\n{}\r\n0\r\n\r\n', { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' }), expect: [400, null] },
  { name: 'HTTP/9.9', send: raw('GET /health HTTP/9.9\r\nHost: x\r\n\r\n'), expect: [400, 505, null] },
  { name: 'aborted upload', send: abortedUpload, expect: [null] },
];
