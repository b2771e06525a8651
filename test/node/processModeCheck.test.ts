/**
 * Process by ID checks the invoice's mode (issue 11) on the same read that decides whether to send the process
 * request (issue 12): one read per row, under the read rules. An answer about another invoice is a failed read
 * and asked again, never "an invoice of the other mode"; the ledger says what was paid.
 */
import { payoutParameters } from '../support/payoutWorkflow';
import { runNode } from '../support/runNode';
import { useSandboxBehindFront } from '../support/sandboxBehindFront';

const { sandbox, front, credentials } = useSandboxBehindFront();
const processById = {
	resource: 'payoutInvoice',
	operation: 'process',
	invoiceId: '={{ $json.id }}',
	options: {},
};

async function createInvoice(reference: string): Promise<string> {
	const run = await runNode(credentials(), payoutParameters('create'), [
		{ reference_id: reference, amount: '3.00', account: '1' },
	]);
	return String(run.json()[0].id);
}

it('reads the invoice once before its process request: the mode check and the status check are one read', async () => {
	const id = await createInvoice('once-1');
	front().forwarded.length = 0;
	const run = await runNode(credentials(), processById, [{ id }]);
	expect(run.json()[0]).toMatchObject({ id, processRequested: true, testMode: true });
	const post = front().forwarded.findIndex(
		(request) => request.startsWith('POST ') && request.endsWith(`/payout-invoices/${id}/process`),
	);
	expect(post).toBeGreaterThan(-1);
	expect(
		front()
			.forwarded.slice(0, post)
			.filter(
				(request) => request.startsWith('GET ') && request.endsWith(`/payout-invoices/${id}`),
			),
	).toHaveLength(1);
	expect(
		sandbox()
			.ledger()
			.invoices.find((invoice) => invoice.id === id),
	).toMatchObject({ processCommitted: 1 });
});

it('an answer about another invoice of the other mode is a failed read, asked again: never "wrong mode", and the row is paid', async () => {
	const id = await createInvoice('mixed-1');
	let served = 0;
	front().intercept = (res, path, method) => {
		if (method !== 'GET' || !path.endsWith(`/payout-invoices/${id}`) || served >= 1) return false;
		served++;
		res.writeHead(200, { 'content-type': 'application/vnd.api+json' });
		res.end(
			JSON.stringify({
				data: {
					type: 'payout-invoice',
					id: 'cpoi_someone_else',
					attributes: { status: 'created', test_mode: false },
				},
			}),
		);
		return true;
	};
	const run = await runNode(credentials(), processById, [{ id }]);
	expect(served).toBe(1);
	expect(run.json()[0]).toMatchObject({ id, processRequested: true, testMode: true });
	expect(run.json()[0].stage).toBeUndefined();
	expect(
		sandbox()
			.ledger()
			.invoices.find((invoice) => invoice.id === id),
	).toMatchObject({ processCommitted: 1 });
});
