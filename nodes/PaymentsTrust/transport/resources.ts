import type { IDataObject } from 'n8n-workflow';

import type { BodyCheck } from './request';

/**
 * What a JSON:API answer must hold before a read believes it (sendSafe's `accepts`): anything else
 * is an answer the node cannot read, never an empty list or an empty resource.
 */

/** A resource as the API sends it: an object with a non-empty string ID. */
export function isResource(value: unknown): value is IDataObject {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
	const id = (value as IDataObject).id;
	return typeof id === 'string' && id !== '';
}

/**
 * `{"data": {resource}}` about this very resource: `{}` or another resource's answer is a failed
 * read.
 */
export const hasResourceWithId =
	(id: string): BodyCheck =>
	(body) =>
		isResource(body.data) && body.data.id === id;

/** `{"data": [resources]}`: a list that really is a list of resources (an empty list included). */
export const hasResourceList: BodyCheck = (body) =>
	Array.isArray(body.data) && body.data.every(isResource);
