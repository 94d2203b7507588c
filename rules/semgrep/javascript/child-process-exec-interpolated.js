const cp = require('child_process');
const { exec, execSync, execFile } = require('child_process');
const util = require('util');

const execAsync = util.promisify(exec);

function positives(req, res, filename, branch) {
  // ruleid: js-child-process-exec-interpolated
  exec(`convert ${req.query.file} out.png`, (err, stdout) => res.send(stdout));
  // ruleid: js-child-process-exec-interpolated
  const out = execSync("git checkout " + branch).toString();
  // ruleid: js-child-process-exec-interpolated
  cp.exec("ls -la " + filename + " | wc -l");
  // ruleid: js-child-process-exec-interpolated
  require('child_process').execSync(`rm -rf /tmp/${filename}`);
  // ruleid: js-child-process-exec-interpolated
  execAsync(`ping -c 1 ${req.body.host}`);
  return out;
}

function negatives(filename, branch, text) {
  // ok: js-child-process-exec-interpolated
  exec("ls -la /tmp");
  // ok: js-child-process-exec-interpolated
  execFile("git", ["checkout", branch]);
  // ok: js-child-process-exec-interpolated
  cp.spawn("convert", [filename, "out.png"]);
  // ok: js-child-process-exec-interpolated
  const m = /(\d+)/.exec(`${text}`);
  // ok: js-child-process-exec-interpolated
  execSync(`git status --porcelain`);
  return m;
}
