import { spawn, spawnSync } from 'child_process';
import * as childProcess from 'node:child_process';

export function positives(userDir: string, branch: string, useShell: boolean): void {
  // ruleid: js-child-process-shell-option
  spawn(`ls -la ${userDir}`, { shell: true, stdio: 'inherit' });
  // ruleid: js-child-process-shell-option
  spawnSync('git', ['checkout', branch], { shell: true });
  // ruleid: js-child-process-shell-option
  childProcess.execFile('tar czf ' + userDir + '.tgz', { shell: true });
  // ruleid: js-child-process-shell-option
  spawn(`ls -la ${userDir}`, { shell: '/bin/bash' });
  // ruleid: js-child-process-shell-option
  spawnSync('git', ['checkout', branch], { shell: 1 });
  // ruleid: js-child-process-shell-option
  childProcess.spawn('ls ' + userDir, { shell: useShell });
}

export function negatives(userDir: string, branch: string): void {
  // ok: js-child-process-shell-option
  spawn('ls', ['-la', userDir]);
  // ok: js-child-process-shell-option
  spawnSync('git', ['checkout', branch], { cwd: userDir });
  // ok: js-child-process-shell-option
  spawn('npm run build && npm test', { shell: true });
  // ok: js-child-process-shell-option
  spawnSync('git', ['status', '--short'], { shell: true });
  // ok: js-child-process-shell-option
  spawn('ls', ['-la', userDir], { shell: false });
  // ok: js-child-process-shell-option
  spawnSync('git', ['checkout', branch], { shell: undefined });
}

// red130: the options object built first, and a shell named as the program
const shellOpts = { shell: true, stdio: 'inherit' };
export function red130(req: any, name: string) {
  // ruleid: js-child-process-shell-option
  spawn(`ffmpeg -i ${req.query.file} out.mp3`, shellOpts);
  // ruleid: js-child-process-shell-option
  spawn('sh', ['-c', `ls -la /home/${name}`]);
  // ok: js-child-process-shell-option
  spawn('sh', ['-c', 'make clean && make']);
  // ok: js-child-process-shell-option
  spawn('sh', ['build.sh', name]);
}
