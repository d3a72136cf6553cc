// Runtime expressions: a real jq (libjq 1.7 compiled to WebAssembly, from the jq-web package),
// compiled once per expression and evaluated with the spec's arguments bound as variables.
export {
  compileExpression,
  evaluate,
  stripExpressionMarkers,
  EXPRESSION_ARGUMENTS,
  type CompiledExpression,
  type ExpressionArguments,
} from './expression.js';
export {
  compileValue,
  evaluateValue,
  expressionsIn,
  isRuntimeExpression,
  type CompiledValue,
  type CompileValueOptions,
} from './runtime-values.js';
