import type { IDataObject } from 'n8n-workflow';

/**
 * The platform's field patterns are plain regular-expression text. The API reference shows them escaped
 * twice (`"^\\\\d{1,15}$"`, i.e. the text `^\\d{1,15}$`, which would demand a literal backslash); a live
 * account may send either form, so a doubled backslash is read as one. An unusable pattern is ignored
 * rather than blocking payouts: the platform checks the field again anyway.
 */
export function normaliseRegexp(regexp: unknown): RegExp | undefined {
	if (typeof regexp !== 'string' || regexp === '') return undefined;
	try {
		return new RegExp(regexp.replace(/\\\\/g, '\\'));
	} catch {
		return undefined;
	}
}

/** The services of a pre-request answer: entries with a `fields` list (the answer nests `methods` and `account` beside them). */
export function servicesOfPrerequest(body: IDataObject): IDataObject[] {
	const data = (body.data ?? {}) as IDataObject;
	const services = (data.services ?? {}) as IDataObject;
	return Object.values(services).filter(
		(entry): entry is IDataObject =>
			!!entry && typeof entry === 'object' && Array.isArray((entry as IDataObject).fields),
	);
}
