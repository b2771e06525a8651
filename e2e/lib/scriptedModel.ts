/**
 * A scripted OpenAI-compatible chat model on 127.0.0.1, for driving n8n's AI Agent without any network: n8n's
 * OpenAI credential has a base URL (`url`) that points here. It answers `GET /v1/models` and
 * `POST /v1/chat/completions` (JSON, or server-sent events when the request asks for `stream: true`).
 *
 * The user message names a script (`script:<name>`); each script is the list of tool calls the "model" makes,
 * one per turn: the n-th call goes out after the n-th tool result came back, then a final text answer. Every
 * request is recorded, with the tools n8n offered and the tool results it sent back, for the checks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedCall {
	/** The tool's name as n8n offers it (the node name, non-alphanumerics as `_`). */
	tool: string;
	args: Record<string, unknown>;
}

interface ChatMessage {
	role: string;
	content?: unknown;
	tool_call_id?: string;
}

export interface RecordedTurn {
	script: string;
	/** Names of the tools n8n offered in this request. */
	tools: string[];
	/** Descriptions of the offered tools, by name. */
	toolDescriptions: Record<string, string>;
	/** Tool results n8n sent back so far, in order (their text). */
	toolResults: string[];
	/** What the model answered: a tool call or the final text. */
	answered: ScriptedCall | { text: string };
	stream: boolean;
}

export interface ScriptedModel {
	baseUrl: string;
	turns: RecordedTurn[];
	/** The tool results of the last turn of each run of `script`, one list per run. */
	resultsOf(script: string): string[][];
	close(): Promise<void>;
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content))
		return content
			.map((part) =>
				typeof part === 'string' ? part : String((part as { text?: unknown }).text ?? ''),
			)
			.join('');
	return content === undefined || content === null ? '' : JSON.stringify(content);
}

let callCounter = 0;

function completion(answer: ScriptedCall | { text: string }) {
	const message =
		'text' in answer
			? { role: 'assistant', content: answer.text }
			: {
					role: 'assistant',
					content: null,
					tool_calls: [
						{
							id: `call_${++callCounter}`,
							type: 'function',
							function: { name: answer.tool, arguments: JSON.stringify(answer.args) },
						},
					],
				};
	return {
		id: `chatcmpl-scripted-${callCounter}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: 'scripted',
		choices: [{ index: 0, message, finish_reason: 'text' in answer ? 'stop' : 'tool_calls' }],
		usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
	};
}

/** The same answer as server-sent events: one delta chunk, one finishing chunk, [DONE]. */
function streamed(answer: ReturnType<typeof completion>): string {
	const choice = answer.choices[0];
	const message = choice.message as {
		role: string;
		content: string | null;
		tool_calls?: Array<Record<string, unknown>>;
	};
	const delta = {
		role: 'assistant',
		content: message.content,
		...(message.tool_calls
			? { tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) }
			: {}),
	};
	const base = {
		id: answer.id,
		object: 'chat.completion.chunk',
		created: answer.created,
		model: answer.model,
	};
	const chunks = [
		{ ...base, choices: [{ index: 0, delta, finish_reason: null }] },
		{
			...base,
			choices: [{ index: 0, delta: {}, finish_reason: choice.finish_reason }],
			usage: answer.usage,
		},
	];
	return chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('') + 'data: [DONE]\n\n';
}

export async function startScriptedModel(
	scripts: Record<string, ScriptedCall[]>,
): Promise<ScriptedModel> {
	const turns: RecordedTurn[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const send = (status: number, body: unknown) => {
				res.writeHead(status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(body));
			};
			if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
				send(200, { object: 'list', data: [{ id: 'scripted', object: 'model', owned_by: 'e2e' }] });
				return;
			}
			if (req.method !== 'POST' || !req.url?.startsWith('/v1/chat/completions')) {
				send(404, { error: { message: `no route ${req.method} ${req.url}` } });
				return;
			}
			let body: {
				messages?: ChatMessage[];
				tools?: Array<{ function?: { name?: string; description?: string } }>;
				stream?: boolean;
			};
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			} catch {
				send(400, { error: { message: 'body is not JSON' } });
				return;
			}
			const messages = body.messages ?? [];
			const userText = messages
				.filter((message) => message.role === 'user')
				.map((message) => textOf(message.content))
				.join('\n');
			const script = /script:([\w-]+)/.exec(userText)?.[1] ?? '';
			const steps = scripts[script];
			const toolResults = messages
				.filter((message) => message.role === 'tool')
				.map((message) => textOf(message.content));
			const tools = (body.tools ?? []).map((tool) => tool.function?.name ?? '');
			let answered: ScriptedCall | { text: string };
			if (!steps) answered = { text: `no script named "${script}"` };
			else if (toolResults.length < steps.length) {
				const next = steps[toolResults.length];
				answered = tools.includes(next.tool)
					? next
					: { text: `TOOL MISSING: n8n offered [${tools.join(', ')}], not ${next.tool}` };
			} else answered = { text: `done: ${script}` };
			turns.push({
				script,
				tools,
				toolDescriptions: Object.fromEntries(
					(body.tools ?? []).map((tool) => [
						tool.function?.name ?? '',
						tool.function?.description ?? '',
					]),
				),
				toolResults,
				answered,
				stream: body.stream === true,
			});
			const answer = completion(answered);
			if (body.stream === true) {
				res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
				res.end(streamed(answer));
			} else send(200, answer);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	// The suite's own process must not stay alive for this server.
	server.unref();
	const port = (server.address() as AddressInfo).port;
	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		turns,
		resultsOf: (script) =>
			turns
				.filter((turn) => turn.script === script && 'text' in turn.answered)
				.map((turn) => turn.toolResults),
		close: async () =>
			await new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
