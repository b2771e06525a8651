/**
 * The real-n8n suite reads a workflow's run from what `n8n execute --rawOutput` prints. A CI run failed
 * once because n8n printed a line after the run data; these pin that the parser finds the document
 * among logs before, after and (as whole lines) inside it, and finds nothing where there is none.
 */
import { parseRunOutput } from '../../e2e/lib/n8n';

const run = {
	data: { resultData: { runData: { Start: [{ data: { main: [[{ json: { a: 1 } }]] } }] } } },
};
const pretty = JSON.stringify(run, null, 2);

describe('parseRunOutput', () => {
	it('reads the document alone', () => {
		expect(parseRunOutput(pretty)).toEqual(run);
	});

	it('reads it after log lines and before a late log line', () => {
		const out = `Initializing n8n process\n{not json\n${pretty}\nTask runner exited\n{"level":"info"}\n`;
		expect(parseRunOutput(out)).toEqual(run);
	});

	it('reads it with a whole log line printed inside it', () => {
		const lines = pretty.split('\n');
		lines.splice(3, 0, 'Registered runner "JS Task Runner"');
		expect(parseRunOutput(lines.join('\n'))).toEqual(run);
	});

	it('gives nothing when there is no run data', () => {
		expect(parseRunOutput('Error: workflow not found\n{\n  "message": "x"\n}\n')).toBeUndefined();
		expect(parseRunOutput('')).toBeUndefined();
		expect(parseRunOutput(pretty.slice(0, -5))).toBeUndefined();
	});
});
