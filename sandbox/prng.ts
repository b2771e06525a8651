/**
 * A small seeded PRNG (mulberry32). Faults and the test_usd success rate must be reproducible from a seed so a
 * failing fault test can be replayed; Math.random() cannot be seeded.
 */
export type Random = () => number;

export function createRandom(seed: number): Random {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Independent streams from one seed, so drawing a fault never shifts which test_usd payouts succeed. */
export function deriveSeed(seed: number, stream: number): number {
	return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + stream * 0x27d4eb2f) >>> 0;
}
