import type { CallbackMemory } from './deduplication';

/** How many trigger nodes (workflow + node) one n8n process keeps a memory for. */
const MAX_TRIGGERS = 1_000;

/**
 * The callbacks each trigger delivered, kept in the n8n process. Static data alone is not enough:
 * n8n 2.x does not save static data changed during a production webhook call answered "on received"
 * (it resets the change flag when it starts the execution), so a retry of the same callback would
 * start again. The process memory is the first judge; static data stays as the copy that survives a
 * restart where n8n saves it (1.x). In queue mode with several webhook processes each process has
 * its own memory: duplicates are then caught per process only, which docs/trigger.md says.
 */
const memories = new Map<string, CallbackMemory>();

/**
 * The memory of one trigger, seeded from what static data kept the first time it is needed in this
 * process.
 */
export function processMemoryFor(
	triggerKey: string,
	persisted: CallbackMemory | undefined,
): CallbackMemory {
	let memory = memories.get(triggerKey);
	if (!memory) {
		memory = { ...(persisted ?? {}) };
		memories.set(triggerKey, memory);
		for (const key of memories.keys()) {
			if (memories.size <= MAX_TRIGGERS) break;
			memories.delete(key);
		}
	}
	return memory;
}

/**
 * Forgets one trigger's process memory: on (re)activation it starts again from what static data
 * kept.
 */
export function forgetProcessMemory(triggerKey: string): void {
	memories.delete(triggerKey);
}
