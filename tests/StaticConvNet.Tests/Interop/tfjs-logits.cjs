// Loads TensorFlow.js layers models (as scn export-tfjs writes them) in Node.js, CPU backend, and writes each one's
// logits for the images the job gives. Usage: node tfjs-logits.cjs NODE_MODULES JOB.json OUT.json, where JOB.json is
// [{ "folder": ..., "shape": [n, h, w, c], "images": [...] }]. TensorFlow.js greets on stdout, so the answer is a file.
const path = require('path');
const fs = require('fs');
const [modules, jobPath, outPath] = process.argv.slice(2);
const tf = require(path.join(modules, '@tensorflow', 'tfjs'));

(async () => {
  await tf.setBackend('cpu');
  const answers = [];
  for (const job of JSON.parse(fs.readFileSync(jobPath, 'utf8'))) {
    const json = JSON.parse(fs.readFileSync(path.join(job.folder, 'model.json'), 'utf8'));
    const manifest = json.weightsManifest[0];
    const bytes = fs.readFileSync(path.join(job.folder, manifest.paths[0]));
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest.weights,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    }));
    const logits = model.predict(tf.tensor4d(Float32Array.from(job.images), job.shape));
    answers.push(Array.from(logits.dataSync()));
  }
  fs.writeFileSync(outPath, JSON.stringify(answers));
})().catch(error => { console.error(String(error && error.stack || error)); process.exit(1); });
