import type { CallbackMemory } from './deduplication';

/** How many trigger nodes (workflow + node) one n8n process keeps a memory for. */
const MAX_TRIGGERS = 1_000;

/**
 * The callbacks each trigger delivered, kept in this n8n process only: lost when the process
 * restarts, and each webhook process of a queue-mode n8n has its own.
 *
 * Not in the workflow's static data, although n8n offers it: n8n 2.x does not keep what a
 * production webhook answered "on received" writes there once the workflow has any static data
 * saved (starting the execution re-wraps the same object and clears n8n's "changed" flag before
 * the save), so it held the first few callbacks after activation and nothing later; n8n 1.x saves
 * it, by rewriting the whole memory in its database on every callback, and each webhook process
 * overwrites the others' copy. One behaviour in every version, documented in docs/trigger.md;
 * effects that must happen once need a store of the user's own (docs/callbacks.md).
 */
const memories = new Map<string, CallbackMemory>();

/** The memory of one trigger in this process, empty the first time it is needed. */
export function processMemoryFor(triggerKey: string): CallbackMemory {
	let memory = memories.get(triggerKey);
	if (!memory) {
		memory = {};
		memories.set(triggerKey, memory);
		for (const key of memories.keys()) {
			if (memories.size <= MAX_TRIGGERS) break;
			memories.delete(key);
		}
	}
	return memory;
}

/** Forgets one trigger's memory in this process: its workflow was activated or deactivated here. */
export function forgetProcessMemory(triggerKey: string): void {
	memories.delete(triggerKey);
}
