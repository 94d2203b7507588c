const { exec, spawnSync, execFile } = require('child_process');

function countLines(args) {
  // ruleid: js-child-process-caller-input
  exec(`cat *.js ${args[0]} | wc -l`, (error, stdout) => console.log(stdout));
}

function run(userInput) {
  // ruleid: js-child-process-caller-input
  spawnSync(userInput);
}

const open = (file) => {
  // ruleid: js-child-process-caller-input
  execFile(file, [], () => {});
};

function list() {
  // ok: js-child-process-caller-input
  exec('ls');
}

function grep(pattern) {
  // ok: js-child-process-caller-input
  execFile('grep', ['-r', pattern, '.'], () => {});
}

function tool(name) {
  if (['ls', 'df'].includes(name)) {
    // ok: js-child-process-caller-input
    spawnSync(name);
  }
}

function firstNumber(text) {
  // ok: js-child-process-caller-input
  return /(\d+)/.exec(`${text}`);
}
