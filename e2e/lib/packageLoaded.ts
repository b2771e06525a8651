/**
 * That a started n8n loaded the package as a user's install does: it lists our node and credential types, the
 * credential's own test passes with the sandbox's credential and explains a wrong API key, and the server log has
 * no load error for the package.
 */
import { RestSession } from './n8n';
import { Report } from './report';
import { sandboxCredentialData } from './sandbox';
import {
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	NODE_TYPE,
	TRIGGER_TYPE,
} from './workflows';

export async function checkPackageLoaded(
	report: Report,
	rest: RestSession,
	sandboxBaseUrl: string,
	serverLog: () => string,
): Promise<void> {
	const names = (json: unknown) =>
		Array.isArray(json) ? (json as Array<{ name: string }>).map((t) => t.name) : [];
	try {
		const types = names(await rest.getJson('/types/nodes.json'));
		for (const type of [NODE_TYPE, TRIGGER_TYPE]) {
			report.check(
				`n8n lists node type ${type}`,
				types.includes(type),
				`${types.length} node types listed`,
			);
		}
		const creds = names(await rest.getJson('/types/credentials.json'));
		report.check(
			`n8n lists credential type ${CREDENTIAL_TYPE}`,
			creds.includes(CREDENTIAL_TYPE),
			`${creds.length} credential types listed`,
		);
	} catch (error) {
		report.fail('n8n lists our node and credential types', error);
	}
	// The credential test is the credential's declarative one: in a real n8n it must resolve its URL expression and
	// pass with the sandbox's credential (Private API Path automatic: it asks /api, where the sandbox answers).
	try {
		const data = sandboxCredentialData(sandboxBaseUrl);
		const res = await rest.postJson('/rest/credentials/test', {
			credentials: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data },
		});
		const result = (res.json as { data?: { status?: string; message?: string } }).data ?? {};
		report.check(
			'the credential test passes with the sandbox’s credential',
			res.status === 200 && result.status === 'OK',
			`answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`,
		);
		const wrong = await rest.postJson('/rest/credentials/test', {
			credentials: {
				id: CREDENTIAL_ID,
				name: CREDENTIAL_NAME,
				type: CREDENTIAL_TYPE,
				data: { ...data, apiKey: 'wrong_api_key' },
			},
		});
		const wrongResult = (wrong.json as { data?: { status?: string; message?: string } }).data ?? {};
		// n8n 2.x shows the rule's message; n8n 1.x answers a 401 with its own sentence before reading the rules.
		report.check(
			'the credential test explains a wrong API key',
			wrongResult.status === 'Error' &&
				/Account ID or API key is wrong|Authorization failed - please check your credentials/.test(
					wrongResult.message ?? '',
				),
			`answered ${wrong.status}: ${JSON.stringify(wrong.json).slice(0, 300)}`,
		);
	} catch (error) {
		report.fail('the credential test', error);
	}
	const loadErrors = serverLog()
		.split('\n')
		.filter(
			(l) =>
				/n8n-nodes-paymentstrust(?!-e2e)|paymentsTrust/.test(l) &&
				/(error|fail|skipping|unrecognized)/i.test(l),
		);
	report.check(
		'the server log has no load error for our package',
		loadErrors.length === 0,
		loadErrors.slice(0, 5).join('\n'),
	);
}
