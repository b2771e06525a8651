import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	environmentOf,
	KEY_MISMATCH_DESCRIPTION,
	keyMismatches,
	keyMismatchMessage,
	type Environment,
} from '../../shared/environment';
import {
	bestGuess,
	describeDiscoveryFailure,
	findPrivateApi,
	type ProbeGet,
} from './privateApiPath';

export type PaymentsTrustFunctions = IExecuteFunctions | ILoadOptionsFunctions;

export const CREDENTIAL_TYPE = 'paymentsTrustApi';

/** Where the two APIs of one account live, read from the credential (the host is per-merchant). */
export interface Endpoints {
	/**
	 * Scheme + host, used to resolve the API's own relative links such as `/api/payout-invoices?...`.
	 */
	origin: string;
	privateApiUrl: string;
	/**
	 * Set by the user, or confirmed by a read (a JSON:API answer). Writes go only to a confirmed
	 * path.
	 */
	privateApiConfirmed: boolean;
	/** Why the path is unconfirmed: the error a write stops with. */
	privateApiProblem?: NodeOperationError;
	publicApiUrl: string;
	publicKey: string;
	/** The credential's Environment: the `test_mode` of every invoice this node creates. */
	environment: Environment;
	testMode: boolean;
}

function joinPath(base: string, path: string): string {
	const trimmedBase = base.replace(/\/+$/, '');
	const trimmedPath = (path || '').trim();
	if (!trimmedPath || trimmedPath === '/') return trimmedBase;
	return `${trimmedBase}/${trimmedPath.replace(/^\/+/, '').replace(/\/+$/, '')}`;
}

/** The credential's Private API Path: empty (or "auto") means find it. */
export function isAutomaticPath(value: unknown): boolean {
	const path = String(value ?? '')
		.trim()
		.toLowerCase();
	return path === '' || path === 'auto' || path === 'automatic';
}

/** Throws, before anything is sent, when a key of the credential belongs to the other mode. */
export function assertKeysMatchEnvironment(
	ctx: PaymentsTrustFunctions,
	credentials: ICredentialDataDecryptedObject,
): void {
	const problems = keyMismatches(credentials);
	if (problems.length === 0) return;
	throw new NodeOperationError(ctx.getNode(), keyMismatchMessage(credentials, problems), {
		description: KEY_MISMATCH_DESCRIPTION,
	});
}

/**
 * The credential's endpoints. `probe` is the look-up the Private API is found with: one GET under
 * the same rules as every read (transport/request.ts), passed in so that this file needs nothing of
 * the transport.
 */
export async function getEndpoints(
	this: PaymentsTrustFunctions,
	credentials: ICredentialDataDecryptedObject,
	findPrivate: boolean,
	probe: ProbeGet,
): Promise<Endpoints> {
	assertKeysMatchEnvironment(this, credentials);
	const baseUrl = String(credentials.baseUrl ?? '').trim();
	const environment = environmentOf(credentials);
	const endpoints: Endpoints = {
		origin: baseUrl.replace(/\/+$/, ''),
		privateApiUrl: joinPath(baseUrl, String(credentials.privateApiPath ?? '')),
		privateApiConfirmed: true,
		publicApiUrl: joinPath(baseUrl, String(credentials.publicApiPath ?? '/public-api')),
		publicKey: String(credentials.publicKey ?? ''),
		environment,
		testMode: environment === 'test',
	};
	if (!isAutomaticPath(credentials.privateApiPath)) return endpoints;
	if (!findPrivate) {
		const problem = new NodeOperationError(
			this.getNode(),
			'The Private API was not looked up for this operation. Nothing was sent.',
		);
		return {
			...endpoints,
			privateApiUrl: `${endpoints.origin}/api`,
			privateApiConfirmed: false,
			privateApiProblem: problem,
		};
	}

	const discovery = await findPrivateApi(baseUrl, String(credentials.accountId ?? ''), probe);
	if (discovery.found) return { ...endpoints, privateApiUrl: discovery.found };
	// Reads still go to the likeliest root so that their own answer (401, 403…) reaches the user;
	// writes do not.
	return {
		...endpoints,
		privateApiUrl: bestGuess(baseUrl, discovery),
		privateApiConfirmed: false,
		privateApiProblem: new NodeOperationError(
			this.getNode(),
			`${describeDiscoveryFailure(discovery)} Nothing was sent.`,
			{
				description:
					'No payout is created or processed until a read confirms where the Private API is. Fix ' +
					'what the message says, or set the Private API Path in the credential.',
			},
		),
	};
}
