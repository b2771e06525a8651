/**
 * The credentials that authenticate callers of the example workflows (docs/security.md): what a user creates when
 * the import asks for them. The examples name each credential (`httpHeaderAuth` / `httpBasicAuth`) by a fixed name;
 * the suite imports one credential of that name and type with an id of its own, and `useCallerCredentials` points
 * the example's nodes at it, as picking it in the editor does. Nothing else of the examples changes.
 */
import type { WorkflowJson } from './workflows';

interface CallerCredential {
	id: string;
	name: string;
	type: 'httpHeaderAuth' | 'httpBasicAuth';
	data: Record<string, string>;
}

/** Shared by "Pay a sheet in chunks" (its HTTP Request) and "Pay a chunk" (its Webhook): one secret, both ends. */
export const CHUNK_CALLER: CallerCredential = {
	id: 'ptE2eChunkCaller',
	name: 'PaymentsTrust chunk caller',
	type: 'httpHeaderAuth',
	data: { name: 'X-Chunk-Secret', value: 'e2e-chunk-secret-6f1d0b9a4c2e8f7d' },
};

/** Who may start a run of "bulk payouts with approval". */
export const APPROVAL_CALLER: CallerCredential = {
	id: 'ptE2eRunStarter1',
	name: 'PaymentsTrust run starter',
	type: 'httpHeaderAuth',
	data: { name: 'X-Run-Secret', value: 'e2e-run-secret-0c9e2f4a7b1d3e5f' },
};

/** Who may send the AI agent a payout request. */
export const AGENT_CALLER: CallerCredential = {
	id: 'ptE2eAgentCaller',
	name: 'PaymentsTrust agent caller',
	type: 'httpHeaderAuth',
	data: { name: 'X-Agent-Secret', value: 'e2e-agent-secret-8a3c5e7f9b2d4f61' },
};

/** The approver: the approval form asks for this user and password. */
export const APPROVER: CallerCredential = {
	id: 'ptE2eApprover001',
	name: 'PaymentsTrust approver',
	type: 'httpBasicAuth',
	data: { user: 'approver', password: 'e2e-approver-password-5d7f9a1c' },
};

const ALL = [CHUNK_CALLER, APPROVAL_CALLER, AGENT_CALLER, APPROVER];

/** What `n8n import:credentials` takes. */
export function callerCredentials(): object[] {
	return ALL.map((credential) => ({ ...credential }));
}

/** The header a caller holding `credential` sends. */
export function headerOf(credential: CallerCredential): Record<string, string> {
	return { [credential.data.name]: credential.data.value };
}

/** The Authorization header of someone who knows the approver's user and `password`. */
export function basicAuthOf(password = APPROVER.data.password): Record<string, string> {
	const token = Buffer.from(`${APPROVER.data.user}:${password}`).toString('base64');
	return { authorization: `Basic ${token}` };
}

/**
 * Points every node that names one of these credentials (by type and name, as the example ships it) at the
 * suite's copy. A node naming a caller credential the suite does not know is an error: the example and the suite
 * disagree about what a user must create.
 */
export function useCallerCredentials(workflow: WorkflowJson): void {
	for (const node of workflow.nodes) {
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			if (type !== 'httpHeaderAuth' && type !== 'httpBasicAuth') continue;
			const known = ALL.find((c) => c.type === type && c.name === ref.name);
			if (!known)
				throw new Error(
					`"${node.name}" names a ${type} credential "${ref.name}" the suite does not know`,
				);
			node.credentials![type] = { id: known.id, name: known.name };
		}
	}
}
