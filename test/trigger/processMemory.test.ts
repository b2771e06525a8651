import { judgeCallback, rememberCallback } from '../../nodes/PaymentsTrustTrigger/deduplication';
import {
	forgetProcessMemory,
	processMemoryFor,
} from '../../nodes/PaymentsTrustTrigger/processMemory';

describe('process memory of delivered callbacks', () => {
	afterEach(() => forgetProcessMemory('wf/node'));

	it('knows a delivered callback on every later call in the same process', () => {
		rememberCallback(processMemoryFor('wf/node'), 'cpoi_1', 'processed', 100);
		expect(judgeCallback(processMemoryFor('wf/node'), 'cpoi_1', 'processed', 100)).toBe(
			'duplicate',
		);
	});

	it('starts empty again once forgotten (the workflow activated again in this process)', () => {
		rememberCallback(processMemoryFor('wf/node'), 'cpoi_2', 'processed', 100);
		forgetProcessMemory('wf/node');
		expect(judgeCallback(processMemoryFor('wf/node'), 'cpoi_2', 'processed', 100)).toBe('new');
	});

	it('keeps triggers apart', () => {
		rememberCallback(processMemoryFor('wf/node'), 'cpoi_3', 'processed', 100);
		expect(judgeCallback(processMemoryFor('other/node'), 'cpoi_3', 'processed', 100)).toBe('new');
		forgetProcessMemory('other/node');
	});
});
