import type { IDataObject } from 'n8n-workflow';

/** A resource locator's value once read: the mode the user picked and what they gave. */
export interface Located {
	mode: string;
	value: string;
}

/**
 * Reads a resource locator parameter as it is stored (`{ __rl, mode, value }`), or plain text: the
 * Columns mode reads each row's service from a sheet cell with it. For plain text the mode is
 * guessed from its shape, so `comcpos_…` is a service ID and anything else a service code, and a
 * bare invoice string is an invoice ID.
 */
export function readLocator(raw: unknown, guessMode: (value: string) => string): Located {
	if (raw && typeof raw === 'object' && 'value' in (raw as IDataObject)) {
		const { mode, value } = raw as IDataObject;
		const text = String(value ?? '').trim();
		return { mode: typeof mode === 'string' && mode ? mode : guessMode(text), value: text };
	}
	const text = String(raw ?? '').trim();
	return { mode: guessMode(text), value: text };
}

export const isServiceId = (value: string): boolean => value.startsWith('comcpos_');

/** A service given by its code or by its ID; the list mode holds the code. */
export function readServiceLocator(raw: unknown): Located {
	const located = readLocator(raw, (value) => (isServiceId(value) ? 'id' : 'code'));
	// Whatever the mode, a comcpos_ value can only be an ID (codes never carry the prefix).
	if (isServiceId(located.value)) return { mode: 'id', value: located.value };
	return { mode: located.mode === 'id' ? 'id' : 'code', value: located.value };
}

/** An invoice given by ID (list mode holds the ID) or by its reference ID. */
export function readInvoiceLocator(raw: unknown): Located {
	const located = readLocator(raw, () => 'id');
	return { mode: located.mode === 'referenceId' ? 'referenceId' : 'id', value: located.value };
}
