import { parseYamlSubset } from './yamlSubset';

describe('the YAML subset reader used to check the workflows', () => {
	it('reads mappings, sequences of mappings, quoted and flow scalars, block scalars and comments', () => {
		const source = [
			'# a comment',
			'name: CI   # trailing comment',
			'on:',
			'  push:',
			'    tags:',
			"      - 'v*.*.*'",
			'permissions: {}',
			'jobs:',
			'  build:',
			'    needs: [version, checks]',
			'    steps:',
			'      - uses: actions/checkout@v4',
			'      - name: "Run # not a comment"',
			'        run: |',
			'          echo one',
			'          # kept: part of the script',
			'          echo two',
			'        with:',
			'          node-version: 20',
			'          cache: false',
			'    options: >-',
			'      --a 1',
			'      --b 2',
		].join('\n');
		expect(parseYamlSubset(source)).toEqual({
			name: 'CI',
			on: { push: { tags: ['v*.*.*'] } },
			permissions: {},
			jobs: {
				build: {
					needs: ['version', 'checks'],
					steps: [
						{ uses: 'actions/checkout@v4' },
						{
							name: 'Run # not a comment',
							run: 'echo one\n# kept: part of the script\necho two\n',
							with: { 'node-version': 20, cache: false },
						},
					],
					options: '--a 1 --b 2',
				},
			},
		});
	});

	it('reads a sequence at its key’s indentation and a key with no value as null', () => {
		expect(parseYamlSubset('tags:\n- a\n- b\nempty:\n')).toEqual({ tags: ['a', 'b'], empty: null });
	});

	it('refuses what it does not understand instead of misreading it', () => {
		expect(() => parseYamlSubset('a: &anchor 1')).toThrow(/unsupported/);
		expect(() => parseYamlSubset('a: {b: 1}')).toThrow(/unsupported/);
		expect(() => parseYamlSubset('a: 1\na: 2')).toThrow(/duplicate key a/);
		expect(() => parseYamlSubset('a:\n  b: 1\n    c: 2')).toThrow(/indentation/);
		expect(() => parseYamlSubset('a:\n\tb: 1')).toThrow(/tab/);
		expect(() => parseYamlSubset('just text')).toThrow(/key: value/);
		expect(() => parseYamlSubset("a: 'open")).toThrow(/unterminated/);
	});
});
