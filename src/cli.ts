// The `tfjs-adversarial` command line (Node): `train` (the main job), `eval` (a saved model under attacks)
// and `sweep` (the robustness-accuracy trade-off), `report` (report.html and PNGs of a saved report),
// `merge` (the reports of `eval --shard K/N` parts joined into one), `worker` (takes the batches of
// `eval --queue URL` from Redis) and
// `demo` (serves the demo page); in Node through Dawn or, with `--runtime chrome`, in
// headless Chromium through puppeteer (the same library and the same report schema).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jobRequest, parseCommandLine, pluginPaths, usage, UsageError } from './cli/args';
import { flagErrorOf } from './cli/flag_errors';
import { ProgressPrinter } from './cli/node_io';
import { lockOutputFolder, prepareOutputFolder, removeStalePartials, type OutputLock } from './cli/out_dir';

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'report' || argv[0] === 'demo' || argv[0] === 'merge') {
    const { runToolCommand } = await import('./cli/tools');
    await runToolCommand(argv[0], argv.slice(1));
    return;
  }
  if (argv[0] === 'worker') {
    const { runWorkerCommand } = await import('./cli/queue_worker');
    process.exitCode = await runWorkerCommand(argv.slice(1));
    return;
  }
  // Plugins first: the attacks and trainers they register are then known to the checks and --help.
  for (const file of pluginPaths(argv)) {
    try {
      await import(pathToFileURL(resolve(file)).href);
    } catch (err) {
      throw new UsageError(`--plugin ${file}: ${(err as Error).message}`);
    }
  }
  const parsed = parseCommandLine(argv);
  const { command, values } = parsed;
  if (command === 'help') {
    console.log(usage(parsed.topic));
    return;
  }
  const request = jobRequest(command, values);
  // The output folder, ready and locked before any work (data, WebGPU): a bad --out is refused at once.
  let lock: OutputLock | undefined;
  if (request.command !== 'eval' || request.writeEvalReport) {
    await prepareOutputFolder(request.out);
    lock = lockOutputFolder(request.out);
    if (lock.tookOverFrom !== null) console.log(`took over the lock of ${request.out} from pid ${lock.tookOverFrom} (no longer running)`);
    const removed = await removeStalePartials(request.out);
    if (removed.length > 0) console.log(`removed ${removed.length} temporary file${removed.length > 1 ? 's' : ''} a stopped run left: ${removed.join(', ')}`);
  }
  try {
    const progress = new ProgressPrinter();
    const report =
      request.queue
        ? await (await import('./cli/queue_eval')).runQueuedEvalInNode(request, progress)
        : request.runtime === 'chrome'
        ? await (await import('./cli/run_chrome')).runJobInChrome(request, progress)
        : await (await import('./cli/run_node')).runJobInNode(request, progress);
    if (request.command !== 'eval' || request.writeEvalReport) {
      const { writeReportFiles } = await import('./cli/report_files');
      const written = await writeReportFiles(request.out, report, (message) => console.log(message));
      const charts = written.filter((p) => p.endsWith('.png')).length;
      console.log(`wrote ${written[0]}${charts ? ` and ${charts} PNG charts in ${request.out}/charts/` : ''}`);
    }
  } catch (err) {
    throw flagErrorOf(err) ?? err;
  } finally {
    lock?.release();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    const usage = err instanceof UsageError;
    console.error(`\ntfjs-adversarial: ${err instanceof Error ? err.message : String(err)}${usage ? '\n(tfjs-adversarial --help lists the commands and flags)' : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
