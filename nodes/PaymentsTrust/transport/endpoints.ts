import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

export type PaymentsTrustFunctions = IExecuteFunctions | ILoadOptionsFunctions;

export const CREDENTIAL_TYPE = 'paymentsTrustApi';

/** Where the two APIs of one account live, read from the credential (the host is per-merchant). */
export interface Endpoints {
	/** Scheme + host, used to resolve the API's own relative links such as `/api/payout-invoices?...`. */
	origin: string;
	privateApiUrl: string;
	publicApiUrl: string;
	publicKey: string;
}

function joinPath(base: string, path: string): string {
	const trimmedBase = base.replace(/\/+$/, '');
	const trimmedPath = (path || '').trim();
	if (!trimmedPath || trimmedPath === '/') return trimmedBase;
	return `${trimmedBase}/${trimmedPath.replace(/^\/+/, '').replace(/\/+$/, '')}`;
}

export async function getEndpoints(this: PaymentsTrustFunctions): Promise<Endpoints> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = String(credentials.baseUrl ?? '').trim();
	return {
		origin: baseUrl.replace(/\/+$/, ''),
		privateApiUrl: joinPath(baseUrl, String(credentials.privateApiPath ?? '/api')),
		publicApiUrl: joinPath(baseUrl, String(credentials.publicApiPath ?? '/public-api')),
		publicKey: String(credentials.publicKey ?? ''),
	};
}
