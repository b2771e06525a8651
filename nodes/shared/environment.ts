import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * Test or live. The platform takes the mode of a payout from the `test_mode` attribute of each
 * create request, not from the keys (the same account serves both modes; the API reference's
 * create sample sends `"test_mode": true`), so the credential says it explicitly and every
 * create request carries it. The keys come in pairs per mode (pk_test_/sk_test_,
 * pk_live_/sk_live_): a key of the other mode in the credential means the user is not where they
 * think they are, and the node stops before anything is sent.
 */
export type Environment = 'test' | 'live';

export function environmentOf(credentials: ICredentialDataDecryptedObject): Environment {
	return credentials.environment === 'live' ? 'live' : 'test';
}

export function environmentName(environment: Environment): string {
	return environment === 'live' ? 'Live' : 'Test';
}

/** The mode a key's prefix says (pk_test_…, sk_live_…), or null for a key without one. */
export function modeOfKey(key: unknown): Environment | null {
	if (typeof key !== 'string') return null;
	const match = /^(?:pk|sk)_(test|live)_/.exec(key.trim());
	return match ? (match[1] as Environment) : null;
}

/** A key named without showing it: its prefix only ("pk_live_…"). */
export function keyPrefix(key: unknown): string {
	const match = /^((?:pk|sk)_(?:test|live)_)/.exec(String(key ?? '').trim());
	return match ? `${match[1]}…` : 'a key without a test/live prefix';
}

interface KeySlot {
	field: string;
	label: string;
	/** The mode a key in this field must have. */
	mode: Environment;
}

/**
 * Which fields hold keys, and the mode each must be: the Environment's for the public key, its own
 * for each secret key.
 */
function keySlots(environment: Environment): KeySlot[] {
	return [
		{ field: 'publicKey', label: 'Public Key', mode: environment },
		{ field: 'testSecretKey', label: 'Test Secret Key', mode: 'test' },
		{ field: 'liveSecretKey', label: 'Live Secret Key', mode: 'live' },
	];
}

/**
 * Every key of the credential whose prefix says another mode than its place: a pk_live_… or
 * sk_live_… key in a Test credential, a pk_test_… one in a Live credential, or a key in the wrong
 * secret key field. Empty when all agree.
 */
export function keyMismatches(credentials: ICredentialDataDecryptedObject): string[] {
	const environment = environmentOf(credentials);
	const problems: string[] = [];
	for (const slot of keySlots(environment)) {
		const mode = modeOfKey(credentials[slot.field]);
		if (mode === null || mode === slot.mode) continue;
		const where =
			slot.field === 'testSecretKey' || slot.field === 'liveSecretKey'
				? `the ${slot.label} field`
				: `a ${environmentName(environment)} credential`;
		problems.push(
			`the ${slot.label} is a ${mode} key (${keyPrefix(credentials[slot.field])}) in ${where}`,
		);
	}
	return problems;
}

/**
 * The sentence of the error a key mismatch stops a run with; names the Environment and the key,
 * never the key itself.
 */
export function keyMismatchMessage(
	credentials: ICredentialDataDecryptedObject,
	problems: string[],
): string {
	const environment = environmentName(environmentOf(credentials));
	return (
		`The PaymentsTrust credential's Environment is ${environment}, but ` +
		`${problems.join('; and ')}. Nothing was sent.`
	);
}

export const KEY_MISMATCH_DESCRIPTION =
	'Keys come in pairs per mode: pk_test_…/sk_test_… for Test, pk_live_…/sk_live_… for Live. Set ' +
	'the credential’s Environment to the mode you mean, and put the keys of that mode in it.';

/** The secret keys that may sign callbacks, each with the mode of the invoices it signs. */
export function callbackKeys(
	credentials: ICredentialDataDecryptedObject,
): Array<{ key: string; mode: Environment }> {
	const keys: Array<{ key: string; mode: Environment }> = [];
	const add = (value: unknown, fallback: Environment) => {
		const key = typeof value === 'string' ? value.trim() : '';
		if (key === '') return;
		// A key's own prefix is the surest sign of its mode; a key without one counts as its field
		// says.
		const mode = modeOfKey(key) ?? fallback;
		if (!keys.some((known) => known.key === key && known.mode === mode)) keys.push({ key, mode });
	};
	add(credentials.testSecretKey, 'test');
	add(credentials.liveSecretKey, 'live');
	return keys;
}

/**
 * The pre-request answers in the mode of the public key it was given (its `data.test_mode`, see
 * the API reference's Payout Methods and Services sample): an answer in the other mode than the
 * Environment means the key belongs elsewhere, whatever its prefix says. Throws before anything
 * else is sent.
 */
export function assertPrerequestMode(
	node: INode,
	answer: IDataObject,
	testMode: boolean,
	itemIndex?: number,
): void {
	const answered = ((answer.data ?? {}) as IDataObject).test_mode;
	if (typeof answered !== 'boolean' || answered === testMode) return;
	throw new NodeOperationError(
		node,
		`The pre-request answered in ${answered ? 'test' : 'live'} mode (test_mode ${answered}), but ` +
			`the credential's Environment is ${environmentName(testMode ? 'test' : 'live')}. Nothing ` +
			`was sent.`,
		{ itemIndex, description: KEY_MISMATCH_DESCRIPTION },
	);
}
