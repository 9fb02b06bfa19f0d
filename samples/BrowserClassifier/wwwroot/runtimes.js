// The same trained network (notebook architecture 2, weights ../LetterClassifier/arch2.scnw) in three runtimes, each
// behind one shape: { name, logits(pixels) } where pixels are 784 grey levels (0 background .. 255 stroke, row by
// row) and logits resolves to the ten logits. Each call does the whole job a page would: scale the pixels to the
// network's input, run the network, read the ten numbers back.
import { dotnet } from './_framework/dotnet.js';
import * as ort from './lib/ort/ort.wasm.min.mjs';

/** The network's input, as training scaled it: (pixel - 127.5) / 255. */
function scaled(pixels) {
  const input = new Float32Array(784);
  for (let i = 0; i < 784; i++) input[i] = (pixels[i] - 127.5) / 255;
  return input;
}

/** StaticConvNet: the class baked from arch2.scnw, compiled into the .NET assembly the page loads. */
async function staticConvNet() {
  const { getAssemblyExports, getConfig } = await dotnet.create();
  const assembly = (await getAssemblyExports(getConfig().mainAssemblyName)).BrowserClassifier;
  const exports = assembly.LetterExports;
  return {
    name: 'StaticConvNet (.NET, WebAssembly)',
    detail: exports.Platform(),
    classNames: exports.ClassNames(),
    logits: async pixels => Float32Array.from(exports.Logits(pixels)),
    /** GFLOP/s of the best-case .NET loop in this page: what any .NET kernel here can approach at most. */
    ceilingGflops: () => assembly.InterpreterCeiling.MultiplyAddGflops(),
  };
}

/** ONNX Runtime Web, wasm backend (SIMD), one thread: the page is not cross-origin isolated, and neither of the others uses more. */
async function onnxRuntime() {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.wasm.wasmPaths = new URL('lib/ort/', location.href).href;
  const session = await ort.InferenceSession.create('models/arch2.onnx', { executionProviders: ['wasm'] });
  return {
    name: 'ONNX Runtime Web (wasm)',
    detail: `onnxruntime-web ${ort.env.versions.web}, wasm backend, SIMD, 1 thread`,
    logits: async pixels => (await session.run({ image: new ort.Tensor('float32', scaled(pixels), [1, 28, 28, 1]) })).logits.data,
  };
}

/** TensorFlow.js, wasm backend (SIMD when the browser has it), the layers model scn export-tfjs writes. */
async function tensorFlow() {
  tf.wasm.setWasmPaths(new URL('lib/tfjs/', location.href).href);
  await tf.setBackend('wasm');
  await tf.ready();
  const model = await tf.loadLayersModel('models/tfjs/model.json');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return {
    name: 'TensorFlow.js (wasm)',
    detail: `@tensorflow/tfjs ${tf.version.tfjs}, ${tf.getBackend()} backend, ${simd ? 'SIMD' : 'no SIMD'}`,
    logits: async pixels => {
      const output = tf.tidy(() => model.predict(tf.tensor4d(scaled(pixels), [1, 28, 28, 1])));
      const logits = output.dataSync();
      output.dispose();
      return logits;
    },
  };
}

/** Ours first: the page draws with it. The other two load in parallel. */
export async function loadRuntimes() {
  return Promise.all([staticConvNet(), onnxRuntime(), tensorFlow()]);
}

/** Milliseconds per call, median over samples: each sample times enough calls back to back to last 5 ms, because
 * a page that is not cross-origin isolated reads performance.now() to 0.1 ms only. */
export async function medianMilliseconds(runtime, pixels, samples = 31) {
  for (let i = 0; i < 20; i++) await runtime.logits(pixels); // warm: first calls compile and allocate
  // Double the calls until the fastest of three tries lasts 5 ms: one slow try (a collection, a compile) must not
  // stop the doubling early and leave samples too short for the timer.
  let calls = 1;
  for (;;) {
    let fastest = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) await runtime.logits(pixels);
      fastest = Math.min(fastest, performance.now() - start);
    }
    if (fastest >= 5) break;
    calls *= 2;
  }
  const perCall = [];
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) await runtime.logits(pixels);
    perCall.push((performance.now() - start) / calls);
  }
  perCall.sort((a, b) => a - b);
  return { milliseconds: perCall[samples >> 1], calls: calls * samples };
}

export function softmax(logits) {
  const max = Math.max(...logits);
  const e = Array.from(logits, x => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map(x => x / sum);
}
