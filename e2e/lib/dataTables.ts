/**
 * n8n Data Tables through the editor's REST API (`/rest/projects/<project>/data-tables`), as a user creates and
 * fills one in the UI (Overview → Data tables). The same routes in n8n 1.123.x and 2.x; the table lives in the
 * owner's personal project, where the imported workflows live too.
 */
import type { RestSession } from './n8n';

export interface DataTableRef {
	projectId: string;
	id: string;
	name: string;
}

export type DataTableRow = Record<string, unknown>;

function fail(what: string, res: { status: number; json: unknown }): never {
	throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.json).slice(0, 400)}`);
}

/** The `data` of n8n's REST answers (`{ data: … }`). */
function data<T>(json: unknown): T {
	return (json as { data: T }).data;
}

async function personalProjectId(rest: RestSession): Promise<string> {
	const res = await rest.send('GET', '/rest/projects/personal');
	if (res.status !== 200) fail('GET /rest/projects/personal', res);
	return data<{ id: string }>(res.json).id;
}

/** Creates a table named `name` with `columns` in the owner's personal project. */
export async function createDataTable(
	rest: RestSession,
	name: string,
	columns: Array<{ name: string; type: string }>,
): Promise<DataTableRef> {
	const projectId = await personalProjectId(rest);
	const base = `/rest/projects/${projectId}/data-tables`;
	const res = await rest.send('POST', base, { name, columns });
	if (res.status !== 200) fail(`POST ${base}`, res);
	return { projectId, id: data<{ id: string }>(res.json).id, name };
}

export async function insertRows(
	rest: RestSession,
	table: DataTableRef,
	rows: DataTableRow[],
): Promise<void> {
	const url = `/rest/projects/${table.projectId}/data-tables/${table.id}/insert`;
	for (let i = 0; i < rows.length; i += 500) {
		const res = await rest.send('POST', url, { data: rows.slice(i, i + 500), returnType: 'count' });
		if (res.status !== 200) fail(`POST ${url}`, res);
	}
}

/** Every row of the table (paged: n8n answers at most 250 rows a page, whatever `take` asks). */
export async function readRows(rest: RestSession, table: DataTableRef): Promise<DataTableRow[]> {
	const url = `/rest/projects/${table.projectId}/data-tables/${table.id}/rows`;
	const rows: DataTableRow[] = [];
	for (;;) {
		const res = await rest.send('GET', `${url}?skip=${rows.length}&take=250`);
		if (res.status !== 200) fail(`GET ${url}`, res);
		const page = data<{ count: number; data: DataTableRow[] }>(res.json);
		rows.push(...page.data);
		if (page.data.length === 0 || rows.length >= page.count) return rows;
	}
}

/** Sets `data` on the rows whose `column` is `value` (as a user edits a row in the table's view). */
export async function updateRows(
	rest: RestSession,
	table: DataTableRef,
	column: string,
	value: string,
	data: DataTableRow,
): Promise<void> {
	const url = `/rest/projects/${table.projectId}/data-tables/${table.id}/rows`;
	const res = await rest.send('PATCH', url, {
		filter: { type: 'and', filters: [{ columnName: column, condition: 'eq', value }] },
		data,
	});
	if (res.status !== 200) fail(`PATCH ${url}`, res);
}
