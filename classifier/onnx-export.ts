/**
 * Writes a LinearModel as an ONNX graph (opset 13), built directly as protobuf with
 * onnx-proto. Inputs are one text's hashed features from `features.ts`; the graph does
 * what `linear.ts` `score` does: sublinear tf × idf, l2 norm, linear layer, softmax; and,
 * when the model has one, the emergency head's linear layer and softmax on the same features.
 */
import onnxProto from 'onnx-proto';
import type { LinearModel } from './linear.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT32 = onnx.TensorProto.DataType.INT32;
const INT64 = onnx.TensorProto.DataType.INT64;
const ATTR_INT = onnx.AttributeProto.AttributeType.INT;

export const INPUT_IDS = 'ids';
export const INPUT_COUNTS = 'counts';
export const OUTPUT_LOGITS = 'logits';
export const OUTPUT_PROBS = 'probs';
export const OUTPUT_EMERGENCY = 'emergency_probs';

/** The emergency head: a second linear layer over the same weighted features. */
export interface EmergencyHead {
  labels: readonly string[];
  /** Row-major [buckets × labels]. */
  weights: Float32Array;
  bias: Float32Array;
}

function floatTensor(name: string, dims: number[], data: Float32Array) {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, number> = {}) {
  return {
    opType: op,
    input: inputs,
    output: outputs,
    name: `${op}_${outputs[0]}`,
    attribute: Object.entries(attrs).map(([name, i]) => ({ name, type: ATTR_INT, i })),
  };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function exportOnnx(model: LinearModel, meta: Record<string, string> = {}, emergency?: EmergencyHead): Uint8Array {
  const C = model.labels.length;
  const E = emergency?.labels.length ?? 0;
  const emergencyNodes = emergency
    ? [
        node('Gather', ['em_weights', INPUT_IDS], ['em_w_rows'], { axis: 0 }),
        node('MatMul', ['x_row', 'em_w_rows'], ['em_linear']),
        node('Add', ['em_linear', 'em_bias'], ['em_logits']),
        node('Softmax', ['em_logits'], [OUTPUT_EMERGENCY], { axis: -1 }),
      ]
    : [];
  const emergencyWeights = emergency
    ? [floatTensor('em_weights', [model.buckets, E], emergency.weights), floatTensor('em_bias', [E], emergency.bias)]
    : [];
  const axes = new BigInt64Array([0n]);
  const graph = {
    name: 'hotline_classifier',
    node: [
      node('Log', [INPUT_COUNTS], ['log_counts']),
      node('Add', ['log_counts', 'one'], ['tf']),
      node('Gather', ['idf', INPUT_IDS], ['idf_rows'], { axis: 0 }),
      node('Mul', ['tf', 'idf_rows'], ['x']),
      node('Mul', ['x', 'x'], ['x_sq']),
      node('ReduceSum', ['x_sq'], ['sum_sq'], { keepdims: 1 }),
      node('Max', ['sum_sq', 'eps'], ['sum_sq_safe']),
      node('Sqrt', ['sum_sq_safe'], ['norm']),
      node('Div', ['x', 'norm'], ['x_unit']),
      node('Unsqueeze', ['x_unit', 'axis0'], ['x_row']),
      node('Gather', ['weights', INPUT_IDS], ['w_rows'], { axis: 0 }),
      node('MatMul', ['x_row', 'w_rows'], ['linear']),
      node('Add', ['linear', 'bias'], [OUTPUT_LOGITS]),
      node('Softmax', [OUTPUT_LOGITS], [OUTPUT_PROBS], { axis: -1 }),
      ...emergencyNodes,
    ],
    initializer: [
      floatTensor('one', [], new Float32Array([1])),
      floatTensor('eps', [], new Float32Array([1e-12])),
      { name: 'axis0', dims: [1], dataType: INT64, rawData: new Uint8Array(axes.buffer) },
      floatTensor('idf', [model.buckets], model.idf),
      floatTensor('weights', [model.buckets, C], model.weights),
      floatTensor('bias', [C], model.bias),
      ...emergencyWeights,
    ],
    input: [valueInfo(INPUT_IDS, INT32, ['n']), valueInfo(INPUT_COUNTS, FLOAT, ['n'])],
    output: [
      valueInfo(OUTPUT_LOGITS, FLOAT, [1, C]),
      valueInfo(OUTPUT_PROBS, FLOAT, [1, C]),
      ...(emergency ? [valueInfo(OUTPUT_EMERGENCY, FLOAT, [1, E])] : []),
    ],
  };
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'hotline-classifier',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
    metadataProps: Object.entries({ labels: JSON.stringify(model.labels), ...meta }).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(proto).finish();
}
