// The README's "Your own model and your own images" example, verbatim (test/node/package.test.ts checks it;
// `npm run typecheck` compiles it against the package's types).
import { initWebGPU, ensureGradients, loadImageFolder, loadClassifierFiles, withInputScale, prepareJobData,
  evaluateModel } from 'tfjs-adversarial';
import { readFile } from 'node:fs/promises';
await initWebGPU();
await ensureGradients();
const model = withInputScale(await loadClassifierFiles('my-mobilenet/model.json', (path) => readFile(path)), { range: [-1, 1] });
const images = await loadImageFolder('flowers/test', { size: [224, 224], channels: 3 }); // in a page: imageFolderFromFiles(files, ...)
const data = prepareJobData({ ...images, source: 'flowers/test' }, undefined, { allTest: true, numClasses: model.numClasses });
const [clean, fgsm, pgd] = await evaluateModel(model, data.dataset, data.test,
  [{ kind: 'clean' }, { kind: 'fgsm', epsilon: 2 / 255 }, { kind: 'pgd', epsilon: 2 / 255, steps: 20 }]);
console.log(model.head, images.classNames, clean.accuracy, fgsm.accuracy, pgd.accuracy);
data.dataset.dispose();
model.dispose();
