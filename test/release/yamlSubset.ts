/**
 * A small YAML reader for the subset our GitHub workflow files use, so tests can check the workflows'
 * structure without a YAML dependency: block mappings and sequences (`- item`, `- key: value`),
 * plain and quoted scalars, `[a, b]` flow sequences of scalars, `{}` and `[]`, `|`/`>` block scalars,
 * and comments. Anything outside that subset (anchors, tags, multi-document files, flow mappings with
 * content, tabs) throws, so a workflow edited beyond it fails the test instead of being misread.
 */

export type YamlValue =
	| string
	| number
	| boolean
	| null
	| YamlValue[]
	| { [key: string]: YamlValue };

interface Line {
	indent: number;
	text: string;
	/** 1-based line number in the source, for error messages. */
	number: number;
	/** Text of a block scalar (`|`, `>`) that this line opens. */
	block?: string;
}

function fail(line: { number: number } | undefined, message: string): never {
	throw new Error(`YAML subset: ${message}${line ? ` (line ${line.number})` : ''}`);
}

/** Index of the first character outside quotes for which `matches` holds, or -1. */
function indexOutsideQuotes(text: string, matches: (i: number) => boolean): number {
	let quote: string | undefined;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quote) {
			if (c === quote) quote = undefined;
		} else if (c === "'" || c === '"') {
			quote = c;
		} else if (matches(i)) {
			return i;
		}
	}
	return -1;
}

/** Removes a trailing comment: `#` at the start or after a space, outside quotes. */
function stripComment(text: string): string {
	const at = indexOutsideQuotes(text, (i) => text[i] === '#' && (i === 0 || text[i - 1] === ' '));
	return (at === -1 ? text : text.slice(0, at)).trimEnd();
}

/** A line that opens a block scalar: `key: |`, `- |`, `|` (with an optional `-`/`+` chomping sign). */
const BLOCK_SCALAR = /(?:^|:\s+|^-\s+)([|>])([-+]?)$/;

function toLines(source: string): Line[] {
	const raw = source.split(/\r?\n/);
	const lines: Line[] = [];
	for (let i = 0; i < raw.length; i++) {
		const rawLine = raw[i];
		if (/^\t| \t/.test(rawLine.match(/^\s*/)?.[0] ?? ''))
			fail({ number: i + 1 }, 'tab in indentation');
		const text = stripComment(rawLine);
		if (text.trim() === '') continue;
		if (text.trim() === '---' || text.trim() === '...')
			fail({ number: i + 1 }, 'document markers are not supported');
		const indent = text.length - text.trimStart().length;
		const line: Line = { indent, text: text.trim(), number: i + 1 };
		const blockMatch = BLOCK_SCALAR.exec(line.text);
		if (blockMatch) {
			// Collect the block's lines: every following line that is blank or indented deeper.
			const body: string[] = [];
			let j = i + 1;
			while (
				j < raw.length &&
				(raw[j].trim() === '' || raw[j].length - raw[j].trimStart().length > indent)
			) {
				body.push(raw[j]);
				j++;
			}
			while (body.length > 0 && body[body.length - 1].trim() === '') body.pop();
			const bodyIndent = Math.min(
				...body.filter((b) => b.trim() !== '').map((b) => b.length - b.trimStart().length),
			);
			const content = body.map((b) => b.slice(bodyIndent));
			// `>` folds lines into one (enough for the single-paragraph folded scalars workflows use).
			let value = blockMatch[1] === '>' ? content.join(' ') : content.join('\n');
			if (blockMatch[2] !== '-') value += '\n';
			line.block = value;
			line.text = line.text.replace(/[|>][-+]?$/, '').trimEnd();
			i = j - 1;
		}
		lines.push(line);
	}
	return lines;
}

function parseScalar(text: string, line: Line): YamlValue {
	if (text.startsWith("'")) {
		if (!text.endsWith("'") || text.length < 2) fail(line, `unterminated quote: ${text}`);
		return text.slice(1, -1).replace(/''/g, "'");
	}
	if (text.startsWith('"')) {
		if (!text.endsWith('"') || text.length < 2) fail(line, `unterminated quote: ${text}`);
		return JSON.parse(text) as string;
	}
	if (text === '{}') return {};
	if (text === '[]') return [];
	if (text.startsWith('[')) {
		if (!text.endsWith(']')) fail(line, `unterminated flow sequence: ${text}`);
		return text
			.slice(1, -1)
			.split(',')
			.map((part) => part.trim())
			.filter((part) => part !== '')
			.map((part) => parseScalar(part, line));
	}
	if (/^[{&*!%@`]/.test(text)) fail(line, `unsupported syntax: ${text}`);
	if (text === 'true') return true;
	if (text === 'false') return false;
	if (text === 'null' || text === '~') return null;
	if (/^-?\d+$/.test(text)) return Number(text);
	return text;
}

/** Splits `key: value` (or `key:`) at the first `: ` outside quotes; undefined when it is not a pair. */
function splitPair(text: string): [string, string] | undefined {
	const at = indexOutsideQuotes(
		text,
		(i) => text[i] === ':' && (i === text.length - 1 || text[i + 1] === ' '),
	);
	return at === -1 ? undefined : [text.slice(0, at).trim(), text.slice(at + 1).trim()];
}

class Parser {
	private position = 0;

	constructor(private readonly lines: Line[]) {}

	parseDocument(): YamlValue {
		if (this.lines.length === 0) return null;
		const value = this.parseNode(this.lines[0].indent);
		if (this.position < this.lines.length)
			fail(this.lines[this.position], 'unexpected indentation');
		return value;
	}

	private parseNode(indent: number): YamlValue {
		const line = this.lines[this.position];
		if (line.indent !== indent) fail(line, `expected indentation ${indent}, found ${line.indent}`);
		return line.text === '-' || line.text.startsWith('- ')
			? this.parseSequence(indent)
			: this.parseMapping(indent);
	}

	/** The value after `key:` or `- `: inline, a block scalar, or a nested block on the next lines. */
	private parseValue(inline: string, line: Line, parentIndent: number): YamlValue {
		if (line.block !== undefined) {
			if (inline !== '') fail(line, 'text before a block scalar');
			return line.block;
		}
		if (inline !== '') return parseScalar(inline, line);
		const next = this.lines[this.position];
		if (next === undefined || next.indent <= parentIndent) {
			// A sequence may sit at the same indentation as its key ("key:\n- a").
			if (
				next &&
				next.indent === parentIndent &&
				(next.text === '-' || next.text.startsWith('- '))
			) {
				return this.parseSequence(parentIndent);
			}
			return null;
		}
		return this.parseNode(next.indent);
	}

	private parseMapping(indent: number): { [key: string]: YamlValue } {
		const result: { [key: string]: YamlValue } = {};
		while (this.position < this.lines.length) {
			const line = this.lines[this.position];
			if (line.indent < indent) break;
			if (line.indent > indent) fail(line, 'unexpected indentation');
			if (line.text.startsWith('- ')) break;
			const pair = splitPair(line.text);
			if (!pair && line.block === undefined)
				fail(line, `expected "key: value", found: ${line.text}`);
			const [rawKey, inline] = pair ?? [line.text.replace(/:$/, ''), ''];
			const key = String(parseScalar(rawKey, line));
			if (Object.prototype.hasOwnProperty.call(result, key)) fail(line, `duplicate key ${key}`);
			this.position++;
			result[key] = this.parseValue(inline, line, indent);
		}
		return result;
	}

	private parseSequence(indent: number): YamlValue[] {
		const result: YamlValue[] = [];
		while (this.position < this.lines.length) {
			const line = this.lines[this.position];
			if (line.indent !== indent || !(line.text === '-' || line.text.startsWith('- '))) {
				if (line.indent > indent) fail(line, 'unexpected indentation');
				break;
			}
			const item = line.text === '-' ? '' : line.text.slice(2).trim();
			const itemIndent = indent + 2;
			if (item !== '' && splitPair(item)) {
				// "- key: value": a mapping whose first line shares the dash; its other keys sit at indent + 2.
				this.lines[this.position] = { ...line, indent: itemIndent, text: item };
				result.push(this.parseMapping(itemIndent));
			} else {
				this.position++;
				result.push(this.parseValue(item, line, indent));
			}
		}
		return result;
	}
}

export function parseYamlSubset(source: string): YamlValue {
	return new Parser(toLines(source)).parseDocument();
}
