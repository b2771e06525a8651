/**
 * The publish workflow cannot run here (it needs a tag push on GitHub and an OIDC token), so its promises are
 * checked on its structure: publish only on a version tag, with provenance, with the least permissions, and only
 * after the same checks as CI (.ci/run) pass on the tagged commit and the tag matches package.json.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parseYamlSubset, type YamlValue } from './yamlSubset';

const ROOT = path.resolve(__dirname, '..', '..');

type Mapping = { [key: string]: YamlValue };
interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Mapping;
	env?: Mapping;
	'continue-on-error'?: YamlValue;
	if?: YamlValue;
}
interface Job {
	needs?: string | string[];
	uses?: string;
	permissions?: Mapping;
	steps?: Step[];
	services?: Mapping;
	'continue-on-error'?: YamlValue;
	if?: YamlValue;
}
interface Workflow {
	on: Mapping;
	permissions?: Mapping;
	jobs: Record<string, Job>;
}

function readWorkflow(file: string): Workflow {
	return parseYamlSubset(
		readFileSync(path.join(ROOT, '.github/workflows', file), 'utf8'),
	) as unknown as Workflow;
}
function needsOf(job: Job): string[] {
	return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}
/** Jobs that must succeed before `name` starts, directly or through other jobs. */
function upstream(workflow: Workflow, name: string, seen = new Set<string>()): Set<string> {
	for (const need of needsOf(workflow.jobs[name])) {
		if (!seen.has(need)) {
			seen.add(need);
			upstream(workflow, need, seen);
		}
	}
	return seen;
}
function runsOf(job: Job): string[] {
	return (job.steps ?? []).map((s) => s.run ?? '');
}

const publish = readWorkflow('publish.yml');
const ci = readWorkflow('ci.yml');
const publishJobs = Object.entries(publish.jobs).filter(([, job]) =>
	runsOf(job).some((r) => /\bnpm publish\b/.test(r)),
);

describe('publish.yml', () => {
	it('runs only on the push of a v*.*.* tag: no branch, no pull request, no manual run', () => {
		expect(Object.keys(publish.on)).toEqual(['push']);
		expect(publish.on.push).toEqual({ tags: ['v*.*.*'] });
	});

	it('has exactly one job that publishes, with provenance and public access, in one step', () => {
		expect(publishJobs.map(([name]) => name)).toEqual(['publish']);
		const publishRuns = runsOf(publish.jobs.publish).filter((r) => /\bnpm publish\b/.test(r));
		expect(publishRuns).toHaveLength(1);
		expect(publishRuns[0]).toMatch(/^npm publish\b.*--provenance\b/m);
		expect(publishRuns[0]).toMatch(/--access public\b/);
		expect(publishRuns[0]).not.toMatch(/--no-provenance|--dry-run|--ignore-scripts/);
		const setupNode = publish.jobs.publish.steps?.find((s) =>
			s.uses?.startsWith('actions/setup-node@'),
		);
		expect(setupNode?.with?.['registry-url']).toBe('https://registry.npmjs.org');
	});

	it('grants no permission by default and each job only what it needs: id-token write only to the publisher', () => {
		expect(publish.permissions).toEqual({});
		for (const [name, job] of Object.entries(publish.jobs)) {
			expect({ name, permissions: job.permissions }).toEqual({
				name,
				permissions:
					name === 'publish' ? { contents: 'read', 'id-token': 'write' } : { contents: 'read' },
			});
		}
	});

	it('publishes only after the CI workflow (.ci/run) and the tag check pass, none of them skippable', () => {
		const before = upstream(publish, 'publish');
		const checks = Object.entries(publish.jobs).find(
			([, job]) => job.uses === './.github/workflows/ci.yml',
		);
		expect(checks).toBeDefined();
		expect(before.has(checks![0])).toBe(true);
		const tagCheck = Object.entries(publish.jobs).find(([, job]) =>
			runsOf(job).some((r) => r.includes('GITHUB_REF_NAME')),
		);
		expect(tagCheck).toBeDefined();
		expect(before.has(tagCheck![0])).toBe(true);
		for (const [name, job] of Object.entries(publish.jobs)) {
			expect({ name, if: job.if, continueOnError: job['continue-on-error'] }).toEqual({
				name,
				if: undefined,
				continueOnError: undefined,
			});
			for (const step of job.steps ?? []) {
				expect({
					step: step.name ?? step.uses,
					if: step.if,
					continueOnError: step['continue-on-error'],
				}).toEqual({
					step: step.name ?? step.uses,
					if: undefined,
					continueOnError: undefined,
				});
			}
		}
	});

	it('builds and checks the very package it publishes (install, pack:check) before the publish step', () => {
		const runs = runsOf(publish.jobs.publish);
		const publishAt = runs.findIndex((r) => /\bnpm publish\b/.test(r));
		const installAt = runs.findIndex((r) => /^npm ci\b/.test(r));
		const packCheckAt = runs.findIndex((r) => r.trim() === 'npm run pack:check');
		expect(installAt).toBeGreaterThanOrEqual(0);
		expect(packCheckAt).toBeGreaterThan(installAt);
		expect(publishAt).toBeGreaterThan(packCheckAt);
	});

	describe('tag check', () => {
		const tagJob = Object.values(publish.jobs).find((job) =>
			runsOf(job).some((r) => r.includes('GITHUB_REF_NAME')),
		)!;
		const script = runsOf(tagJob).find((r) => r.includes('GITHUB_REF_NAME'))!;
		const version = (
			JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
		).version;
		// As GitHub runs a `run:` step: bash --noprofile --norc -eo pipefail.
		const runWithTag = (tag: string) =>
			spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
				cwd: ROOT,
				env: { PATH: process.env.PATH, GITHUB_REF_NAME: tag },
				encoding: 'utf8',
			});

		it('passes for v + the package.json version', () => {
			const result = runWithTag(`v${version}`);
			expect(result.stderr).toBe('');
			expect(result.status).toBe(0);
		});

		it.each([`v${version}.1`, version, `v${version}-rc.1`, 'v0.0.0'])('fails for tag %s', (tag) => {
			const result = runWithTag(tag);
			expect(result.status).toBe(1);
			expect(result.stdout).toContain(
				`::error::tag ${tag} does not match package.json version ${version}`,
			);
		});
	});
});

describe('ci.yml', () => {
	it('runs on pushes to branches and pull requests, and can be called by publish.yml', () => {
		expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
		expect(ci.on.push).toEqual({ branches: ['**'] });
		expect(ci.permissions).toEqual({ contents: 'read' });
	});

	it('runs .ci/run on Node.js 20 with PostgreSQL and Redis on their usual ports', () => {
		const jobs = Object.values(ci.jobs);
		expect(jobs).toHaveLength(1);
		const [job] = jobs;
		expect(runsOf(job)).toContain('bash .ci/run');
		const setupNode = job.steps?.find((s) => s.uses?.startsWith('actions/setup-node@'));
		expect(setupNode?.with?.['node-version']).toBe(20);
		const services = job.services as Record<string, { image: string; ports: string[] }>;
		expect(services.postgres.image).toMatch(/^postgres:15\b/);
		expect(services.postgres.ports).toEqual(['5432:5432']);
		expect(services.redis.image).toMatch(/^redis:7\b/);
		expect(services.redis.ports).toEqual(['6379:6379']);
	});

	it('.ci/run holds the checks a release needs: typecheck, n8n-node lint, tests, the package check', () => {
		const script = readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
		expect(script).toMatch(/^set -euo pipefail$/m);
		for (const command of [
			'npm ci',
			'npm run typecheck',
			'npm run lint',
			'npm test',
			'npm run pack:check',
		]) {
			expect(script).toMatch(
				new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'm'),
			);
		}
		const scripts = (
			JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
				scripts: Record<string, string>;
			}
		).scripts;
		expect(scripts.lint).toBe('n8n-node lint');
	});
});
