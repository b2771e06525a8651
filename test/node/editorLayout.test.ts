/**
 * What the editor shows before anything runs, read from the node descriptions as n8n reads them:
 * where Simplify sits, that picker mode names fit n8n's mode selector, and that the Trigger says in
 * view which secret keys it needs. The real editor check (e2e/lib/editor.ts) looks at the same
 * things in a browser.
 */
import type { INodeProperties } from 'n8n-workflow';

import { PaymentsTrust } from '../../nodes/PaymentsTrust/PaymentsTrust.node';
import { PaymentsTrustTrigger } from '../../nodes/PaymentsTrustTrigger/PaymentsTrustTrigger.node';

const properties = new PaymentsTrust().description.properties;

/** The parameters the editor lists for one operation of one resource, in the order it lists them. */
function shownFor(resource: string, operation: string): INodeProperties[] {
	return properties.filter((property) => {
		const show = property.displayOptions?.show;
		return (
			(show?.resource as string[] | undefined)?.includes(resource) &&
			(show?.operation as string[] | undefined)?.includes(operation)
		);
	});
}

it('Simplify sits above every collection on each operation that has it', () => {
	const withSimplify = ['create', 'createAndProcess', 'get', 'getMany', 'process'];
	for (const operation of withSimplify) {
		const shown = shownFor('payoutInvoice', operation);
		const simplify = shown.findIndex((property) => property.name === 'simplify');
		const firstCollection = shown.findIndex((property) =>
			['collection', 'fixedCollection'].includes(property.type),
		);
		expect({ operation, simplify: simplify >= 0 }).toEqual({ operation, simplify: true });
		expect({ operation, aboveCollections: simplify < firstCollection }).toEqual({
			operation,
			aboveCollections: true,
		});
	}
	// Validate has its own output (valid, cost preview): no Simplify there.
	expect(shownFor('payoutInvoice', 'validate').map((property) => property.name)).not.toContain(
		'simplify',
	);
});

it('every picker mode name is no longer than "From List", so the mode selector shows it whole', () => {
	const locators = properties.filter((property) => property.type === 'resourceLocator');
	expect(locators.length).toBeGreaterThan(0);
	for (const locator of locators) {
		for (const mode of locator.modes ?? []) {
			expect({
				mode: mode.displayName,
				fits: mode.displayName.length <= 'From List'.length,
			}).toEqual({ mode: mode.displayName, fits: true });
		}
	}
});

it('the Trigger says in view (a notice, not a tooltip) which secret keys it needs', () => {
	const notices = new PaymentsTrustTrigger().description.properties.filter(
		(property) => property.type === 'notice' && !property.displayOptions,
	);
	const text = notices.map((notice) => notice.displayName).join('\n');
	expect(text).toContain('Test Secret Key');
	expect(text).toContain('Live Secret Key');
	expect(text).toMatch(/once you pay for real/);
});
