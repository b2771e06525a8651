import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/**
 * Answers the callback now, with the given status and JSON body, and tells n8n to start no
 * execution (`noWebhookResponse` without `workflowData`). Used for every callback that must not
 * start the workflow: refused ones (401, 400) and ignored ones (200: filtered out, duplicate,
 * stale).
 */
export function answerWithoutStarting(
	context: IWebhookFunctions,
	statusCode: number,
	body: IDataObject,
): IWebhookResponseData {
	const res = context.getResponseObject();
	if (!res.headersSent) {
		res.writeHead(statusCode, { 'Content-Type': 'application/json; charset=utf-8' });
		res.end(JSON.stringify(body));
	}
	return { noWebhookResponse: true };
}
