import { judgeCallback, rememberCallback } from '../../nodes/PaymentsTrustTrigger/deduplication';
import {
	forgetProcessMemory,
	processMemoryFor,
} from '../../nodes/PaymentsTrustTrigger/processMemory';

describe('process memory of delivered callbacks', () => {
	afterEach(() => forgetProcessMemory('wf/node'));

	it('still knows a delivered callback when the static data it was seeded from was never saved (n8n 2.x)', () => {
		const first = processMemoryFor('wf/node', {});
		rememberCallback(first, 'cpoi_1', 'processed', 100);
		// n8n 2.x reloads static data from the database on every call: here, still without the change.
		const second = processMemoryFor('wf/node', {});
		expect(judgeCallback(second, 'cpoi_1', 'processed', 100)).toBe('duplicate');
	});

	it('starts from what static data kept, and afresh after the trigger is activated again', () => {
		const persisted = {};
		rememberCallback(persisted, 'cpoi_2', 'processed', 100);
		expect(judgeCallback(processMemoryFor('wf/node', persisted), 'cpoi_2', 'processed', 100)).toBe(
			'duplicate',
		);
		forgetProcessMemory('wf/node');
		expect(judgeCallback(processMemoryFor('wf/node', {}), 'cpoi_2', 'processed', 100)).toBe('new');
	});

	it('keeps triggers apart', () => {
		rememberCallback(processMemoryFor('wf/node', {}), 'cpoi_3', 'processed', 100);
		expect(judgeCallback(processMemoryFor('other/node', {}), 'cpoi_3', 'processed', 100)).toBe(
			'new',
		);
		forgetProcessMemory('other/node');
	});
});
