// Copies node and credential icons next to the compiled JavaScript, where n8n looks for them (`file:` icons
// are resolved relative to the built .node.js / .credentials.js file).
const path = require('path');
const { task, src, dest } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { encoding: false, base: '.' }).pipe(
		dest(path.resolve('dist')),
	);
}

task('build:icons', copyIcons);
