// n8n-core writes its instance settings under N8N_USER_FOLDER (default ~/.n8n): keep tests out of the home folder.
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

if (!process.env.N8N_USER_FOLDER_FROM_TESTS) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-pt-test-'));
	process.env.N8N_USER_FOLDER_FROM_TESTS = '1';
}
