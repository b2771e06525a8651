/**
 * A sheet as the large-sheet examples read it (docs/large-sheets.md): a Data Table made and filled through n8n's
 * REST API, as a user does it in the UI, with its own "Pay a sheet in chunks" imported on it the way the editor
 * imports a file. Shared by queue mode (e2e/queueScenario.ts) and the large-sheets part (e2e/parts/largeSheets.ts).
 */
import { createDataTable, DataTableRef, insertRows } from './dataTables';
import { RestSession } from './n8n';
import { prepareSheetWorkflow, SHEET_COLUMNS, sheetRows } from './sheetWorkflows';

export interface SheetOnTable extends ReturnType<typeof sheetRows> {
	table: DataTableRef;
	/** The id n8n saved "Pay a sheet in chunks" under for this table. */
	parentId: string;
}

/**
 * `rows` rows of references `<prefix>-000001…` in a new Data Table `tableName`, and "Pay a sheet in chunks" on it
 * (not published: it is run as the editor runs it), sending its chunks to `chunkUrl`.
 */
export async function sheetOnDataTable(
	rest: RestSession,
	root: string,
	opts: {
		tableName: string;
		prefix: string;
		rows: number;
		parentId: string;
		chunkUrl: string;
		/** The Callback URL "Pay a chunk" gives its payouts: its parent's Validate must be given the same. */
		callbackUrl?: string;
		/** Every such row is refused by the bank until the test fixes it (sheetRows: `failOnce`, `fixRow`). */
		failOnceEvery?: number;
	},
): Promise<SheetOnTable> {
	const sheet = sheetRows(opts.prefix, opts.rows, { failOnceEvery: opts.failOnceEvery });
	const table = await createDataTable(rest, opts.tableName, SHEET_COLUMNS);
	await insertRows(rest, table, sheet.rows);
	const parentId = await rest.createWorkflow(
		prepareSheetWorkflow(root, {
			id: opts.parentId,
			chunkUrl: opts.chunkUrl,
			tableId: table.id,
			callbackUrl: opts.callbackUrl,
		}),
		false,
	);
	return { ...sheet, table, parentId };
}
