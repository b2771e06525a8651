import { startSandbox, type RunningSandbox } from '../../sandbox';
import { runWorkflow } from '../harness/runWorkflow';
import { payoutParameters, paymentsTrustWorkflow, PT_NODE } from '../support/payoutWorkflow';

let sandbox: RunningSandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, processDelayMs: 20 });
});
afterAll(async () => sandbox.close());

it('creates and processes payouts', async () => {
	const rows = [
		{ reference_id: 'smoke-1', amount: '10.50', account: '12345' },
		{ reference_id: 'smoke-2', amount: '20', account: '67890' },
	];
	const result = await runWorkflow({
		workflow: paymentsTrustWorkflow(payoutParameters('createAndProcess', { waitForFinalStatus: true, pollIntervalSeconds: 0.05 }), rows),
		credentials: { paymentsTrustApi: sandbox.credentials },
	});
	const out = result.outputOf(PT_NODE);
	console.log(JSON.stringify(out, null, 1).slice(0, 2000), result.executionError);
	expect(out.map((item) => item.json.status)).toEqual(['processed', 'processed']);
});
