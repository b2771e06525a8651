import type { IDataObject } from 'n8n-workflow';

/**
 * The platform's field patterns are plain regular-expression text. The API reference shows them
 * escaped twice (`"^\\\\d{1,15}$"`, i.e. the text `^\\d{1,15}$`, which would demand a literal
 * backslash); a live account may send either form, so a doubled backslash is read as one. An
 * unusable pattern is ignored rather than blocking payouts: the platform checks the field again
 * anyway.
 */
export function normaliseRegexp(regexp: unknown): RegExp | undefined {
	if (typeof regexp !== 'string' || regexp === '') return undefined;
	try {
		return new RegExp(regexp.replace(/\\\\/g, '\\'));
	} catch {
		return undefined;
	}
}

/**
 * `{"data": {"services": {...}}}`: an answer that really is a pre-request's. A 200 without it
 * (`{}`, `{"data": []}`) is unreadable, never "no services" or "no field rules" (which would let
 * rows through unchecked).
 */
export function isPrerequestAnswer(body: IDataObject): boolean {
	const data = body.data;
	if (!data || typeof data !== 'object' || Array.isArray(data)) return false;
	const services = (data as IDataObject).services;
	// An account with no service for the currency may well answer an empty list: PHP writes an empty
	// map as [].
	return !!services && typeof services === 'object';
}

/**
 * The services of a pre-request answer: entries with a `fields` list (the answer nests `methods`
 * and `account` beside them).
 */
export function servicesOfPrerequest(body: IDataObject): IDataObject[] {
	const data = (body.data ?? {}) as IDataObject;
	const services = (data.services ?? {}) as IDataObject;
	return Object.values(services).filter(
		(entry): entry is IDataObject =>
			!!entry && typeof entry === 'object' && Array.isArray((entry as IDataObject).fields),
	);
}

/** Simple patterns said in words: the shapes the platform's digit fields use. */
function patternInWords(pattern: RegExp): string | undefined {
	const digits = /^\^(\\\+\?)?\\d\{(\d+)(?:,(\d+))?\}\$$/.exec(pattern.source);
	if (!digits) return undefined;
	const [, plus, min, max] = digits;
	const count = max === undefined ? `${min} digits` : `${min} to ${max} digits`;
	return plus ? `${count}, optionally starting with +` : count;
}

/**
 * Why a value breaks a field rule, the way the service itself words it: its label and hint ("does
 * not fit Account: 1 to 15 digits"). When the hint only repeats the label, a simple digit pattern
 * is said in words; otherwise the label alone, never the raw regular expression (that goes into the
 * error's details).
 */
export function describeFieldRule(field: {
	key: string;
	label?: string;
	hint?: string;
	pattern?: RegExp;
}): string {
	const label = field.label || field.key;
	const hint =
		field.hint && field.hint.trim() !== '' && field.hint.trim() !== label
			? field.hint.trim()
			: undefined;
	const words = hint ?? (field.pattern ? patternInWords(field.pattern) : undefined);
	return words ? `does not fit ${label}: ${words}` : `is not a valid ${label} for this service`;
}
