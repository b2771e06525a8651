/**
 * Test or live, always explicit: every invoice the node created must have said `test_mode` in its create request.
 * The sandbox records an invoice created without it as live (the unsafe reading) and marks it in its ledger; these
 * helpers read the ledger, never the node's output, so no path of the node can leave test_mode out unnoticed.
 */
import type { RunningSandbox } from '../../sandbox';

/** Fails naming every invoice whose create request left `test_mode` out, or whose mode is not `expectedTestMode`. */
export function expectEveryInvoiceModeExplicit(
	sandbox: RunningSandbox,
	expectedTestMode?: boolean,
): void {
	const created = sandbox.ledger().invoices.filter((invoice) => !invoice.seeded);
	expect(
		created.filter((invoice) => !invoice.testModeExplicit).map((invoice) => invoice.referenceId),
	).toEqual([]);
	if (expectedTestMode !== undefined) {
		expect(
			created
				.filter((invoice) => invoice.testMode !== expectedTestMode)
				.map((invoice) => invoice.referenceId),
		).toEqual([]);
	}
}

/**
 * Registers the check after every test of a suite (before the next reset). By default in Test: most suites use the
 * sandbox's credentials, whose Environment is Test, so every invoice must be a test invoice; 'any' checks only that
 * each invoice said its mode (suites that create invoices of both modes on purpose).
 */
export function checkModeAfterEachTest(
	getSandbox: () => RunningSandbox | undefined,
	expectedTestMode: boolean | 'any' = true,
): void {
	afterEach(() => {
		const sandbox = getSandbox();
		if (sandbox)
			expectEveryInvoiceModeExplicit(
				sandbox,
				expectedTestMode === 'any' ? undefined : expectedTestMode,
			);
	});
}
