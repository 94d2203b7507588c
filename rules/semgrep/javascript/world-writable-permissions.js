const fs = require('fs');

function publish(path) {
  // ruleid: js-world-writable-permissions
  fs.chmodSync(path, 0o777);
  // ruleid: js-world-writable-permissions
  fs.writeFileSync(path + '.json', '{}', { mode: 0o666 });
  // ruleid: js-world-writable-permissions
  fs.mkdirSync('/srv/shared', { recursive: true, mode: 0o777 });
  // ok: js-world-writable-permissions
  fs.chmodSync(path, 0o600);
  // ok: js-world-writable-permissions
  fs.mkdirSync('/srv/private', { mode: 0o700 });
}

module.exports = { publish };
