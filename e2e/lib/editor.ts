/**
 * The steps of the editor check, in a logged-in n8n 2.x editor page. Each step is one or more checks of the
 * report and a screenshot named after it. Selectors are n8n's own `data-test-id`s (what n8n's Playwright
 * suite uses) and the texts a person reads.
 */
import path from 'node:path';

import type { Locator, Page } from 'playwright-core';

import type { Report } from './report';
import { readLedger } from './sandbox';

export interface EditorContext {
	report: Report;
	baseUrl: string;
	sandboxUrl: string;
	credentials: {
		accountId: string;
		apiKey: string;
		publicKey: string;
		testSecretKey: string;
		liveSecretKey: string;
	};
	owner: { email: string; password: string };
	screenshots: string;
}

/**
 * What the credential test (the credential's declarative `test` and its rules) must say for each wrong value. For a
 * host that cannot be reached n8n 2.41 shows only the error code under "More details" (a declarative test has no
 * rule for an answer that never came).
 */
export const CREDENTIAL_MESSAGES = {
	wrongKey: /The Account ID or API key is wrong/,
	wrongPath: /No Private API at this address \(404\)/,
	unreachableHost: /ECONNREFUSED/,
	/** The Base URL's hint, always under the field: what the bare error code means. */
	unreachableHostHint: /this n8n cannot reach the host/,
};

/** What Simplify leaves of a paid row (docs/operations.md, "Output"): the table's columns after Execute step. */
export const SIMPLE_COLUMNS = [
	'id',
	'referenceId',
	'status',
	'resolution',
	'isFinal',
	'amount',
	'currency',
	'testMode',
	'row',
	'alreadyExisted',
	'foundAfterError',
	'processRequested',
	'alreadyProcessed',
];

let shots = 0;
/** Where the current run's screenshots go (for the tooltip shot taken inside credentialVerdict). */
let lastShotDir = '';
async function screenshot(page: Page, ctx: EditorContext, name: string): Promise<void> {
	shots++;
	await page.screenshot({
		path: path.join(ctx.screenshots, `${String(shots).padStart(2, '0')}-${name}.png`),
	});
}

/** Runs one step; a step that throws is one failed check, and the steps after it still run. */
async function step(
	page: Page,
	ctx: EditorContext,
	name: string,
	run: () => Promise<void>,
): Promise<boolean> {
	try {
		await run();
		return true;
	} catch (error) {
		ctx.report.fail(name, error);
		await screenshot(page, ctx, `failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(
			() => undefined,
		);
		return false;
	}
}

async function signIn(page: Page, ctx: EditorContext): Promise<void> {
	await page.goto(`${ctx.baseUrl}/signin`);
	await page
		.locator('input[type="email"], input[name="emailOrLdapLoginId"]')
		.first()
		.fill(ctx.owner.email);
	await page.locator('input[type="password"]').first().fill(ctx.owner.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((url) => !url.pathname.includes('signin'), { timeout: 30_000 });
}

/** The editor's address, set when the check starts. */
let base = '';

const ndv = (page: Page) => page.getByTestId('ndv');

/** Opens the PaymentsTrust node's panel (NDV) when it is not open. */
async function openNdv(page: Page): Promise<void> {
	if (await ndv(page).isVisible()) return;
	const node = page.getByTestId('canvas-node').filter({ hasText: 'PaymentsTrust' }).first();
	await node.waitFor();
	await node.dblclick();
	await ndv(page).waitFor();
	await page.waitForTimeout(500);
}
const parameter = (page: Page, name: string) => ndv(page).getByTestId(`parameter-input-${name}`);

/** Opens the nodes panel (or keeps it open) and types a search, as a person does. */
async function searchNodes(page: Page, text: string): Promise<string[]> {
	const bar = page.getByTestId('node-creator-search-bar');
	if (!(await bar.isVisible())) {
		await page
			.getByTestId('node-creator')
			.waitFor({ state: 'hidden' })
			.catch(() => undefined);
		await page.getByTestId('node-creator-plus-button').click();
		await bar.waitFor();
	}
	await bar.fill(text);
	await page.waitForTimeout(800);
	return (await page.getByTestId('node-creator-item-name').allInnerTexts()).map((name) =>
		name.trim(),
	);
}

/** A new workflow with a manual trigger, as a person starts one. */
async function newWorkflowWithManualTrigger(page: Page): Promise<void> {
	await page.goto(`${base}/workflow/new`);
	await page.getByTestId('canvas-plus-button').click();
	const bar = page.getByTestId('node-creator-search-bar');
	await bar.waitFor();
	await bar.fill('manual');
	await page
		.getByTestId('node-creator-item-name')
		.filter({ hasText: 'Trigger manually' })
		.first()
		.click();
	await page.getByTestId('canvas-trigger-node').first().waitFor();
	// Adding a trigger may open its panel: close whatever is open.
	await page.keyboard.press('Escape');
	await page
		.getByTestId('node-creator')
		.waitFor({ state: 'hidden' })
		.catch(() => undefined);
}

/** Picks an entry of an n8n select (options parameter) by its visible name. */
async function selectOption(page: Page, container: Locator, name: string): Promise<void> {
	await container.click();
	await page
		.locator('.el-select-dropdown:visible, [role="listbox"]:visible')
		.getByText(name, { exact: true })
		.first()
		.click();
}

/** A resource locator's "From list" item names, after typing `filter` into its search when given. */
async function locatorItems(page: Page, container: Locator, filter?: string): Promise<string[]> {
	const items = page.getByTestId('rlc-item');
	if (
		!(await items
			.first()
			.isVisible()
			.catch(() => false))
	)
		await container.getByTestId('rlc-input').click();
	await items.first().waitFor({ timeout: 20_000 });
	if (filter !== undefined) {
		const search = page.getByTestId('rlc-search').filter({ visible: true }).first();
		const input =
			(await search.evaluate((element) => element.tagName)) === 'INPUT'
				? search
				: search.locator('input').first();
		await input.fill(filter);
		await page.waitForTimeout(1200);
		await items.first().waitFor({ timeout: 20_000 });
	}
	return (await items.allInnerTexts()).map((text) => text.trim());
}

/**
 * The credential modal's verdict after Save (n8n tests a credential when it is saved). A new credential's
 * modal closes when the test passes; an edited one stays open and shows "Couldn't connect with these
 * settings", with the reason in the "More details" tooltip.
 */
async function credentialVerdict(
	page: Page,
): Promise<{ ok: boolean; text: string; shown?: boolean }> {
	const modal = page.getByTestId('editCredential-modal');
	const tested = page.waitForResponse(
		(response) => response.url().includes('/rest/credentials/test'),
		{ timeout: 30_000 },
	);
	await page.getByTestId('credential-save-button').click();
	const answer = (await tested.then((response) => response.json()).catch(() => undefined)) as
		| { data?: { status?: string; message?: string } }
		| undefined;
	await page.waitForTimeout(700);
	if (!(await modal.isVisible()))
		return { ok: true, text: 'saved; the modal closed after a passing test' };
	const failure = modal.getByText(/Couldn.t connect with these settings/i).first();
	if (!(await failure.isVisible()))
		return {
			ok: answer?.data?.status === 'OK',
			text: `test answered ${JSON.stringify(answer?.data)}`,
		};
	// The reason sits behind "More details": shown on hover in some n8n versions, on click in others, and
	// it stays open once opened.
	const message = answer?.data?.message ?? '';
	const visible = async () =>
		message !== '' &&
		(await page.getByText(message, { exact: false }).filter({ visible: true }).count()) > 0;
	const details = modal.getByText('More details', { exact: true });
	for (const open of [
		async () => await details.first().hover({ force: true, timeout: 3_000 }),
		async () => await details.first().click({ force: true, timeout: 3_000 }),
	]) {
		if ((await visible()) || (await details.count()) === 0) break;
		await open().catch(() => undefined);
		await page.waitForTimeout(800);
	}
	const shown = (await visible()) ? message : '';
	await page
		.screenshot({ path: path.join(lastShotDir, 'credential-more-details.png') })
		.catch(() => undefined);
	return {
		ok: false,
		shown: shown !== '',
		text: `Couldn't connect with these settings. ${shown ? `More details: ${shown}` : `(the reason is not visible in the editor; the test answered: ${message || '?'})`}`,
	};
}

async function setCredentialField(page: Page, name: string, value: string): Promise<void> {
	const input = page
		.getByTestId('editCredential-modal')
		.getByTestId(`parameter-input-${name}`)
		.locator('input, textarea')
		.first();
	await input.fill(value);
}

export async function checkEditor(page: Page, ctx: EditorContext): Promise<void> {
	const { report } = ctx;
	base = ctx.baseUrl;
	lastShotDir = ctx.screenshots;
	await signIn(page, ctx);
	report.check('signed in to the editor', true);

	await step(page, ctx, 'nodes panel', async () => {
		await newWorkflowWithManualTrigger(page);
		const byName = await searchNodes(page, 'PaymentsTrust');
		await screenshot(page, ctx, 'nodes-panel-paymentstrust');
		report.check(
			'nodes panel: "PaymentsTrust" finds the node',
			byName.includes('PaymentsTrust'),
			byName.join(', '),
		);
		const byAlias = await searchNodes(page, 'payout');
		await screenshot(page, ctx, 'nodes-panel-payout');
		report.check(
			'nodes panel: "payout" finds the node',
			byAlias.includes('PaymentsTrust'),
			byAlias.join(', ') || 'nothing',
		);
		const byDisbursement = await searchNodes(page, 'disbursement');
		report.check(
			'nodes panel: "disbursement" finds the node',
			byDisbursement.includes('PaymentsTrust'),
			byDisbursement.join(', ') || 'nothing',
		);
	});

	await step(page, ctx, 'new node', async () => {
		// A node added as it is (pasted with no parameters, after a manual trigger) shows what it opens on:
		// its defaults.
		await page.goto(`${base}/workflow/new`);
		await page.getByTestId('canvas-plus-button').waitFor();
		const workflow = {
			nodes: [
				{
					parameters: {},
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
				},
				{
					parameters: {},
					name: 'PaymentsTrust',
					type: 'n8n-nodes-paymentstrust.paymentsTrust',
					typeVersion: 1,
					position: [300, 0],
				},
			],
			connections: { Start: { main: [[{ node: 'PaymentsTrust', type: 'main', index: 0 }]] } },
		};
		// n8n reads a paste from the document's paste event (what Ctrl+V of copied nodes fires).
		await page.evaluate(
			`(() => { const data = new DataTransfer(); data.setData('text/plain', ${JSON.stringify(JSON.stringify(workflow))}); document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true })); })()`,
		);
		await openNdv(page);
		const subtitle = await page
			.getByTestId('canvas-node')
			.filter({ hasText: 'PaymentsTrust' })
			.first()
			.innerText();
		report.check(
			'the canvas subtitle is readable',
			subtitle.includes('Validate: Payout Invoice'),
			subtitle.replace(/\s+/g, ' '),
		);
		await page.waitForTimeout(1000);
		await screenshot(page, ctx, 'new-node');
		const operation = await parameter(page, 'operation').locator('input').first().inputValue();
		report.check(
			'a new node opens on Validate (moves no money)',
			operation === 'Validate',
			`operation: ${operation}`,
		);
		const red = await ndv(page)
			.getByText(/No fields found/i)
			.count();
		report.check('no red "No fields found" before a service is chosen', red === 0, `${red} found`);
		const notice = await ndv(page)
			.getByTestId('empty-fields-notice')
			.innerText()
			.catch(() => '');
		report.check(
			'the mapper says what to do instead',
			/Choose a payout service/.test(notice),
			notice,
		);
	});

	let credentialSaved = false;
	const closeCredentialModal = async () => {
		for (
			let attempt = 0;
			attempt < 3 && (await page.getByTestId('editCredential-modal').isVisible());
			attempt++
		) {
			await page.keyboard.press('Escape');
			await page.waitForTimeout(500);
		}
	};
	await step(page, ctx, 'credential', async () => {
		await ndv(page).getByTestId('node-credentials-empty-state').click();
		await page.getByTestId('editCredential-modal').waitFor();
		await setCredentialField(page, 'baseUrl', ctx.sandboxUrl);
		await setCredentialField(page, 'accountId', ctx.credentials.accountId);
		await setCredentialField(page, 'apiKey', ctx.credentials.apiKey);
		await setCredentialField(page, 'publicKey', ctx.credentials.publicKey);
		await setCredentialField(page, 'testSecretKey', ctx.credentials.testSecretKey);
		await setCredentialField(page, 'liveSecretKey', ctx.credentials.liveSecretKey);
		const good = await credentialVerdict(page);
		await screenshot(page, ctx, 'credential-good');
		credentialSaved = report.check(
			'credential saves and tests with good values',
			good.ok,
			good.text,
		);
		// The passing test closed the modal: open the saved credential again, as a person would to change it.
		if (!(await page.getByTestId('editCredential-modal').isVisible())) {
			// Opening a saved credential tests it once: let that answer pass before changing anything.
			const opened = page.waitForResponse(
				(response) => response.url().includes('/rest/credentials/test'),
				{ timeout: 15_000 },
			);
			await ndv(page).getByTestId('credential-edit-button').click();
			await page.getByTestId('editCredential-modal').waitFor();
			await opened.catch(() => undefined);
		}

		await setCredentialField(page, 'apiKey', 'wrong_api_key');
		const wrongKey = await credentialVerdict(page);
		await screenshot(page, ctx, 'credential-wrong-key');
		report.check(
			'credential test explains a wrong API key',
			!wrongKey.ok && wrongKey.shown === true && CREDENTIAL_MESSAGES.wrongKey.test(wrongKey.text),
			wrongKey.text,
		);
		await setCredentialField(page, 'apiKey', ctx.credentials.apiKey);

		await setCredentialField(page, 'privateApiPath', '/no-such-path');
		const wrongPath = await credentialVerdict(page);
		await screenshot(page, ctx, 'credential-wrong-path');
		report.check(
			'credential test explains a wrong Private API path',
			!wrongPath.ok &&
				wrongPath.shown === true &&
				CREDENTIAL_MESSAGES.wrongPath.test(wrongPath.text),
			wrongPath.text,
		);
		// Back to automatic (empty): the credential finds the Private API itself.
		await setCredentialField(page, 'privateApiPath', '');

		await setCredentialField(page, 'baseUrl', 'http://127.0.0.1:9');
		const unreachable = await credentialVerdict(page);
		await screenshot(page, ctx, 'credential-unreachable-host');
		report.check(
			'credential test explains an unreachable host',
			!unreachable.ok &&
				unreachable.shown === true &&
				CREDENTIAL_MESSAGES.unreachableHost.test(unreachable.text),
			unreachable.text,
		);
		const hint = page
			.getByTestId('editCredential-modal')
			.getByText(CREDENTIAL_MESSAGES.unreachableHostHint)
			.filter({ visible: true });
		const hintShown = (await hint.count()) > 0;
		report.check(
			'…and the Base URL’s hint, in view, says what that code means',
			hintShown,
			hintShown
				? ((await hint.first().textContent()) ?? '').trim().slice(0, 160)
				: 'no visible hint under Base URL',
		);
		await setCredentialField(page, 'baseUrl', ctx.sandboxUrl);
		const again = await credentialVerdict(page);
		report.check('credential saved again with good values', again.ok, again.text);
		await closeCredentialModal();
	});
	// Whatever happened above, the steps below need the modal gone and the node's panel open.
	await closeCredentialModal();

	await step(page, ctx, 'service picker and mapper', async () => {
		if (!credentialSaved) throw new Error('no saved credential');
		await openNdv(page);
		const items = await locatorItems(page, ndv(page).getByTestId('resource-locator-service'));
		await screenshot(page, ctx, 'service-picker');
		report.check(
			"the service picker lists the sandbox's services with currencies and limits",
			items.some((item) => item.startsWith('test_usd · USD · 0.01–9999999')) && items.length >= 10,
			`${items.length} items, e.g. ${items.slice(0, 3).join(' | ')}`,
		);
		const filtered = await locatorItems(
			page,
			ndv(page).getByTestId('resource-locator-service'),
			'test_usd',
		);
		report.check(
			'the service picker searches',
			filtered.length === 1 && filtered[0].startsWith('test_usd'),
			filtered.join(' | '),
		);
		const byWord = await locatorItems(
			page,
			ndv(page).getByTestId('resource-locator-service'),
			'usd',
		);
		await screenshot(page, ctx, 'service-picker-usd');
		report.check(
			'the service picker ranks code matches first ("usd" lists test_usd first)',
			byWord.length > 1 && byWord[0].startsWith('test_usd'),
			byWord.slice(0, 4).join(' | '),
		);
		await page.getByTestId('rlc-item').filter({ hasText: 'test_usd' }).first().click();
		const mapper = ndv(page).getByTestId('resource-mapper-container');
		await mapper.getByText('Account', { exact: false }).first().waitFor({ timeout: 20_000 });
		await page.waitForTimeout(500);
		await screenshot(page, ctx, 'mapper-test-usd');
		const text = await mapper.innerText();
		report.check(
			"the mapper loads test_usd's fields",
			['Account', 'Success rate (%)', 'Expected status', 'Expected resolution'].every((label) =>
				text.includes(label),
			),
			text.replace(/\s+/g, ' ').slice(0, 300),
		);
	});

	await step(page, ctx, 'execute step', async () => {
		if (!credentialSaved) throw new Error('no saved credential');
		await openNdv(page);
		await selectOption(page, parameter(page, 'operation'), 'Create and Process');
		await parameter(page, 'amount').locator('input, textarea').first().fill('12.34');
		await parameter(page, 'referenceId').locator('input, textarea').first().fill('editor-check-1');
		const account = ndv(page)
			.getByTestId('resource-mapper-container')
			.getByTestId('parameter-input-account')
			.locator('input, textarea')
			.first();
		await account.fill('12345');
		await page.waitForTimeout(300);
		await ndv(page).getByTestId('node-execute-button').click();
		const output = page.getByTestId('output-panel');
		await output.getByText('editor-check-1').first().waitFor({ timeout: 60_000 });
		await output
			.getByTestId('radio-button-table')
			.click()
			.catch(() => undefined);
		await page.waitForTimeout(500);
		await screenshot(page, ctx, 'execute-step-simplified');
		const headers = (await output.locator('table th').allInnerTexts())
			.map((header) => header.trim().split('\n')[0])
			.filter(Boolean);
		report.check(
			'Execute step shows the simplified output',
			SIMPLE_COLUMNS.every((column) => headers.includes(column)) &&
				!headers.includes('fee') &&
				!headers.includes('fields'),
			headers.join(', '),
		);
		const ledger = await readLedger(ctx.sandboxUrl);
		const paid = ledger.invoices.filter((invoice) => invoice.referenceId === 'editor-check-1');
		report.check(
			'the sandbox has that one payout',
			paid.length === 1 && paid[0].amount === 12.34,
			JSON.stringify(paid),
		);
	});

	await step(page, ctx, 'invoice picker', async () => {
		if (!credentialSaved) throw new Error('no saved credential');
		await openNdv(page);
		await selectOption(page, parameter(page, 'operation'), 'Get');
		const items = await locatorItems(page, ndv(page).getByTestId('resource-locator-invoiceId'));
		await screenshot(page, ctx, 'invoice-picker');
		report.check(
			'the invoice picker lists invoices, newest first',
			items.length > 0 && items[0].startsWith('editor-check-1 · 12.34 USD'),
			`${items.length} items, e.g. ${items.slice(0, 3).join(' | ')}`,
		);
		const found = await locatorItems(
			page,
			ndv(page).getByTestId('resource-locator-invoiceId'),
			'seed-7',
		);
		report.check(
			'the invoice picker searches by reference ID',
			found.length >= 1 && found[0].startsWith('seed-7 · '),
			found.join(' | '),
		);
		await page.keyboard.press('Escape');
	});

	await step(page, ctx, 'trigger panel', async () => {
		await page
			.getByTestId('ndv-close-button')
			.click()
			.catch(() => undefined);
		await page.goto(`${ctx.baseUrl}/workflow/new`);
		await page.getByTestId('canvas-plus-button').click();
		await page.getByTestId('node-creator-search-bar').waitFor();
		await page.getByTestId('node-creator-search-bar').fill('PaymentsTrust');
		await page
			.getByTestId('node-creator-item-name')
			.filter({ hasText: 'PaymentsTrust' })
			.first()
			.click();
		await page.waitForTimeout(800);
		await screenshot(page, ctx, 'trigger-in-panel');
		await page.getByText('On any status change').first().click();
		await ndv(page).waitFor();
		await page.waitForTimeout(1000);
		await ndv(page).getByText('Webhook URLs').first().click();
		await page.waitForTimeout(500);
		const testText = await ndv(page).innerText();
		await screenshot(page, ctx, 'trigger-panel-test-url');
		await ndv(page).getByText('Production URL', { exact: true }).first().click();
		await page.waitForTimeout(500);
		const text = await ndv(page).innerText();
		await screenshot(page, ctx, 'trigger-panel-production-url');
		const urls = `${testText}\n${text}`.match(/https?:\/\/\S+\/webhook(-test)?\/\S+/g) ?? [];
		report.check(
			'the Trigger panel shows its test and production URLs',
			urls.some((url) => /\/webhook-test\/.+\/paymentstrust$/.test(url)) &&
				urls.some((url) => /\/webhook\/.+\/paymentstrust$/.test(url)),
			urls.join(' ') || text.slice(0, 400),
		);
		report.check(
			'the Trigger notice matches what the panel shows (Webhook URLs, Production URL)',
			/Webhook URLs/i.test(text) && /Production URL/.test(text),
			text.slice(0, 600).replace(/\s+/g, ' '),
		);
		report.check(
			'the Trigger panel says in view which secret keys it needs (Test, and Live to pay for real)',
			/Test Secret Key/.test(text) && /Live Secret Key/.test(text),
			text.slice(0, 900).replace(/\s+/g, ' '),
		);
	});
}
