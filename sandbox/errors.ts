/**
 * Error answers in the shapes the API reference shows. Most errors are a JSON:API `errors` array; validation
 * errors (422) are instead an object keyed by field, e.g. {"errors":{"amount":"This value should be greater than 0."}}.
 */
export interface ApiResult {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

const single = (status: number, entry: Record<string, string>): ApiResult => ({
	status,
	body: { errors: [entry] },
});

export const badRequest = (): ApiResult => single(400, { status: 'Bad Request', code: '400' });
export const unauthorized = (): ApiResult => single(401, { status: 'Unauthorized', code: '401' });
export const notFound = (): ApiResult => single(404, { status: 'Not Found', code: '404' });
export const methodNotAllowed = (): ApiResult =>
	single(405, { status: 'Method Not Allowed', code: '405' });
export const payloadTooLarge = (): ApiResult =>
	single(413, { status: 'Payload Too Large', code: '413' });

export const validationFailed = (errors: Record<string, string>): ApiResult => ({
	status: 422,
	body: { errors },
});

export const conflict = (
	title: 'duplicated_reference_id' | 'invalid_status',
	detail: string,
): ApiResult => single(409, { status: 'Conflict', code: '409', title, detail });

/**
 * 409 for a reused reference_id: the reference says the answer carries "an error message and the duplicate request
 * body"; the sandbox sends the error and the invoice already created under that reference, as `data`.
 */
export const duplicateReference = (detail: string, existing: unknown): ApiResult => ({
	status: 409,
	body: {
		errors: [{ status: 'Conflict', code: '409', title: 'duplicated_reference_id', detail }],
		data: existing,
	},
});

/** The reference shows only the 500; the others follow the same pattern. */
const SERVER_ERRORS: Record<number, [string, string]> = {
	500: ['internal_error', 'Internal server error.'],
	502: ['bad_gateway', 'Bad gateway.'],
	503: ['service_unavailable', 'Service temporarily unavailable.'],
	504: ['gateway_timeout', 'Gateway timeout.'],
};

export function serverError(status: 500 | 502 | 503 | 504): ApiResult {
	const [title, detail] = SERVER_ERRORS[status];
	return single(status, { status: title, code: String(status), title, detail });
}

export function tooManyRequests(retryAfterSeconds: number): ApiResult {
	return {
		...single(429, {
			status: 'Too Many Requests',
			code: '429',
			title: 'too_many_requests',
			detail: `Rate limit exceeded. Retry after ${retryAfterSeconds} s.`,
		}),
		headers: { 'retry-after': String(retryAfterSeconds) },
	};
}
