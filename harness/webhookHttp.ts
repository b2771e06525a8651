/**
 * Turns Node's plain `IncomingMessage` / `ServerResponse` into the express-like request and response n8n
 * hands to a webhook node (`this.getRequestObject()`, `getBodyData()`, `getResponseObject()` …), the way
 * n8n's webhook server middlewares do: the exact request bytes as `rawBody` (a Buffer), the body parsed by
 * content type (`application/json`, `application/x-www-form-urlencoded`, `text/plain`; anything else, and
 * an empty body, gives `{}`), `query`, `params`, `contentType` / `encoding` via n8n-core's own parser, and
 * on the response the express methods nodes call (`status`, `send`, `json`, `set`, `end`, …).
 * XML and multipart bodies are not parsed (n8n would); no PaymentsTrust callback uses them.
 */
import { parse as parseQueryString } from 'querystring';
import type { IncomingMessage, ServerResponse } from 'http';
import { parseIncomingMessage } from 'n8n-core';
import { jsonParse } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

export interface WebhookRequest extends IncomingMessage {
	body: unknown;
	rawBody: Buffer;
	query: IDataObject;
	params: Record<string, string>;
	path: string;
	// contentType / encoding: declared on IncomingMessage by n8n-workflow, set by parseIncomingMessage.
	readRawBody(): Promise<void>;
}

export interface WebhookResponse extends ServerResponse {
	status(code: number): this;
	sendStatus(code: number): this;
	set(name: string | Record<string, string>, value?: string | string[]): this;
	header(name: string | Record<string, string>, value?: string | string[]): this;
	type(contentType: string): this;
	send(body?: unknown): this;
	json(body: unknown): this;
}

/** A request body n8n could not parse; n8n answers 422 "Failed to parse request body". */
export class BodyParseError extends Error {}

function readAll(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** Reads the body and decorates `req` in place, so the node sees the same object n8n would give it. */
export async function toWebhookRequest(
	req: IncomingMessage,
	url: URL,
	params: Record<string, string>,
): Promise<WebhookRequest> {
	const request = req as WebhookRequest;
	parseIncomingMessage(req);
	const rawBody = await readAll(req);
	request.rawBody = rawBody;
	request.readRawBody = async () => {};
	request.query = parseQueryString(url.search.replace(/^\?/, '')) as IDataObject;
	request.params = params;
	request.path = url.pathname;
	request.body = {};
	if (rawBody.length) {
		const text = () =>
			rawBody.toString((request.encoding as BufferEncoding | undefined) ?? 'utf-8');
		try {
			if (request.contentType === 'application/json') {
				request.body = jsonParse(text());
			} else if (request.contentType === 'application/x-www-form-urlencoded') {
				request.body = parseQueryString(text(), undefined, undefined, { maxKeys: 1000 });
			} else if (request.contentType === 'text/plain') {
				request.body = text();
			}
		} catch (error) {
			throw new BodyParseError((error as Error).message);
		}
	}
	return request;
}

function setHeaders(
	res: ServerResponse,
	name: string | Record<string, string>,
	value?: string | string[],
) {
	if (typeof name === 'object') {
		for (const [key, v] of Object.entries(name)) res.setHeader(key, v);
	} else if (value !== undefined) {
		res.setHeader(name, value);
	}
}

/** Adds express's response helpers to `res` (only what nodes use; semantics follow express). */
export function toWebhookResponse(res: ServerResponse): WebhookResponse {
	const response = res as WebhookResponse;
	response.status = function (code) {
		this.statusCode = code;
		return this;
	};
	response.sendStatus = function (code) {
		this.statusCode = code;
		return this.send(String(code));
	};
	response.set = function (name, value) {
		setHeaders(this, name, value);
		return this;
	};
	response.header = response.set;
	response.type = function (contentType) {
		this.setHeader(
			'content-type',
			contentType.includes('/') ? contentType : `application/${contentType}`,
		);
		return this;
	};
	response.json = function (body) {
		if (!this.getHeader('content-type'))
			this.setHeader('content-type', 'application/json; charset=utf-8');
		return this.send(JSON.stringify(body));
	};
	response.send = function (body) {
		if (body === undefined || body === null) {
			this.end();
		} else if (Buffer.isBuffer(body)) {
			if (!this.getHeader('content-type'))
				this.setHeader('content-type', 'application/octet-stream');
			this.end(body);
		} else if (typeof body === 'object') {
			return this.json(body);
		} else {
			if (!this.getHeader('content-type'))
				this.setHeader('content-type', 'text/html; charset=utf-8');
			this.end(String(body));
		}
		return this;
	};
	return response;
}

/** Captures what is written to `res`, so a test can read every answer the server gave. */
export function captureBody(res: ServerResponse): () => Buffer {
	const chunks: Buffer[] = [];
	const keep = (chunk: unknown, encoding?: unknown) => {
		if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
		chunks.push(
			Buffer.isBuffer(chunk)
				? chunk
				: Buffer.from(
						chunk as string,
						typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf-8',
					),
		);
	};
	const write = res.write.bind(res);
	const end = res.end.bind(res);
	res.write = ((chunk: unknown, ...rest: unknown[]) => {
		keep(chunk, rest[0]);
		return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
	}) as typeof res.write;
	res.end = ((chunk?: unknown, ...rest: unknown[]) => {
		keep(chunk, rest[0]);
		return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
	}) as typeof res.end;
	return () => Buffer.concat(chunks);
}
