/**
 * The Content-Security-Policy of the pages the gateway serves itself (GraphiQL, the dashboard):
 * only this origin. Scripts and styles from the gateway, the admin API over fetch and WebSocket
 * (the socket origins are listed explicitly because older browsers do not count ws: as 'self'),
 * images and fonts from the gateway or inlined as data: URIs. Nothing from a CDN can load.
 */
export interface PagePolicyOptions {
  /** Allow inline `style` attributes and elements (GraphiQL sets them; the dashboard does not). */
  inlineStyles?: boolean;
}

export function sameOriginCsp(host: string | undefined, options: PagePolicyOptions = {}): string {
  // The Host header is client input: only a plain host[:port] may go into the header.
  const safeHost = host !== undefined && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? host : null;
  const sockets = safeHost === null ? '' : ` ws://${safeHost} wss://${safeHost}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self'${options.inlineStyles ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
