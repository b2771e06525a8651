// Copies node and credential icons next to the compiled JavaScript, where n8n looks for them (`file:` icons
// are resolved relative to the built .node.js / .credentials.js file).
const path = require('path');
const fs = require('fs');
const { task, src, dest } = require('gulp');

// dist/ is rebuilt from nothing: a file left from an older build (a module since removed or renamed) would
// otherwise be published with the package, since package.json ships the whole folder.
function cleanDist(done) {
	fs.rmSync(path.resolve('dist'), { recursive: true, force: true });
	done();
}

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		encoding: false,
		base: '.',
	}).pipe(dest(path.resolve('dist')));
}

task('clean', cleanDist);
task('build:icons', copyIcons);
