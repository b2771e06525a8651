import {
	NodeConnectionTypes,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { toFriendlyInvoice } from '../shared/invoice';
import { maskCardNumbersDeep } from '../shared/redact';
import { parseCallback } from './callback';
import { judgeCallback, rememberCallback } from './deduplication';
import { forgetProcessMemory, processMemoryFor } from './processMemory';
import {
	modeMatches,
	statusMatches,
	STATUS_OPTIONS,
	type ModeFilter,
	type TriggerOn,
} from './filters';
import { answerWithoutStarting } from './respond';
import { callbackKeys } from '../shared/environment';
import { SIGNATURE_HEADER, verifyingMode } from './signature';

/** One trigger node of one workflow: the key of its duplicate memory in this n8n process. */
function triggerKeyOf(ctx: IHookFunctions | IWebhookFunctions): string {
	const node = ctx.getNode();
	return `${ctx.getWorkflow().id ?? ''}/${node.id ?? node.name}`;
}

const NO_SECRET_MESSAGE =
	'PaymentsTrust Trigger cannot verify this callback: ' +
	'the PaymentsTrust API credential has no secret key. ' +
	'Add the Test Secret Key (sk_test_…) and/or the Live Secret Key (sk_live_…) to the credential, ' +
	'or turn off the Verify Signature option.';

export class PaymentsTrustTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PaymentsTrust Trigger',
		name: 'paymentsTrustTrigger',
		icon: { light: 'file:paymentstrust.svg', dark: 'file:paymentstrust.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{"on " + ({anyStatus: "any status change", finalStatuses: "final statuses", ' +
			'selectedStatuses: "selected statuses"})[$parameter["triggerOn"]]}}',
		description:
			'Starts the workflow when PaymentsTrust reports a payout invoice status change (signed ' +
			'callback)',
		defaults: {
			name: 'PaymentsTrust Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'paymentsTrustApi',
				required: true,
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'paymentstrust',
			},
		],
		triggerPanel: {
			header: 'Listening for PaymentsTrust payout callbacks',
			executionsHelp: {
				inactive:
					'While you build the workflow, put the <b>Test URL</b> (Webhook URLs → Test URL) as ' +
					'Callback URL of a test invoice and click <b>Execute step</b> ("Listen for test ' +
					'event" in n8n 1.x). Once the workflow is published (activated), PaymentsTrust ' +
					'callbacks to the <b>Production URL</b> start it automatically.',
				active:
					'The workflow is active: every status callback PaymentsTrust sends to the ' +
					'<b>Production URL</b> starts it. Executions appear in the Executions list.',
			},
			activationHint:
				'Publish (activate) the workflow so that callbacks sent to the Production URL start it.',
		},
		properties: [
			{
				displayName:
					'Open <b>Webhook URLs</b> above, choose <b>Production URL</b> and paste it into the ' +
					'PaymentsTrust dashboard as the account’s Callback URL, or into a PaymentsTrust node ' +
					'(Payout Invoice → Create or Create and Process → Additional Fields → Callback URL) ' +
					'for the invoices it creates. PaymentsTrust then calls it on every status change of ' +
					'those invoices.',
				name: 'callbackUrlNotice',
				type: 'notice',
				default: '',
			},
			{
				// In view rather than only in the Verify Signature tooltip: without these keys every
				// callback is refused (HTTP 401), and a new user would not know why.
				displayName:
					'PaymentsTrust signs each callback with the secret key of the invoice’s mode. Put the ' +
					'<b>Test Secret Key</b> (sk_test_…) in the PaymentsTrust API credential, and the ' +
					'<b>Live Secret Key</b> (sk_live_…) too once you pay for real; a callback signed ' +
					'with a key the credential lacks is refused (HTTP 401).',
				name: 'secretKeysNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Trigger On',
				name: 'triggerOn',
				type: 'options',
				options: [
					{
						name: 'Any Status Change',
						value: 'anyStatus',
						description: 'Every status callback',
					},
					{
						name: 'Final Statuses Only',
						value: 'finalStatuses',
						description:
							'Only once the payout’s outcome is known: processed, partially processed, process ' +
							'failed, expired, terminated, cancel failed, partially canceled, canceled',
					},
					{
						name: 'Selected Statuses',
						value: 'selectedStatuses',
						description: 'Only the statuses picked below',
					},
				],
				default: 'anyStatus',
				description:
					'Which status changes start the workflow. Others are still acknowledged (HTTP 200) so ' +
					'PaymentsTrust does not retry them.',
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				options: STATUS_OPTIONS,
				default: [],
				description: 'Statuses that start the workflow. None selected means any status.',
				displayOptions: {
					show: {
						triggerOn: ['selectedStatuses'],
					},
				},
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Ignore Duplicates and Stale Callbacks',
						name: 'ignoreDuplicates',
						type: 'boolean',
						default: true,
						description:
							'Whether to acknowledge, without starting the workflow, a callback for an invoice ' +
							'status already delivered (a retry) or one older (by its "updated" time) than a ' +
							'callback already delivered for that invoice. The node remembers the newest ' +
							'10,000 invoices.',
					},
					{
						displayName: 'Include Raw Callback',
						name: 'includeRaw',
						type: 'boolean',
						default: false,
						description:
							'Whether to add the callback body as received (parsed JSON) under "rawCallback"',
					},
					{
						displayName: 'Mode',
						name: 'mode',
						type: 'options',
						options: [
							{ name: 'Any', value: 'any', description: 'Test and live invoices' },
							{
								name: 'Live Only',
								value: 'live',
								description: 'Only invoices with test_mode false',
							},
							{
								name: 'Test Only',
								value: 'test',
								description: 'Only invoices with test_mode true',
							},
						],
						default: 'any',
						description: 'Which invoices start the workflow, by their test_mode',
					},
					{
						displayName: 'Verify Signature',
						name: 'verifySignature',
						type: 'boolean',
						default: true,
						description:
							'Whether to check the X-Signature header with the credential’s Test or Live Secret ' +
							'Key (the one of the invoice’s mode) and refuse (HTTP 401) callbacks that fail. ' +
							'Turning it off means anyone who knows the URL can start this workflow with a ' +
							'made-up payout status.',
					},
				],
			},
		],
	};

	/**
	 * PaymentsTrust has no API to register a callback URL: it is set once in the dashboard (account
	 * level) or sent with each invoice (`callback_url`), so nothing is created or deleted remotely.
	 * checkExists says "no" so that n8n calls create on every activation, which starts the duplicate
	 * memory of this process afresh.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				forgetProcessMemory(triggerKeyOf(this));
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				forgetProcessMemory(triggerKeyOf(this));
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const rawBody = (req as { rawBody?: Buffer | string }).rawBody;

		// 1. Authenticity before anything else: an unsigned or forged body is refused whatever it
		// contains. The platform signs each callback with the secret key of the invoice's mode, so
		// either key may verify it.
		let verifiedMode: 'test' | 'live' | undefined;
		if (options.verifySignature !== false) {
			let keys: ReturnType<typeof callbackKeys> = [];
			try {
				keys = callbackKeys(await this.getCredentials('paymentsTrustApi'));
			} catch {
				keys = [];
			}
			if (keys.length === 0) {
				this.logger.warn(
					'PaymentsTrust Trigger refused a callback: the credential has no secret key',
				);
				return answerWithoutStarting(this, 401, { message: NO_SECRET_MESSAGE });
			}
			verifiedMode = verifyingMode(keys, rawBody ?? Buffer.alloc(0), req.headers[SIGNATURE_HEADER]);
			if (!verifiedMode) {
				this.logger.warn(
					'PaymentsTrust Trigger refused a callback: missing or invalid X-Signature',
				);
				return answerWithoutStarting(this, 401, { message: 'Missing or invalid X-Signature' });
			}
		}

		// 2. Then the content: the signed bytes themselves, parsed here.
		const parsed = parseCallback(rawBody ?? (this.getBodyData() as IDataObject | undefined));
		if (!parsed.ok) {
			return answerWithoutStarting(this, 400, { message: parsed.message });
		}
		const callback = parsed.callback;
		// A body claiming one mode signed with the other mode's key is not what the platform sends:
		// refused.
		if (verifiedMode && callback.testMode !== (verifiedMode === 'test')) {
			this.logger.warn(
				`PaymentsTrust Trigger refused a callback: signed with the ${verifiedMode} key but ` +
					`test_mode is ${String(callback.testMode)}`,
			);
			return answerWithoutStarting(this, 401, {
				message:
					`Signature made with the ${verifiedMode} secret key, but the body's test_mode ` +
					`is ${String(callback.testMode)}`,
			});
		}

		// 3. Filters. Anything filtered out is still acknowledged, or PaymentsTrust would retry it for
		// days.
		const triggerOn = this.getNodeParameter('triggerOn', 'anyStatus') as TriggerOn;
		const statuses =
			triggerOn === 'selectedStatuses' ? (this.getNodeParameter('statuses', []) as string[]) : [];
		if (!statusMatches(callback.status, triggerOn, statuses)) {
			return answerWithoutStarting(this, 200, {
				received: true,
				started: false,
				reason: 'status filtered out',
			});
		}
		if (!modeMatches(callback.testMode, (options.mode as ModeFilter | undefined) ?? 'any')) {
			return answerWithoutStarting(this, 200, {
				received: true,
				started: false,
				reason: 'mode filtered out',
			});
		}

		// 4. Retries and late callbacks, judged against what this node delivered in this process
		// (processMemory.ts says why not in static data). Judged and remembered with no await in
		// between: two copies arriving at once in one process cannot both start.
		if (options.ignoreDuplicates !== false) {
			const memory = processMemoryFor(triggerKeyOf(this));
			const verdict = judgeCallback(memory, callback.id, callback.status, callback.updated);
			if (verdict !== 'new') {
				return answerWithoutStarting(this, 200, {
					received: true,
					started: false,
					reason: verdict,
				});
			}
			rememberCallback(memory, callback.id, callback.status, callback.updated);
		}

		// Card numbers leave the node only masked, here as in every output of the action node (a
		// callback echoes the invoice's fields and description as the merchant sent them).
		const json: IDataObject = maskCardNumbersDeep(toFriendlyInvoice(callback.data));
		if (options.includeRaw === true) json.rawCallback = maskCardNumbersDeep(callback.body);
		return { workflowData: [[{ json }]] };
	}
}
