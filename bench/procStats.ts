/**
 * CPU time and memory of n8n processes the bench started, read from /proc (Linux): each n8n process runs
 * in its own process group (e2e/lib/processes.ts), which also holds its task runner. Sampled every 200 ms:
 * peak RSS of the n8n process itself and of the whole group; CPU time of the group (live processes plus
 * the children it has already reaped).
 */
import { readdirSync, readFileSync } from 'fs';

const TICKS_PER_SECOND = 100;
const PAGE_KB = 4;

interface ProcSample {
	pid: number;
	pgrp: number;
	cpuTicks: number;
	reapedChildrenTicks: number;
	rssKb: number;
}

function readProc(pid: number): ProcSample | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the command name (which may hold spaces), starting with field 3 (state).
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return {
			pid,
			pgrp: Number(f[2]),
			cpuTicks: Number(f[11]) + Number(f[12]),
			reapedChildrenTicks: Number(f[13]) + Number(f[14]),
			rssKb: Number(f[21]) * PAGE_KB,
		};
	} catch {
		return undefined;
	}
}

function allProcs(): ProcSample[] {
	const out: ProcSample[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		const sample = readProc(Number(name));
		if (sample) out.push(sample);
	}
	return out;
}

export interface GroupStats {
	name: string;
	/** CPU seconds of the group between start() and stop(). */
	cpuSeconds: number;
	/** Peak RSS of the group leader (the n8n process), MB. */
	peakRssMb: number;
	/** Peak RSS of the whole group at one moment (n8n + its task runner), MB. */
	peakGroupRssMb: number;
}

/** Samples the process groups led by `leaders` (name → leader pid) until stop(). */
export class ProcessGroupSampler {
	private readonly cpuStart = new Map<string, number>();
	private readonly peakLeader = new Map<string, number>();
	private readonly peakGroup = new Map<string, number>();
	private timer?: NodeJS.Timeout;

	constructor(private readonly leaders: Map<string, number>) {}

	private groupCpuTicks(procs: ProcSample[], leader: number): number {
		let ticks = 0;
		for (const p of procs) {
			if (p.pgrp !== leader) continue;
			ticks += p.cpuTicks + (p.pid === leader ? p.reapedChildrenTicks : 0);
		}
		return ticks;
	}

	private sample(): ProcSample[] {
		const procs = allProcs();
		for (const [name, leader] of this.leaders) {
			const group = procs.filter((p) => p.pgrp === leader);
			const sum = group.reduce((a, p) => a + p.rssKb, 0);
			const own = group.find((p) => p.pid === leader)?.rssKb ?? 0;
			this.peakGroup.set(name, Math.max(this.peakGroup.get(name) ?? 0, sum));
			this.peakLeader.set(name, Math.max(this.peakLeader.get(name) ?? 0, own));
		}
		return procs;
	}

	start(): void {
		const procs = this.sample();
		for (const [name, leader] of this.leaders)
			this.cpuStart.set(name, this.groupCpuTicks(procs, leader));
		this.timer = setInterval(() => this.sample(), 200);
	}

	stop(): GroupStats[] {
		if (this.timer) clearInterval(this.timer);
		const procs = this.sample();
		return [...this.leaders].map(([name, leader]) => ({
			name,
			cpuSeconds:
				(this.groupCpuTicks(procs, leader) - (this.cpuStart.get(name) ?? 0)) / TICKS_PER_SECOND,
			peakRssMb: Math.round((this.peakLeader.get(name) ?? 0) / 1024),
			peakGroupRssMb: Math.round((this.peakGroup.get(name) ?? 0) / 1024),
		}));
	}
}
