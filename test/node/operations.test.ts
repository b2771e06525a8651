/**
 * One source for the operations: the resource descriptions (each resource's Operation dropdown).
 * The router's table, the canvas subtitle and the operations tables of the README and
 * docs/operations.md must name every operation there is, and no other; an operation added without
 * its subtitle, its route or its docs row fails here.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { INodePropertyOptions } from 'n8n-workflow';

import { PaymentsTrust } from '../../nodes/PaymentsTrust/PaymentsTrust.node';
import { operations } from '../../nodes/PaymentsTrust/actions/router';
import { operationNames } from '../../nodes/PaymentsTrust/actions/subtitle';

const description = new PaymentsTrust().description;
const resourceProperty = description.properties.find((property) => property.name === 'resource')!;
const resources = (resourceProperty.options as INodePropertyOptions[]).map((option) => ({
	value: String(option.value),
	name: option.name,
}));
const names = operationNames(description.properties);

/** Every (resource, operation) of the node, in the editor's order. */
const everyOperation = resources.flatMap((resource) =>
	Object.entries(names[resource.value] ?? {}).map(([value, name]) => ({ resource, value, name })),
);

it('every resource has an Operation dropdown', () => {
	expect(
		resources.map((resource) => [resource.value, names[resource.value] !== undefined]),
	).toEqual(resources.map((resource) => [resource.value, true]));
	expect(everyOperation.length).toBeGreaterThan(0);
});

it("the router's table has exactly the operations of the dropdowns", () => {
	const routed = Object.fromEntries(
		Object.entries(operations).map(([resource, table]) => [resource, Object.keys(table).sort()]),
	);
	const offered = Object.fromEntries(
		Object.entries(names).map(([resource, byValue]) => [resource, Object.keys(byValue).sort()]),
	);
	expect(routed).toEqual(offered);
});

it('the canvas subtitle names every operation as the editor does', () => {
	const expression = description.subtitle!;
	expect(expression.startsWith('={{') && expression.endsWith('}}')).toBe(true);
	// The body is plain JavaScript over $parameter, as n8n evaluates it.
	const body = expression.slice('={{'.length, -'}}'.length);
	const subtitle = new Function('$parameter', `return (${body});`) as (
		parameter: Record<string, string>,
	) => unknown;
	for (const { resource, value, name } of everyOperation) {
		expect(subtitle({ resource: resource.value, operation: value })).toBe(
			`${name}: ${resource.name}`,
		);
	}
});

/** The (resource, operation) rows of the first "| Resource | Operation |" table of a page. */
function docsRows(page: string): string[] {
	const lines = readFileSync(join(__dirname, '..', '..', page), 'utf8').split('\n');
	const start = lines.findIndex((line) => /^\| Resource \| Operation \|/.test(line));
	expect(start).toBeGreaterThanOrEqual(0);
	const rows: string[] = [];
	for (const line of lines.slice(start + 2)) {
		if (!line.startsWith('|')) break;
		const [resource, operation] = line
			.split('|')
			.slice(1, 3)
			.map((cell) => cell.trim());
		rows.push(`${resource} → ${operation}`);
	}
	return rows;
}

it.each(['README.md', 'docs/operations.md'])(
	'%s has one operations table row per operation, in the editor’s order',
	(page) => {
		expect(docsRows(page)).toEqual(
			everyOperation.map(({ resource, name }) => `${resource.name} → ${name}`),
		);
	},
);
