/**
 * A probe preloaded into an n8n process by the bench (BENCH_PROBE=1: NODE_OPTIONS=--require this file), for
 * issue 27's look at where a request's time goes when it is not CPU. Every 5 s it appends one JSON line to
 * $BENCH_PROBE_FILE: event-loop utilisation and delay (p50/p99/max) over the interval, and, for the HTTP
 * client requests that ended in it, the time from the request being created to its response's end (p50/p90/
 * mean), from Node's own diagnostics channels. Nothing of n8n is changed.
 */
/* eslint-disable */
const dc = require('node:diagnostics_channel');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');
const { appendFileSync } = require('node:fs');

const file = process.env.BENCH_PROBE_FILE;
if (file) {
	const started = new WeakMap();
	let durations = [];
	dc.subscribe('http.client.request.created', ({ request }) =>
		started.set(request, performance.now()),
	);
	dc.subscribe('http.client.response.finish', ({ request }) => {
		const t0 = started.get(request);
		if (t0 !== undefined) durations.push(performance.now() - t0);
	});
	const delay = monitorEventLoopDelay({ resolution: 1 });
	delay.enable();
	let elu = performance.eventLoopUtilization();
	const timer = setInterval(() => {
		const now = performance.eventLoopUtilization(elu);
		elu = performance.eventLoopUtilization();
		const d = durations.sort((a, b) => a - b);
		durations = [];
		const q = (p) =>
			d.length ? +d[Math.min(d.length - 1, Math.floor(p * d.length))].toFixed(2) : null;
		const line = {
			at: Date.now(),
			pid: process.pid,
			elu: +now.utilization.toFixed(3),
			loopDelayMs: {
				p50: +(delay.percentile(50) / 1e6).toFixed(2),
				p99: +(delay.percentile(99) / 1e6).toFixed(2),
				max: +(delay.max / 1e6).toFixed(2),
			},
			requests: d.length,
			requestMs: d.length
				? { p50: q(0.5), p90: q(0.9), mean: +(d.reduce((a, b) => a + b, 0) / d.length).toFixed(2) }
				: null,
		};
		delay.reset();
		try {
			if (line.requests > 0) appendFileSync(file, JSON.stringify(line) + '\n');
		} catch {
			// a probe never stops n8n
		}
	}, 5000);
	timer.unref();
}
