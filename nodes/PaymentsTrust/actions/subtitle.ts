import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** The options of an `options` parameter by value: what the editor shows for each value. */
function namesByValue(property: INodeProperties): Record<string, string> {
	return Object.fromEntries(
		((property.options ?? []) as INodePropertyOptions[]).map((option) => [
			String(option.value),
			option.name,
		]),
	);
}

/** Each resource's operations by value, read from the Operation dropdowns of `properties`. */
export function operationNames(
	properties: INodeProperties[],
): Record<string, Record<string, string>> {
	const names: Record<string, Record<string, string>> = {};
	for (const property of properties) {
		if (property.name !== 'operation' || property.type !== 'options') continue;
		for (const resource of (property.displayOptions?.show?.resource ?? []) as string[])
			names[resource] = { ...names[resource], ...namesByValue(property) };
	}
	return names;
}

/**
 * An object literal for an n8n expression, with a space before every closing brace: `}}` would end
 * the expression early.
 */
function literal(value: Record<string, unknown>): string {
	const entries = Object.entries(value).map(
		([key, entry]) =>
			`${JSON.stringify(key)}: ` +
			(typeof entry === 'object' && entry !== null
				? literal(entry as Record<string, unknown>)
				: JSON.stringify(entry)),
	);
	return `{ ${entries.join(', ')} }`;
}

/**
 * The canvas subtitle, "Get Many: Payout Invoice" rather than "getMany: payoutInvoice", built from
 * the Resource dropdown and every resource's Operation dropdown, so an operation added to a
 * resource has its subtitle.
 */
export function subtitleFor(resource: INodeProperties, properties: INodeProperties[]): string {
	return (
		`={{ (${literal(operationNames(properties))})[$parameter["resource"]][$parameter["operation"]]` +
		` + ": " + (${literal(namesByValue(resource))})[$parameter["resource"]] }}`
	);
}
