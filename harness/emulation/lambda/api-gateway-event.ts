import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface IncomingRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQueryString: string;
  /** Header names as received; repeated headers already joined with commas. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly now: number;
  readonly pathParameters?: Readonly<Record<string, string>>;
}

const TEXT_TYPES = /^(application\/([a-z0-9.+-]+\+)?json|text\/|application\/(x-www-form-urlencoded|xml))/i;

/**
 * The event API Gateway's HTTP API (payload format 2.0) sends a Lambda integration: lower-cased
 * headers, cookies split out, the body as text, or base64 when its content type is not textual.
 */
export function toHttpApiEvent(request: IncomingRequest, routeKey: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'cookie')
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter((cookie) => cookie !== ''),
      );
    else headers[lower] = value;
  }
  const textual = TEXT_TYPES.test(headers['content-type'] ?? '');
  const hasBody = request.body.length > 0;
  const time = new Date(request.now);
  return {
    version: '2.0',
    routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQueryString,
    ...(cookies.length === 0 ? {} : { cookies }),
    headers,
    ...(request.rawQueryString === '' ? {} : { queryStringParameters: Object.fromEntries(new URLSearchParams(request.rawQueryString)) }),
    ...(request.pathParameters === undefined ? {} : { pathParameters: { ...request.pathParameters } }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey,
      stage: '$default',
      time: apiGatewayTime(time),
      timeEpoch: request.now,
    },
    ...(hasBody ? { body: textual ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !textual,
  };
}

/** `25/Nov/2026:11:37:26 +0000`, the format of requestContext.time. */
function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()] ?? 'Jan'}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
